import { describe, expect, it } from 'vitest';
import { sbatchArrayScript, sbatchCollectScript } from './slurm-launcher.js';

const cells = [3, 7, 8].map((index) => ({ index, experiment: 'demo' })) as any[];

describe('sbatchArrayScript', () => {
  const script = sbatchArrayScript(
    { experimentFile: 'experiments/demo.yaml', overrides: ['loss.lambda=0.01', "name=it's"], cells },
    {
      workerCommand: ['/usr/bin/node', '/repo/packages/cli/bin/ser.mjs'],
      jobName: 'ser-demo',
      logDir: '/r/slurm/logs',
      partition: 'gpu',
      time: '02:00:00',
      mem: '16G',
      cpus: 4,
      gpus: 1,
      maxParallel: 2,
      cwd: '/repo',
      env: { SER_BACKEND: 'tfjs-node-gpu' },
    },
  );

  it('asks for one array task per pending cell, at most K at once, with per-task logs', () => {
    expect(script).toContain('#SBATCH --array=0-2%2');
    expect(script).toContain('#SBATCH --output=/r/slurm/logs/%A_%a.out');
    expect(script).toContain('#SBATCH --partition=gpu');
    expect(script).toContain('#SBATCH --time=02:00:00');
    expect(script).toContain('#SBATCH --mem=16G');
    expect(script).toContain('#SBATCH --cpus-per-task=4');
    expect(script).toContain('#SBATCH --gpus-per-task=1');
  });

  it('maps array task ids to the cell indices and passes overrides, quoted for the shell', () => {
    expect(script).toContain('CELLS=(3 7 8)');
    expect(script).toContain('CELL=${CELLS[$SLURM_ARRAY_TASK_ID]}');
    expect(script).toContain(
      `exec /usr/bin/node /repo/packages/cli/bin/ser.mjs cell experiments/demo.yaml --index "$CELL" --set loss.lambda=0.01 --set 'name=it'\\''s'`,
    );
    expect(script).toContain('export SER_BACKEND=tfjs-node-gpu');
    expect(script).toContain('cd /repo');
  });

  it('refuses an empty array', () => {
    expect(() => sbatchArrayScript({ experimentFile: 'x.yaml', overrides: [], cells: [] }, { workerCommand: ['ser'], jobName: 'j', logDir: '/l' })).toThrow(
      /no cells to submit/,
    );
  });
});

describe('sbatchCollectScript', () => {
  it('runs the collect command', () => {
    const s = sbatchCollectScript({
      workerCommand: [],
      collectCommand: ['ser', 'report', '/r', '--out', '/r/report.html'],
      jobName: 'ser-demo',
      logDir: '/r/logs',
      cwd: '/repo',
    });
    expect(s).toContain('#SBATCH --job-name=ser-demo-collect');
    expect(s).toContain('exec ser report /r --out /r/report.html');
  });
});
