import type { Role } from '@/lib/domain/labels';

/** What each role may do. ADMIN may do everything; the others get what their work needs. */
export const PERMISSIONS = {
  'images:read': ['ANNOTATOR', 'CURATOR', 'MAINTAINER', 'ADMIN'],
  'images:upload': ['ANNOTATOR', 'CURATOR', 'MAINTAINER', 'ADMIN'],
  'images:delete': ['CURATOR', 'ADMIN'],
  'datasets:read': ['ANNOTATOR', 'CURATOR', 'MAINTAINER', 'ADMIN'],
  'datasets:manage': ['CURATOR', 'ADMIN'],
  'models:manage': ['MAINTAINER', 'ADMIN'],
  'users:manage': ['ADMIN'],
  'account:self': ['ANNOTATOR', 'CURATOR', 'MAINTAINER', 'ADMIN'],
  'faces:label': ['ANNOTATOR', 'CURATOR', 'MAINTAINER', 'ADMIN'],
  'faces:review': ['CURATOR', 'ADMIN'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
