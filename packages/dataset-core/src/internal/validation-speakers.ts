import { Rng, SerError } from '@ser/core';
import type { Utterance } from '../corpus.js';
import { naturalCompare } from '../natural-compare.js';

/**
 * Picks `count` validation speakers among the training speakers, deterministically from the seed
 * and the fold name. Balance first: each pick takes the gender, then the session (group), with the
 * fewest picks so far, so two validation speakers are one female and one male from different
 * sessions where the corpus allows; the seeded shuffle decides among equals.
 */
export function pickValidationSpeakers(trainUtterances: readonly Utterance[], count: number, seed: number, foldName: string): Set<string> {
  const info = new Map<string, { gender: string; group: string }>();
  for (const u of trainUtterances) {
    if (!info.has(u.speaker)) info.set(u.speaker, { gender: u.gender ?? 'unknown', group: u.session ?? '' });
  }
  const speakers = [...info.keys()].sort(naturalCompare);
  if (count === 0) return new Set();
  if (count >= speakers.length) {
    throw new SerError(
      'CONFIG_INVALID',
      `fold '${foldName}': validationSpeakers is ${count} but the training side has only ${speakers.length} speaker(s); ` +
        `set dataset.protocol.validationSpeakers below ${speakers.length} so some speakers remain for training`,
      { details: { fold: foldName, validationSpeakers: count, trainingSpeakers: speakers.length } },
    );
  }
  const order = new Rng(seed).fork(`validation-speakers:${foldName}`).shuffle(speakers);
  const genderPicks = new Map<string, number>();
  const groupPicks = new Map<string, number>();
  const picked = new Set<string>();
  for (let k = 0; k < count; k++) {
    let best: string | undefined;
    let bestKey: [number, number] = [Infinity, Infinity];
    for (const s of order) {
      if (picked.has(s)) continue;
      const { gender, group } = info.get(s)!;
      const key: [number, number] = [genderPicks.get(gender) ?? 0, groupPicks.get(group) ?? 0];
      if (key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
        best = s;
        bestKey = key;
      }
    }
    const { gender, group } = info.get(best!)!;
    picked.add(best!);
    genderPicks.set(gender, (genderPicks.get(gender) ?? 0) + 1);
    groupPicks.set(group, (groupPicks.get(group) ?? 0) + 1);
  }
  return picked;
}
