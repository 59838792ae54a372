import { requirePageUser } from '@/lib/server/auth/page';
import { can } from '@/lib/server/auth/access';
import { ImagesPageClient } from './page-client';

export default async function ImagesPage() {
  const user = await requirePageUser('images:read', '/images');
  return <ImagesPageClient canUpload={can(user.role, 'images:upload')} canDelete={can(user.role, 'images:delete')} />;
}
