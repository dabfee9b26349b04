// Child process for the kill test (excluded from the build): trains a small cell with a checkpoint
// directory and SIGKILLs itself in the middle of an epoch -- no cleanup, no finally blocks run.
import { silentLogger } from '@ser/core';
import { tf } from '@ser/engine';
import { smallCell } from './test-fixtures.js';
import { trainCell } from './train-cell.js';

const [dir, killEpoch, killStep] = process.argv.slice(2);
await tf.setBackend('cpu');
const cell = smallCell();
await trainCell({
  ...cell,
  seed: 5,
  logger: silentLogger,
  checkpointDir: dir,
  progress: (p) => {
    if (p.phase === 'train' && p.epoch === Number(killEpoch) && p.step === Number(killStep)) process.kill(process.pid, 'SIGKILL');
  },
});
process.stdout.write('finished without being killed\n');
