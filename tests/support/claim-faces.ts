/**
 * Child process for the annotation race test: as the user in argv[2], claims the next face and
 * skips it, until the queue is empty; prints the ids it was served (JSON). argv[3]: a start time
 * (ms since the epoch) to wait for, so that processes started one after another really race.
 */
import { nextFace } from '@/lib/api/annotate/next-face';
import { saveLabel } from '@/lib/api/annotate/save-label';
import { createPrismaClient } from '@/lib/server/db/client';

async function main() {
  const userId = process.argv[2];
  const prisma = await createPrismaClient(process.env.DATABASE_URL!);
  await prisma.face.count(); // connect (and warm up) before the start line
  const startAt = Number(process.argv[3] ?? 0);
  if (startAt > Date.now()) await new Promise((r) => setTimeout(r, startAt - Date.now()));
  const ids: string[] = [];
  for (;;) {
    const next = await nextFace(prisma, userId);
    if (!next.face) break;
    ids.push(next.face.id);
    await saveLabel(prisma, next.face.id, userId, { version: next.face.version, action: 'skip' });
  }
  await prisma.$disconnect();
  process.stdout.write(JSON.stringify(ids));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
