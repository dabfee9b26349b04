export { SlurmLauncher, sbatchArrayScript, sbatchCollectScript } from './slurm-launcher.js';
export type { SlurmOptions, SlurmSubmission } from './slurm-launcher.js';
