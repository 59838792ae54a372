export type EntryResult = { name: string; status: 'stored' | 'duplicate' | 'rejected' | 'skipped'; code?: string; message?: string; imageId?: string };
export type UploadReport = {
  kind: 'image' | 'zip' | 'archive';
  results: EntryResult[];
  counts: Record<EntryResult['status'], number>;
  error?: { code: string; message: string };
};

export class UploadError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly report?: UploadReport,
  ) {
    super(message);
  }
}

/** Sends one file as the raw request body, reporting byte progress. */
export function uploadOnce(
  file: File,
  path: string,
  onProgress: (sent: number) => void,
  datasetId?: string,
): Promise<UploadReport> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/uploads');
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('x-file-name', encodeURIComponent(path));
    if (datasetId) xhr.setRequestHeader('x-dataset-id', datasetId);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onerror = () => reject(new UploadError('Network error while uploading', true));
    xhr.ontimeout = () => reject(new UploadError('The upload timed out', true));
    xhr.onload = () => {
      let body: (UploadReport & { error?: { message: string } }) | null = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON: handled below */
      }
      if (xhr.status === 200 || (xhr.status === 422 && body?.results)) resolve(body as UploadReport);
      else if (xhr.status >= 500 || xhr.status === 0) reject(new UploadError(body?.error?.message ?? `Server error ${xhr.status}`, true));
      else reject(new UploadError(body?.error?.message ?? `Upload refused (${xhr.status})`, false));
    };
    xhr.send(file);
  });
}

/** Uploads with retries: the server deduplicates by content, so a retried file is never stored twice. */
export async function uploadWithRetry(
  file: File,
  path: string,
  onProgress: (sent: number) => void,
  datasetId?: string,
  attempts = 4,
): Promise<UploadReport> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await uploadOnce(file, path, onProgress, datasetId);
    } catch (error) {
      if (!(error instanceof UploadError) || !error.retryable || attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    }
  }
}
