import { redirect } from 'next/navigation';
import { currentUser } from '@/lib/server/auth/page';

export const dynamic = 'force-dynamic';

export default async function Home() {
  redirect((await currentUser()) ? '/images' : '/signin');
}
