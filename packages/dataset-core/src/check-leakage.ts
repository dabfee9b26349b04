import { SerError } from '@ser/core';
import type { Corpus, Utterance } from './corpus.js';
import type { Fold } from './protocol.js';

type Part = 'train' | 'validation' | 'test';
const PARTS: readonly Part[] = ['train', 'validation', 'test'];

/**
 * Throws SerError('SPLIT_LEAKAGE') when an utterance is listed twice (within or across
 * train / validation / test) or a speaker has utterances in two of the three parts; throws
 * CONFIG_INVALID when the fold names an id the corpus does not have.
 */
export function checkLeakage(corpus: Corpus, fold: Fold): void {
  const byId = new Map<string, Utterance>();
  for (const u of corpus.utterances) byId.set(u.id, u);

  const partOfId = new Map<string, Part>();
  // speaker -> part -> one example id (for the message)
  const speakerParts = new Map<string, Map<Part, string>>();
  for (const part of PARTS) {
    for (const id of fold[part]) {
      const u = byId.get(id);
      if (!u) {
        throw new SerError(
          'CONFIG_INVALID',
          `fold '${fold.name}': utterance '${id}' (${part}) is not in corpus '${corpus.dataset}'; ` +
            'the split was made for another corpus or class map: regenerate it from this corpus',
          { details: { fold: fold.name, utterance: id, part } },
        );
      }
      const seen = partOfId.get(id);
      if (seen !== undefined) {
        throw new SerError(
          'SPLIT_LEAKAGE',
          `fold '${fold.name}': utterance '${id}' is listed twice (${seen} and ${part}); each utterance belongs to one part`,
          { details: { fold: fold.name, utterance: id, parts: [seen, part] } },
        );
      }
      partOfId.set(id, part);
      let parts = speakerParts.get(u.speaker);
      if (!parts) speakerParts.set(u.speaker, (parts = new Map()));
      if (!parts.has(part)) parts.set(part, id);
      if (parts.size > 1) {
        const [[p1, id1], [p2, id2]] = [...parts.entries()];
        throw new SerError(
          'SPLIT_LEAKAGE',
          `fold '${fold.name}': speaker '${u.speaker}' is in both ${p1} ('${id1}') and ${p2} ('${id2}'); ` +
            'a speaker-independent split keeps each speaker in one part: fix the split file or the speaker labels',
          { details: { fold: fold.name, speaker: u.speaker, parts: [p1, p2], utterances: [id1, id2] } },
        );
      }
    }
  }
}
