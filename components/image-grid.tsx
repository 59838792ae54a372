'use client';

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { apiFetch } from '@/lib/client/api';

type ImageRow = {
  id: string;
  sourceName: string;
  width: number;
  height: number;
  bytes: number;
  createdAt: string;
  faceCount: number;
  dataset: { id: string; name: string };
  uploadedBy: { email: string } | null;
};
type ImagePage = { images: ImageRow[]; total: number; faces: number; page: number; pageSize: number };

const PAGE_SIZE = 48;

export function ImageGrid({ canDelete }: { canDelete: boolean }) {
  const [page, setPage] = useState(1);
  const queryClient = useQueryClient();
  const { data, error, isPending } = useQuery({
    queryKey: ['images', page],
    queryFn: () => apiFetch<ImagePage>(`/api/images?page=${page}&pageSize=${PAGE_SIZE}`),
    placeholderData: keepPreviousData,
  });
  const remove = useMutation({
    mutationFn: (id: string) => apiFetch(`/api/images/${id}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['images'] }),
  });

  if (isPending) return <p className="muted">Loading images…</p>;
  if (error) return <p className="error" role="alert">Could not load images: {error.message}</p>;
  const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));

  return (
    <section aria-label="Images">
      <p className="counts" data-testid="image-counts">
        <strong>{data.total}</strong> images · <strong>{data.faces}</strong> faces
      </p>
      {data.total === 0 ? (
        <p className="muted">No images yet. Upload some above.</p>
      ) : (
        <ul className="grid" data-testid="image-grid">
          {data.images.map((img) => (
            <li key={img.id} className="tile">
              <Link href={`/images/${img.id}`} aria-label={`Open ${img.sourceName} with its faces`}>
                {/* eslint-disable-next-line @next/next/no-img-element */}
                <img src={`/api/images/${img.id}/thumb`} alt="" loading="lazy" width={160} height={160} />
              </Link>
              <span className="name" title={img.sourceName}>
                {img.sourceName}
              </span>
              <span className="muted small">
                {img.width}×{img.height} · {img.faceCount} faces
              </span>
              {canDelete && (
                <button
                  type="button"
                  className="link danger small"
                  onClick={() => {
                    if (confirm(`Delete ${img.sourceName} and its labels for good?`)) remove.mutate(img.id);
                  }}
                >
                  Delete
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {remove.error && <p className="error">Delete failed: {remove.error.message}</p>}
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
          ← Previous
        </button>
        <span data-testid="page-indicator">
          Page {page} of {pages}
        </span>
        <button type="button" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>
          Next →
        </button>
      </nav>
    </section>
  );
}
