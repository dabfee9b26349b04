import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { cremaD, datasets, emodb, iemocap, manifest, ravdess, synthetic } from './index.js';

describe('datasets', () => {
  it('lists every plugin once, each also exported by name', () => {
    expect(datasets.map((d) => d.id)).toEqual(['iemocap', 'emodb', 'ravdess', 'crema-d', 'manifest', 'synthetic']);
    expect(datasets).toEqual([iemocap, emodb, ravdess, cremaD, manifest, synthetic]);
  });

  it('has JSON Schemas that compile, fill defaults, require path for files on disk and reject unknown keys', () => {
    const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: true });
    for (const d of datasets) {
      const validate = ajv.compile(d.schema);
      const props = d.schema.properties as Record<string, { description?: string }>;
      for (const [key, p] of Object.entries(props)) expect(p.description, `${d.id}.${key}`).toBeTruthy();
      expect(validate({ path: '/x', bogus: 1 }), d.id).toBe(false);
      if (d.id === 'synthetic') {
        const cfg: Record<string, unknown> = {};
        expect(validate(cfg)).toBe(true);
        expect(cfg).toEqual({
          speakers: 8,
          utterancesPerSpeakerPerClass: 12,
          classes: ['angry', 'happy', 'neutral', 'sad'],
          sampleRateHz: 16000,
          durationS: [1, 2],
          difficulty: 0.5,
          seed: 0,
        });
        expect(validate({ classes: ['angry', 'furious'] })).toBe(false);
      } else {
        expect(validate({}), d.id).toBe(false);
        const cfg: Record<string, unknown> = { path: '/data' };
        expect(validate(cfg), d.id).toBe(true);
        if (d.id !== 'manifest') expect(cfg.subset).toBe(false);
      }
    }
    const cfg: Record<string, unknown> = { path: '/x' };
    ajv.compile(iemocap.schema)(cfg);
    expect(cfg).toEqual({ path: '/x', classMap: { neu: 'neutral', hap: 'happy', exc: 'happy', ang: 'angry', sad: 'sad' }, speechType: 'both', subset: false });
  });
});
