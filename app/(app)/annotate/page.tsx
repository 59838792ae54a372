import { Workspace } from '@/components/annotate/workspace';
import { requirePageUser } from '@/lib/server/auth/page';

export default async function AnnotatePage({ searchParams }: { searchParams: Promise<{ face?: string }> }) {
  await requirePageUser('faces:label', '/annotate');
  const { face } = await searchParams;
  return <Workspace initialFaceId={face && /^[a-z0-9]{10,40}$/.test(face) ? face : null} />;
}
