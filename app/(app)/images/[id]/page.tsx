import { can } from '@/lib/server/auth/access';
import { requirePageUser } from '@/lib/server/auth/page';
import { ImageDetailClient } from './page-client';

export default async function ImageDetailPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requirePageUser('images:read', `/images/${encodeURIComponent(id)}`);
  return <ImageDetailClient id={id} canLabel={can(user.role, 'faces:label')} />;
}
