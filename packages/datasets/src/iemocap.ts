import fs from 'node:fs';
import path from 'node:path';
import { SerError } from '@ser/core';
import { defineDataset, naturalCompare, type Corpus, type Utterance } from '@ser/dataset-core';
import {
  checkFacts,
  classMapSchema,
  classesSchema,
  folderNotFound,
  isDir,
  missingFilesError,
  pathSchema,
  requirePath,
  resolveClassMap,
  subsetSchema,
  withDefaults,
  type LabelEntry,
} from './internal/loader-utils.js';
import { readWavInfo } from './wav-info.js';

/** Config keys of the 'iemocap' dataset. */
export interface IemocapConfig {
  /** The folder holding Session1..Session5. */
  path: string;
  /** IEMOCAP code (neu, hap, exc, ang, sad, fru, sur, fea, dis, oth, xxx) -> class. */
  classMap: Record<string, string>;
  classes?: string[];
  /** Which dialogs: improvised, scripted, or both. */
  speechType: 'both' | 'improvised' | 'scripted';
  subset: boolean;
}

/** IEMOCAP's categorical codes as written in dialog/EmoEvaluation/*.txt (Busso et al., 2008). */
const CODES: readonly LabelEntry[] = [
  { label: 'neu', aliases: ['neutral'] },
  { label: 'hap', aliases: ['happiness', 'happy'] },
  { label: 'exc', aliases: ['excited', 'excitement'] },
  { label: 'ang', aliases: ['anger', 'angry'] },
  { label: 'sad', aliases: ['sadness'] },
  { label: 'fru', aliases: ['frustration', 'frustrated'] },
  { label: 'sur', aliases: ['surprise', 'surprised'] },
  { label: 'fea', aliases: ['fear'] },
  { label: 'dis', aliases: ['disgust'] },
  { label: 'oth', aliases: ['other'] },
  { label: 'xxx', aliases: ['no-agreement'] },
];
const KNOWN = new Set(CODES.map((c) => c.label));

/**
 * Documented counts of the whole release (improvised + scripted) for the codes of the usual
 * 4-class set: neutral 1,708; happy 1,636 (hap 595 + exc 1,041); angry 1,103; sad 1,084 = 5,531.
 */
export const IEMOCAP_FACTS = {
  perLabel: { neu: 1708, hap: 595, exc: 1041, ang: 1103, sad: 1084 },
  speakers: 10,
  source: 'the IEMOCAP release (5 sessions, 10 speakers; 4-class set 5,531 utterances)',
};

const HOLDING = 'Session1..Session5 (each with dialog/EmoEvaluation/*.txt and sentences/wav/<dialog>/<utterance>.wav)';
const SESSIONS = ['Session1', 'Session2', 'Session3', 'Session4', 'Session5'];
// "[6.2901 - 8.2357]\tSes01F_impro01_F000\tneu\t[2.5000, 2.5000, 2.5000]"
const LINE = /^\[\s*([\d.]+)\s*-\s*([\d.]+)\s*\]\s+(Ses(\d+)[FM]_\S+_([FM])\d+)\s+(\S+)/;

const schema = {
  type: 'object',
  properties: {
    path: pathSchema(HOLDING),
    classMap: classMapSchema(
      { neu: 'neutral', hap: 'happy', exc: 'happy', ang: 'angry', sad: 'sad' },
      'IEMOCAP codes (neu, hap, exc, ang, sad, fru, sur, fea, dis, oth, xxx)',
    ),
    classes: classesSchema,
    speechType: {
      type: 'string',
      enum: ['both', 'improvised', 'scripted'],
      default: 'both',
      description: "Which dialogs to use: 'improvised' (names with _impro), 'scripted' (_script), or 'both'.",
    },
    subset: subsetSchema,
  },
  required: ['path'],
  additionalProperties: false,
};

/** IEMOCAP: 5 sessions of dyadic dialogs; speaker '1F' = session 1, female; labels from EmoEvaluation. */
export const iemocap = defineDataset<IemocapConfig>({
  id: 'iemocap',
  description:
    'IEMOCAP (Busso et al., 2008): 5 sessions, 10 actors, improvised and scripted dialogs; default 4 classes (neutral, happy+excited, angry, sad: 5,531 utterances).',
  schema,
  async load(raw, context): Promise<Corpus> {
    const config = withDefaults<IemocapConfig>(schema, raw);
    const root = requirePath('IEMOCAP', config.path, context, HOLDING);
    if (!isDir(root)) throw folderNotFound('IEMOCAP', root, context, HOLDING);
    const sessions = fs
      .readdirSync(root)
      .filter((n) => /^Session\d+$/.test(n) && isDir(path.join(root, n)))
      .sort(naturalCompare);
    if (sessions.length === 0) throw folderNotFound('IEMOCAP', root, context, HOLDING, 'folder holds no Session1..Session5');
    const absent = SESSIONS.filter((s) => !sessions.includes(s));
    if (absent.length > 0 && !config.subset) {
      throw new SerError(
        'DATASET_MISSING_FILES',
        `IEMOCAP at ${root}: ${absent.join(', ')} not found (found ${sessions.join(', ')}); restore the whole release, or set dataset.subset: true to use a part of it`,
        { details: { root, absent, found: sessions } },
      );
    }
    const cm = resolveClassMap('iemocap', CODES, config.classMap, config.classes);

    const utterances: Utterance[] = [];
    const seen = new Set<string>();
    const missing: string[] = [];
    for (const session of sessions) {
      const evalDir = path.join(root, session, 'dialog', 'EmoEvaluation');
      if (!isDir(evalDir)) {
        throw folderNotFound('IEMOCAP', evalDir, context, HOLDING, 'label folder not found');
      }
      const files = fs
        .readdirSync(evalDir)
        .filter((n) => !n.startsWith('.') && n.endsWith('.txt'))
        .sort(naturalCompare);
      for (const file of files) {
        const labelFile = path.join(evalDir, file);
        const lines = fs.readFileSync(labelFile, 'utf8').split(/\r?\n/);
        lines.forEach((line, i) => {
          const m = LINE.exec(line);
          if (!m) return;
          const [, start, end, id, sesNum, spkGender, code] = m;
          if (!KNOWN.has(code)) {
            throw new SerError(
              'DATASET_UNKNOWN_LABEL',
              `IEMOCAP: ${labelFile}, line ${i + 1}: label '${code}' of ${id} is not an IEMOCAP code; allowed: ${[...KNOWN].join(', ')}`,
              { details: { file: labelFile, line: i + 1, label: code } },
            );
          }
          const dialog = id.slice(0, id.lastIndexOf('_'));
          const improvised = dialog.includes('_impro');
          if ((config.speechType === 'improvised' && !improvised) || (config.speechType === 'scripted' && improvised)) return;
          const label = cm.map.get(code);
          if (label === undefined || seen.has(id)) return;
          seen.add(id);
          const wav = path.join(root, session, 'sentences', 'wav', dialog, `${id}.wav`);
          if (!fs.existsSync(wav)) missing.push(wav);
          const sessionNumber = Number.parseInt(sesNum, 10);
          utterances.push({
            id,
            path: wav,
            speaker: `${sessionNumber}${spkGender}`,
            session: `Session${sessionNumber}`,
            gender: spkGender === 'F' ? 'female' : 'male',
            label,
            originalLabel: code,
            // replaced by the WAV header's duration below; kept where the header is unreadable
            durationS: Math.max(0, Number(end) - Number(start)),
          });
        });
      }
    }
    if (missing.length > 0) {
      throw missingFilesError('IEMOCAP', missing, 'the EmoEvaluation label files name these utterances: restore sentences/wav/<dialog>/ from the release');
    }
    utterances.sort((a, b) => naturalCompare(a.id, b.id));
    if (config.speechType === 'both') {
      checkFacts('IEMOCAP', root, IEMOCAP_FACTS, cm.map.keys(), utterances, config.subset, context.logger);
    } else {
      context.logger.debug(`IEMOCAP: no documented counts for speechType '${config.speechType}'; facts check skipped`);
    }
    for (const u of utterances) {
      const info = readWavInfo(u.path);
      if (info) u.durationS = info.durationS;
    }
    return { dataset: 'iemocap', classes: cm.classes, utterances, classMap: cm.description };
  },
});
