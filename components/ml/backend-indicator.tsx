'use client';

import Link from 'next/link';

/**
 * Which tfjs backend the pre-labeler runs on, and why (hover). Links to the Browser ML settings.
 * Pass the Prelabeler's `info` (null while it starts) and its latest status line.
 */
export function BackendIndicator({ info, status, error }: { info: { backend: string; backendReason: string; model?: string } | null; status?: string; error?: string | null }) {
  const text = error ? 'ML unavailable' : info ? `ML: ${info.backend}` : (status ?? 'ML: starting…');
  const title = error ?? (info ? `${info.backendReason}${info.model ? ` · model ${info.model}` : ''}` : status);
  return (
    <Link href="/settings/ml" className={`backend-indicator${error ? ' error' : ''}`} title={title} data-testid="backend-indicator" data-backend={info?.backend ?? ''}>
      {text}
    </Link>
  );
}
