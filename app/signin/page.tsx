import { redirect } from 'next/navigation';
import { currentUser } from '@/lib/server/auth/page';
import { SignInForm } from './signin-form';

export const dynamic = 'force-dynamic';

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  const { callbackUrl } = await searchParams;
  // Only same-site paths: never bounce a user to another origin after sign-in.
  const target = callbackUrl?.startsWith('/') && !callbackUrl.startsWith('//') ? callbackUrl : '/images';
  if (await currentUser()) redirect(target);
  return (
    <main className="centered">
      <h1 className="brand">Facet</h1>
      <p className="muted">Face age &amp; gender labeling</p>
      <SignInForm callbackUrl={target} />
    </main>
  );
}
