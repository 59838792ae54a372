'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { apiFetch } from '@/lib/client/api';
import { ROLES, type Role } from '@/lib/domain/labels';

type User = { id: string; email: string; name: string | null; role: Role; active: boolean; lastLoginAt: string | null };
type Saved = { user: User; oneTimePassword?: string };

export function UsersPageClient({ currentUserId }: { currentUserId: string }) {
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const users = useQuery({ queryKey: ['users'], queryFn: () => apiFetch<{ users: User[] }>('/api/users') });
  const onSaved = (saved: Saved, verb: string) => {
    queryClient.invalidateQueries({ queryKey: ['users'] });
    setNotice(
      saved.oneTimePassword
        ? `${verb} ${saved.user.email}. One-time password (shown once): ${saved.oneTimePassword}`
        : `${verb} ${saved.user.email}.`,
    );
  };
  const create = useMutation({
    mutationFn: (body: object) => apiFetch<Saved>('/api/users', { method: 'POST', body: JSON.stringify(body) }),
    onSuccess: (saved) => onSaved(saved, 'Created'),
  });
  const update = useMutation({
    mutationFn: ({ id, ...body }: { id: string } & Record<string, unknown>) =>
      apiFetch<Saved>(`/api/users/${id}`, { method: 'PATCH', body: JSON.stringify(body) }),
    onSuccess: (saved) => onSaved(saved, 'Updated'),
  });

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get('password') ?? '');
    create.mutate({
      email: form.get('email'),
      name: form.get('name') || undefined,
      role: form.get('role'),
      ...(password ? { password } : {}),
    });
    event.currentTarget.reset();
  }

  const error = create.error ?? update.error;
  return (
    <>
      <h1>Users</h1>
      <form className="card form inline" onSubmit={onCreate} aria-label="Create user">
        <input name="email" type="email" placeholder="email" required aria-label="Email" />
        <input name="name" placeholder="name (optional)" aria-label="Name" />
        <select name="role" defaultValue="ANNOTATOR" aria-label="Role">
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
        <input name="password" type="password" placeholder="password (blank = generate)" aria-label="Password" />
        <button type="submit" disabled={create.isPending}>
          Create user
        </button>
      </form>
      {notice && <p className="notice" role="status">{notice}</p>}
      {error && <p className="error" role="alert">{error.message}</p>}
      {users.data && (
        <table className="table">
          <thead>
            <tr>
              <th>Email</th>
              <th>Name</th>
              <th>Role</th>
              <th>Active</th>
              <th>Last sign-in</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.data.users.map((u) => (
              <tr key={u.id}>
                <td>{u.email}</td>
                <td>{u.name}</td>
                <td>
                  <select
                    value={u.role}
                    aria-label={`Role of ${u.email}`}
                    onChange={(e) => update.mutate({ id: u.id, role: e.target.value })}
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <input
                    type="checkbox"
                    checked={u.active}
                    disabled={u.id === currentUserId}
                    aria-label={`${u.email} active`}
                    onChange={(e) => update.mutate({ id: u.id, active: e.target.checked })}
                  />
                </td>
                <td>{u.lastLoginAt ? new Date(u.lastLoginAt).toLocaleString() : 'never'}</td>
                <td>
                  <button type="button" className="link" onClick={() => update.mutate({ id: u.id, resetPassword: true })}>
                    Reset password
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
