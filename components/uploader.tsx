'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';
import type { PickedFile } from '@/lib/client/collect-files';
import { DropZone } from './drop-zone';
import { type UploadReport, uploadWithRetry } from '@/lib/client/upload-file';
import { ProgressBar } from './progress-bar';

type Item = {
  id: number;
  file: File;
  path: string;
  sent: number;
  state: 'queued' | 'uploading' | 'processing' | 'done' | 'failed';
  report?: UploadReport;
  error?: string;
};

const CONCURRENCY = 3;
let nextId = 1;

function summary(item: Item): string {
  if (item.state === 'failed') return item.error ?? 'failed';
  if (!item.report) return item.state === 'processing' ? 'checking…' : item.state;
  const { counts, error } = item.report;
  const parts = [
    counts.stored && `${counts.stored} stored`,
    counts.duplicate && `${counts.duplicate} duplicate`,
    counts.rejected && `${counts.rejected} rejected`,
    counts.skipped && `${counts.skipped} skipped`,
  ].filter(Boolean);
  return [error?.message, parts.join(', ')].filter(Boolean).join(' — ') || 'nothing in it';
}

/** `onUploaded` gets the ids of the images each finished file stored (or already had: duplicates). */
export function Uploader({ onUploaded }: { onUploaded?: (imageIds: string[]) => void } = {}) {
  const queryClient = useQueryClient();
  const [items, setItems] = useState<Item[]>([]);
  const queue = useRef<Item[]>([]);
  const running = useRef(0);

  const update = useCallback((id: number, patch: Partial<Item>) => {
    setItems((all) => all.map((it) => (it.id === id ? { ...it, ...patch } : it)));
  }, []);

  const pump = useCallback(() => {
    while (running.current < CONCURRENCY && queue.current.length > 0) {
      const item = queue.current.shift()!;
      running.current++;
      update(item.id, { state: 'uploading' });
      uploadWithRetry(item.file, item.path, (sent) =>
        update(item.id, { sent, state: sent >= item.file.size ? 'processing' : 'uploading' }),
      )
        .then((report) => {
          update(item.id, { state: 'done', sent: item.file.size, report });
          const ids = report.results.flatMap((r) => (r.imageId && (r.status === 'stored' || r.status === 'duplicate') ? [r.imageId] : []));
          if (ids.length > 0) onUploaded?.(ids);
        })
        .catch((error: Error) => update(item.id, { state: 'failed', error: error.message }))
        .finally(() => {
          running.current--;
          queryClient.invalidateQueries({ queryKey: ['images'] });
          pump();
        });
    }
  }, [onUploaded, queryClient, update]);

  const add = useCallback(
    (picked: PickedFile[]) => {
      const fresh = picked.map(({ file, path }) => ({ id: nextId++, file, path, sent: 0, state: 'queued' as const }));
      setItems((all) => [...fresh, ...all]);
      queue.current.push(...fresh);
      pump();
    },
    [pump],
  );

  const totalBytes = items.reduce((s, it) => s + it.file.size, 0);
  const sentBytes = items.reduce((s, it) => s + Math.min(it.sent, it.file.size), 0);
  const finished = items.filter((it) => it.state === 'done' || it.state === 'failed').length;

  return (
    <section className="card uploader" aria-label="Upload">
      <DropZone
        prompt="Drop photos, folders or .zip archives here"
        fileLabel="Choose files"
        accept="image/jpeg,image/png,image/webp,.zip,application/zip"
        testId=""
        onFiles={add}
      />
      {items.length > 0 && (
        <>
          <ProgressBar
            value={totalBytes ? sentBytes / totalBytes : 0}
            label={`${finished} of ${items.length} files done · ${(sentBytes / 2 ** 20).toFixed(1)} of ${(totalBytes / 2 ** 20).toFixed(1)} MiB sent`}
          />
          <ul className="upload-results" data-testid="upload-results">
            {items.map((item) => (
              <li key={item.id} data-state={item.state}>
                <span className="name">{item.path}</span>
                <span className={`status ${item.state}`}>{summary(item)}</span>
                {item.report && item.report.results.some((r) => r.status === 'rejected') && (
                  <details>
                    <summary>Why some were not stored</summary>
                    <ul>
                      {item.report.results
                        .filter((r) => r.status === 'rejected')
                        .slice(0, 200)
                        .map((r, i) => (
                          <li key={i} className="error">
                            {r.message}
                          </li>
                        ))}
                    </ul>
                  </details>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
