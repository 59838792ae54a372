import type { Handlers } from './runner';
import { runExportJob } from './jobs/export-utkface';
import { runImportJob } from './jobs/import-utkface';
import { runFeaturesJob } from './jobs/prefetch-features';
import { runRescoreJob } from './jobs/rescore';
import { runTrainRound } from './jobs/train-round';

/** The job kinds this worker runs. */
export const handlers: Handlers = {
  EXPORT: runExportJob,
  IMPORT: runImportJob,
  TRAIN: (ctx) => runTrainRound(ctx),
  RESCORE: runRescoreJob,
  FEATURES: runFeaturesJob, // idle time only: claimed after every other kind
};
