/**
 * npm run round -- [--from-scratch] [--epochs N] [--run] [--no-wait]
 * Queues a fine-tune round (the same TRAIN job as the Models page's button) and follows it.
 * A worker (`npm start` or `npm run worker`) runs it; --run runs it in this process instead.
 * Refused when a round is already queued or running, or when nothing was labeled since the last one.
 */
import 'dotenv/config';
import { parseArgs } from 'node:util';
import { RoundParams } from '@/lib/api/models/schemas';
import { startRound } from '@/lib/api/models/start-round';
import { closeDb, getDb } from '@/lib/server/db';
import { HttpError } from '@/lib/server/http/errors';
import { runOneJob, workerId } from '@/workers/runner';
import { runTrainRound } from '@/workers/jobs/train-round';

async function main() {
  const { values } = parseArgs({
    options: {
      'from-scratch': { type: 'boolean', default: false },
      epochs: { type: 'string' },
      run: { type: 'boolean', default: false },
      'no-wait': { type: 'boolean', default: false },
      name: { type: 'string', default: 'agegender' },
    },
  });
  const params = RoundParams.parse({ name: values.name, fromScratch: values['from-scratch'], ...(values.epochs ? { epochs: Number(values.epochs) } : {}) });
  const prisma = await getDb();
  const { job, newLabels } = await startRound(prisma, params, null);
  console.log(`queued round ${job.id} (${newLabels} new labels)`);
  if (values['no-wait']) return;
  if (values.run) {
    const owner = workerId();
    while (await runOneJob(prisma, owner, { TRAIN: (ctx) => runTrainRound(ctx) })) {
      const j = await prisma.job.findUniqueOrThrow({ where: { id: job.id } });
      if (!['QUEUED', 'RUNNING'].includes(j.status)) break;
    }
  }
  let lastMessage = '';
  const t0 = Date.now();
  for (;;) {
    const j = await prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    const message = j.progressMessage ?? j.status;
    if (message !== lastMessage) console.log(`${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s  ${j.status.toLowerCase()}  ${message}`);
    lastMessage = message;
    if (!['QUEUED', 'RUNNING'].includes(j.status)) {
      console.log(j.status === 'SUCCEEDED' ? JSON.stringify(j.result, null, 2) : `round ${j.status.toLowerCase()}: ${j.error ?? ''}`);
      if (j.status !== 'SUCCEEDED') process.exitCode = 1;
      return;
    }
    if (j.status === 'QUEUED' && Date.now() - t0 > 15_000 && Date.now() - t0 < 16_000) console.log('still queued: is a worker running? (npm run worker, or use --run)');
    await new Promise((r) => setTimeout(r, 1000));
  }
}

main()
  .catch((error) => {
    console.error(error instanceof HttpError || error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(() => closeDb());
