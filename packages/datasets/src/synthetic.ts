import fs from 'node:fs';
import path from 'node:path';
import wavefile from 'wavefile';
import { Rng, SerError, csvField, stableHash, writeFileAtomic } from '@ser/core';
import { defineDataset, type Corpus, type Utterance } from '@ser/dataset-core';
import { withDefaults } from './internal/loader-utils.js';
import { PROSODY, makeSpeaker, renderUtterance } from './internal/synth-voice.js';

/** Config keys of the 'synthetic' dataset. */
export interface SyntheticConfig {
  /** Number of speakers, half female (S01, S03, ...) and half male. */
  speakers: number;
  utterancesPerSpeakerPerClass: number;
  /** Emotions to render, in label-index order (from angry, happy, neutral, sad, fearful, bored, disgust, surprised, calm). */
  classes: string[];
  sampleRateHz: number;
  /** [min, max] utterance length, seconds; each utterance's length is drawn uniformly. */
  durationS: [number, number];
  /** 0: clear emotion differences, little speaker variability, clean audio; 1: differences shrunk to a fifth, large variability, noisy. */
  difficulty: number;
  /** The corpus seed (not the training seed): same seed, byte-identical WAVs. */
  seed: number;
}

/** Bumped whenever the generator's output changes, so cached renders of the old one are not reused. */
export const SYNTHETIC_VERSION = 1;
const EMOTIONS = Object.keys(PROSODY);

const schema = {
  type: 'object',
  properties: {
    speakers: {
      type: 'integer',
      minimum: 2,
      maximum: 200,
      default: 8,
      description: 'Number of synthetic speakers; even-numbered indices female (S01, S03, ...), the others male.',
    },
    utterancesPerSpeakerPerClass: { type: 'integer', minimum: 1, maximum: 1000, default: 12, description: 'Utterances per speaker and class.' },
    classes: {
      type: 'array',
      items: { type: 'string', enum: EMOTIONS },
      minItems: 2,
      uniqueItems: true,
      default: ['angry', 'happy', 'neutral', 'sad'],
      description: `Emotions to render, in label-index order; each has its own prosody profile (${EMOTIONS.join(', ')}).`,
    },
    sampleRateHz: { type: 'integer', minimum: 8000, maximum: 48000, default: 16000, description: 'Sample rate of the rendered WAV files, Hz.' },
    durationS: {
      type: 'array',
      items: { type: 'number', exclusiveMinimum: 0, maximum: 60 },
      minItems: 2,
      maxItems: 2,
      default: [1, 2],
      description: '[min, max] utterance duration in seconds (uniform); min >= 0.3.',
    },
    difficulty: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      default: 0.5,
      description:
        'How much the classes overlap: emotion differences are scaled by (1 - 0.8 difficulty), and speaker / utterance variability and background noise grow with it (SNR about 38 dB at 0, 12 dB at 1).',
    },
    seed: { type: 'integer', minimum: 0, default: 0, description: 'Corpus seed: the same config renders byte-identical WAV files.' },
  },
  additionalProperties: false,
};

interface PlannedUtterance {
  id: string;
  speaker: string;
  gender: 'female' | 'male';
  label: string;
  speakerIndex: number;
  nSamples: number;
}

function resolveConfig(raw: Partial<SyntheticConfig> | undefined): SyntheticConfig {
  // only this schema's keys: a caller passing the whole dataset block (id, protocol, ...) must not
  // change the cache hash
  const own = Object.fromEntries(Object.entries(raw ?? {}).filter(([k]) => k in schema.properties));
  const c = withDefaults<SyntheticConfig>(schema, own as Partial<SyntheticConfig>);
  const bad = (field: string, msg: string) =>
    new SerError('CONFIG_INVALID', `synthetic: dataset.${field} ${msg}`, { details: { field, value: (c as any)[field] } });
  for (const k of ['speakers', 'utterancesPerSpeakerPerClass', 'sampleRateHz', 'seed'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 0) throw bad(k, `must be a non-negative integer, got ${JSON.stringify(c[k])}`);
  }
  if (c.speakers < 2) throw bad('speakers', `must be at least 2 (a speaker-independent split needs them), got ${c.speakers}`);
  if (c.utterancesPerSpeakerPerClass < 1) throw bad('utterancesPerSpeakerPerClass', 'must be at least 1');
  if (c.sampleRateHz < 8000 || c.sampleRateHz > 48000) throw bad('sampleRateHz', `must be in [8000, 48000], got ${c.sampleRateHz}`);
  if (!(c.difficulty >= 0 && c.difficulty <= 1)) throw bad('difficulty', `must be in [0, 1], got ${JSON.stringify(c.difficulty)}`);
  const [lo, hi] = c.durationS ?? [];
  if (!(lo >= 0.3 && hi >= lo && hi <= 60)) throw bad('durationS', `must be [min, max] with 0.3 <= min <= max <= 60, got ${JSON.stringify(c.durationS)}`);
  if (!Array.isArray(c.classes) || c.classes.length < 2 || new Set(c.classes).size !== c.classes.length) {
    throw bad('classes', `must list at least 2 distinct emotions, got ${JSON.stringify(c.classes)}`);
  }
  for (const cls of c.classes) {
    if (!PROSODY[cls]) {
      throw new SerError('DATASET_UNKNOWN_LABEL', `synthetic: dataset.classes has '${cls}', which has no prosody profile; allowed: ${EMOTIONS.join(', ')}`, {
        details: { label: cls, allowed: EMOTIONS },
      });
    }
  }
  return c;
}

/** Ids, speakers, labels and lengths; each utterance's length comes from its own seeded stream. */
function plan(c: SyntheticConfig): PlannedUtterance[] {
  const out: PlannedUtterance[] = [];
  for (let s = 0; s < c.speakers; s++) {
    const speaker = `S${String(s + 1).padStart(2, '0')}`;
    for (const label of c.classes) {
      for (let k = 0; k < c.utterancesPerSpeakerPerClass; k++) {
        const id = `${speaker}_${label}_${String(k).padStart(3, '0')}`;
        const u = new Rng(c.seed).fork(`duration:${id}`).next();
        const durationS = c.durationS[0] + u * (c.durationS[1] - c.durationS[0]);
        out.push({ id, speaker, gender: s % 2 === 0 ? 'female' : 'male', label, speakerIndex: s, nSamples: Math.round(durationS * c.sampleRateHz) });
      }
    }
  }
  return out;
}

const wavPath = (dir: string, id: string) => path.join(dir, 'wav', `${id}.wav`);
const wavBytes = (nSamples: number) => 44 + 2 * nSamples;

function toWav(samples: Float32Array, sampleRateHz: number): Uint8Array {
  const pcm = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) pcm[i] = Math.round(Math.max(-1, Math.min(1, samples[i])) * 32767);
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, sampleRateHz, '16', pcm);
  return wav.toBuffer();
}

function toCorpus(dir: string, c: SyntheticConfig, planned: PlannedUtterance[]): Corpus {
  const utterances: Utterance[] = planned.map((p) => ({
    id: p.id,
    path: wavPath(dir, p.id),
    speaker: p.speaker,
    gender: p.gender,
    label: p.label,
    originalLabel: p.label,
    durationS: p.nSamples / c.sampleRateHz,
  }));
  return { dataset: 'synthetic', classes: [...c.classes], utterances, classMap: `${c.classes.length}-class synthetic: ${c.classes.join(',')}` };
}

/** Renders every planned utterance and writes it, then manifest.csv and synthetic.json (last: they mark the folder complete). */
function render(dir: string, c: SyntheticConfig, planned: PlannedUtterance[], write: (file: string, data: string | Uint8Array) => void): void {
  fs.mkdirSync(path.join(dir, 'wav'), { recursive: true });
  const speakers = new Map<number, ReturnType<typeof makeSpeaker>>();
  for (const p of planned) {
    let speaker = speakers.get(p.speakerIndex);
    if (!speaker) speakers.set(p.speakerIndex, (speaker = makeSpeaker(p.speakerIndex, c.seed, c.difficulty)));
    const samples = renderUtterance({
      speaker,
      emotion: p.label,
      nSamples: p.nSamples,
      sampleRateHz: c.sampleRateHz,
      difficulty: c.difficulty,
      rng: new Rng(c.seed).fork(`render:${p.id}`),
    });
    write(wavPath(dir, p.id), toWav(samples, c.sampleRateHz));
  }
  const rows = ['id,path,label,speaker,gender,durationS'];
  for (const p of planned) {
    rows.push([p.id, `wav/${p.id}.wav`, p.label, p.speaker, p.gender, String(p.nSamples / c.sampleRateHz)].map(csvField).join(','));
  }
  write(path.join(dir, 'manifest.csv'), rows.join('\n') + '\n');
  write(path.join(dir, 'synthetic.json'), JSON.stringify({ version: SYNTHETIC_VERSION, config: c }, null, 2) + '\n');
}

function isComplete(dir: string, planned: PlannedUtterance[]): boolean {
  if (!fs.existsSync(path.join(dir, 'synthetic.json'))) return false;
  for (const p of planned) {
    try {
      if (fs.statSync(wavPath(dir, p.id)).size !== wavBytes(p.nSamples)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Writes the synthetic corpus to outDir: wav/<id>.wav (16-bit PCM mono), manifest.csv (id, path,
 * label, speaker, gender, durationS; readable by the 'manifest' dataset) and synthetic.json (the
 * resolved config), each file under a temporary name and renamed into place. Returns the Corpus with absolute paths.
 */
export async function writeSyntheticCorpus(outDir: string, config: Partial<SyntheticConfig> = {}): Promise<Corpus> {
  const c = resolveConfig(config);
  const dir = path.resolve(outDir);
  const planned = plan(c);
  // WAVs: temporary name + rename (a reader never sees half a file); an fsync per file would cost
  // more than rendering it. manifest.csv and synthetic.json, written last, are fsynced.
  render(dir, c, planned, (file, data) => {
    if (file.endsWith('.wav')) {
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, data);
      fs.renameSync(tmp, file);
    } else {
      writeFileAtomic(file, data);
    }
  });
  return toCorpus(dir, c, planned);
}

/** The built-in corpus: rendered once into <cacheDir>/synthetic-<config hash>/ and reused while complete. */
export const synthetic = defineDataset<SyntheticConfig>({
  id: 'synthetic',
  description:
    'Synthetic emotional speech made in code (source-filter voice, emotion-conditioned prosody after the vocal-emotion literature): no download, deterministic from the seed; difficulty sets how much the classes overlap.',
  schema,
  async load(raw, context): Promise<Corpus> {
    const c = resolveConfig(raw);
    const planned = plan(c);
    const dir = path.join(path.resolve(context.cacheDir), `synthetic-${stableHash({ version: SYNTHETIC_VERSION, config: c }, 16)}`);
    if (isComplete(dir, planned)) {
      context.logger.debug(`synthetic: reusing ${dir}`);
      return toCorpus(dir, c, planned);
    }
    // render into a private folder, then rename it into place: readers (parallel cells) see
    // either no folder or a complete one
    const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    context.logger.info(`synthetic: rendering ${planned.length} utterances into ${dir}`);
    try {
      render(tmp, c, planned, (file, data) => fs.writeFileSync(file, data));
      try {
        fs.renameSync(tmp, dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
        if (!isComplete(dir, planned)) {
          // a broken leftover (not from this code's renames): replace it
          fs.rmSync(dir, { recursive: true, force: true });
          fs.renameSync(tmp, dir);
        }
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    return toCorpus(dir, c, planned);
  },
});
