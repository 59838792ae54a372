import { requirePageUser } from '@/lib/server/auth/page';
import { getDb } from '@/lib/server/db';
import { ExportsPageClient } from './page-client';

export default async function ExportsPage() {
  await requirePageUser('datasets:manage', '/exports');
  const prisma = await getDb();
  const [datasets, annotators] = await Promise.all([
    prisma.dataset.findMany({ select: { id: true, name: true }, orderBy: { name: 'asc' } }),
    prisma.user.findMany({ select: { id: true, email: true }, orderBy: { email: 'asc' } }),
  ]);
  return <ExportsPageClient datasets={datasets} annotators={annotators} />;
}
