import { requirePageUser } from '@/lib/server/auth/page';
import { AccountPageClient } from './page-client';

export default async function AccountPage() {
  const user = await requirePageUser('account:self', '/account');
  return <AccountPageClient email={user.email} role={user.role} />;
}
