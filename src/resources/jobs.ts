import type { Db } from '../platform/db/db.js';
import { QUEUES, type Jobs } from '../platform/jobs/jobs.js';
import { extractResourceText } from './commands.js';
import { rollupReach } from '../reach/ledger.js';
import { uploadStore } from './storage.js';

/** Registers the library's background jobs: text extraction from uploads and the hourly reach rollup. */
export function registerResourceJobs(deps: { db: Db; jobs: Jobs; config: { dataDir: string } }): void {
  const files = uploadStore(deps.config.dataDir);
  deps.jobs.handle(QUEUES.resourceExtract, async (d) => {
    const id = Number(d.fileId);
    if (!Number.isSafeInteger(id) || id < 1) throw new Error('job data has no valid fileId');
    await extractResourceText(deps.db, files, id);
  });
  deps.jobs.handle(QUEUES.reachRollup, async () => {
    await rollupReach(deps.db);
  });
}
