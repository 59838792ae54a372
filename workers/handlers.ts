import type { Handlers } from './runner';
import { runExportJob } from './jobs/export-utkface';

/** The job kinds this worker runs. */
export const handlers: Handlers = {
  EXPORT: runExportJob,
};
