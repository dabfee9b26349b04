// The report's additions for the recipe work: the baseline chosen among several matches (and why),
// the minimum detectable difference of each comparison, and cells that skipped bad audio.
import { describe, expect, it } from 'vitest';
import { buildReport } from './build-report.js';
import { renderTable } from './render-table.js';
import { makeCell } from './test-rows.js';

/** Cells over folds f1..f6 of one point: UA = base + the fold's offset. */
function point(
  params: Record<string, number | string>,
  over: { modelId?: string; lossId?: string },
  base: number,
  offsets = [0, 0.04, -0.03, 0.05, -0.02, 0.01],
) {
  return offsets.map((d, i) => makeCell({ cellId: `${JSON.stringify(params)}-${i}`, params, fold: `f${i + 1}`, ua: base + d, wa: base + d, ...over }));
}

describe('buildReport baseline and power', () => {
  const cells = [
    ...point({ 'loss.lambda': 0 }, {}, 0.8),
    ...point({ 'loss.lambda': 0.01 }, {}, 0.82, [0.01, 0.02, -0.01, 0.06, 0, 0.03]),
    ...point({ 'loss.lambda': 0, model: '{"id":"utterance-stats"}' }, { modelId: 'utterance-stats' }, 0.7, [0.1, -0.08, 0.06, -0.1, 0.09, -0.04]),
  ];

  it('picks the lambda 0 point of the model the sweep varies, and says which points matched and why', () => {
    const report = buildReport({ cells }, { bootstrap: { resamples: 500 } });
    const sig = report.significance[0];
    expect(sig.baseline?.label).toBe('center loss.lambda=0');
    expect(sig.baseline?.rule).toMatch(
      /2 points match, chosen: the one whose model 'cnn-birnn' most other points use.*also matching: center loss.lambda=0 model=/,
    );
  });

  it('gives each comparison its minimum detectable difference, smaller with less noise', () => {
    const report = buildReport({ cells }, { bootstrap: { resamples: 500 } });
    const rows = report.significance[0].rows;
    const center = rows.find((r) => r.label === 'center loss.lambda=0.01')!;
    const stats = rows.find((r) => r.label.includes('utterance-stats'))!;
    expect(center.mdd).toBeGreaterThan(0);
    // utterance-stats varies over the folds unlike the baseline: noisier differences, a larger MDD
    expect(stats.mdd!).toBeGreaterThan(2 * center.mdd!);
    expect(renderTable(report, 'text')).toMatch(/MDD \(pp\)/);
    expect(renderTable(report, 'csv')).toContain('mdd');
  });

  it('warns about cells that left out utterances for bad audio, naming them', () => {
    const bad = [...cells.slice(0, 5), makeCell({ ...cells[5], skippedAudio: 2, skippedAudioIds: ['03a01Wa', '03b02Tc'] })];
    const report = buildReport({ cells: bad }, { bootstrap: { resamples: 100 } });
    expect(report.warnings.join('\n')).toMatch(/1 of 6 cells left out utterances for bad audio .*: 03a01Wa, 03b02Tc/);
    expect(buildReport({ cells: cells.slice(0, 6) }).warnings).toEqual([]);
  });
});
