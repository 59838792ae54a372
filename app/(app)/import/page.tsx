import { requirePageUser } from '@/lib/server/auth/page';
import { ImportPageClient } from './page-client';

export default async function ImportPage() {
  await requirePageUser('datasets:manage', '/import');
  return <ImportPageClient />;
}
