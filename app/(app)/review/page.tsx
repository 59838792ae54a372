import { requirePageUser } from '@/lib/server/auth/page';
import { getDb } from '@/lib/server/db';
import { ReviewPageClient } from './page-client';

export default async function ReviewPage() {
  await requirePageUser('faces:review', '/review');
  const prisma = await getDb();
  const [datasets, annotators] = await Promise.all([
    prisma.dataset.findMany({ select: { id: true, name: true }, orderBy: { name: 'asc' } }),
    // Everyone who has labeled (or skipped) a face that is still theirs: the annotator filter's options.
    prisma.user.findMany({
      where: { labeledFaces: { some: {} } },
      select: { id: true, email: true, name: true },
      orderBy: { email: 'asc' },
    }),
  ]);
  return (
    <ReviewPageClient
      datasets={datasets.map((d) => ({ id: d.id, label: d.name }))}
      annotators={annotators.map((a) => ({ id: a.id, label: a.name ? `${a.name} (${a.email})` : a.email }))}
    />
  );
}
