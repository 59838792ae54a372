import { can } from '@/lib/server/auth/access';
import { requirePageUser } from '@/lib/server/auth/page';
import { ProgressPageClient } from './page-client';

export default async function ProgressPage() {
  const user = await requirePageUser('faces:label', '/progress');
  return <ProgressPageClient seesEveryone={can(user.role, 'faces:review')} />;
}
