import { requirePageUser } from '@/lib/server/auth/page';
import { BrowserMlPageClient } from './page-client';

export default async function BrowserMlPage() {
  await requirePageUser('images:upload', '/settings/ml');
  return <BrowserMlPageClient />;
}
