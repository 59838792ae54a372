'use client';

import { useMutation } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { apiFetch } from '@/lib/client/api';

export function AccountPageClient({ email, role }: { email: string; role: string }) {
  const change = useMutation({
    mutationFn: (body: { currentPassword: string; newPassword: string }) =>
      apiFetch('/api/account/password', { method: 'POST', body: JSON.stringify(body) }),
  });
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    change.mutate({ currentPassword: String(form.get('current')), newPassword: String(form.get('next')) });
  }
  return (
    <>
      <h1>Account</h1>
      <p>
        {email} · {role.toLowerCase()}
      </p>
      <form className="card form" onSubmit={onSubmit} aria-label="Change password">
        <label>
          Current password
          <input name="current" type="password" autoComplete="current-password" required />
        </label>
        <label>
          New password (8+ characters)
          <input name="next" type="password" autoComplete="new-password" minLength={8} required />
        </label>
        <button type="submit" disabled={change.isPending}>
          Change password
        </button>
        {change.isSuccess && <p className="notice">Password changed.</p>}
        {change.error && <p className="error">{change.error.message}</p>}
      </form>
    </>
  );
}
