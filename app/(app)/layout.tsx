import type { ReactNode } from 'react';
import { Nav } from '@/components/nav';
import { requirePageUser } from '@/lib/server/auth/page';

export const dynamic = 'force-dynamic';

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await requirePageUser('account:self', '/images');
  return (
    <div className="shell">
      <Nav user={user} />
      <main className="content">{children}</main>
    </div>
  );
}
