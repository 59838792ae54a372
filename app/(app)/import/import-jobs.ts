import type { ImportJobView } from '@/lib/api/imports/import-job';
import { apiFetch } from '@/lib/client/api';

export type ImportSettings = { dataset: string; dryRun: boolean };

/** Uploads one file (a .zip or an image) and queues its import; resolves with the queued job. */
export function uploadImport(
  body: Blob,
  name: string,
  settings: ImportSettings,
  onUpload: (sent: number, total: number) => void,
  signal?: AbortSignal,
): Promise<ImportJobView> {
  return new Promise((resolve, reject) => {
    const query = new URLSearchParams();
    if (settings.dataset.trim()) query.set('dataset', settings.dataset.trim());
    if (settings.dryRun) query.set('dryRun', '1');
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/imports?${query}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('x-file-name', encodeURIComponent(name));
    xhr.upload.onprogress = (e) => onUpload(e.loaded, e.total || body.size);
    xhr.onerror = () => reject(new Error(`Network error while uploading ${name}`));
    xhr.onabort = () => reject(new Error('Stopped'));
    xhr.onload = () => {
      let answer: { import?: ImportJobView; error?: { message?: string } } = {};
      try {
        answer = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status === 202 && answer.import) resolve(answer.import);
      else reject(new Error(answer.error?.message ?? `Upload refused (${xhr.status})`));
    };
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

export async function fetchImports(): Promise<ImportJobView[]> {
  return (await apiFetch<{ imports: ImportJobView[] }>('/api/imports')).imports;
}

export async function cancelImport(id: string): Promise<void> {
  await apiFetch(`/api/imports/${id}`, { method: 'DELETE' });
}
