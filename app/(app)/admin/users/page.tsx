import { requirePageUser } from '@/lib/server/auth/page';
import { UsersPageClient } from './page-client';

export default async function UsersPage() {
  const user = await requirePageUser('users:manage', '/admin/users');
  return <UsersPageClient currentUserId={user.id} />;
}
