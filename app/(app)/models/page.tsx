import { requirePageUser } from '@/lib/server/auth/page';
import { ModelsPageClient } from './page-client';

export default async function ModelsPage() {
  await requirePageUser('models:manage', '/models');
  return <ModelsPageClient />;
}
