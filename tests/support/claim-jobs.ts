/** Child process for the job-race test: claims EXPORT jobs until none are left, prints their ids. */
import { createPrismaClient } from '@/lib/server/db/client';
import { claimJob } from '@/lib/server/jobs/queue';

async function main() {
  const prisma = await createPrismaClient(process.env.DATABASE_URL!);
  const ids: string[] = [];
  for (;;) {
    const job = await claimJob(prisma, `proc-${process.pid}`, ['EXPORT']);
    if (!job) break;
    ids.push(job.id);
  }
  await prisma.$disconnect();
  process.stdout.write(JSON.stringify(ids));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
