import { requirePageUser } from '@/lib/server/auth/page';
import { DatasetsPageClient } from './page-client';

export default async function DatasetsPage() {
  await requirePageUser('datasets:read', '/datasets');
  return <DatasetsPageClient />;
}
