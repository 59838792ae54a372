import Link from 'next/link';
import { type Permission, can } from '@/lib/server/auth/access';
import type { SessionUser } from '@/lib/server/auth/session';
import { SignOutButton } from './sign-out-button';

/** Only sections that exist are listed; each appears for the roles that may use it. */
const SECTIONS: { href: string; label: string; permission: Permission }[] = [
  { href: '/annotate', label: 'Annotate', permission: 'faces:label' },
  { href: '/review', label: 'Review', permission: 'faces:review' },
  { href: '/progress', label: 'Progress', permission: 'faces:label' },
  { href: '/images', label: 'Images', permission: 'images:read' },
  { href: '/datasets', label: 'Datasets', permission: 'datasets:read' },
  { href: '/import', label: 'Import', permission: 'datasets:manage' },
  { href: '/exports', label: 'Exports', permission: 'datasets:manage' },
  { href: '/models', label: 'Models', permission: 'models:manage' },
  { href: '/admin/users', label: 'Admin', permission: 'users:manage' },
  { href: '/settings/ml', label: 'Browser ML', permission: 'images:upload' },
];

export function Nav({ user }: { user: SessionUser }) {
  return (
    <nav className="nav" aria-label="Main">
      <Link href="/images" className="brand">
        Facet
      </Link>
      {SECTIONS.filter((s) => can(user.role, s.permission)).map((s) => (
        <Link key={s.href} href={s.href}>
          {s.label}
        </Link>
      ))}
      <span className="spacer" />
      <Link href="/account" className="muted" data-testid="current-user">
        {user.email} · {user.role.toLowerCase()}
      </Link>
      <SignOutButton />
    </nav>
  );
}
