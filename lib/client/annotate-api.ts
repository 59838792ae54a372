import type { Box } from '@/lib/domain/box';
import type { Gender, Race } from '@/lib/domain/labels';

export type Labels = { gender: Gender | null; age: number | null; ageBin: number | null; race: Race | null };
export type Prediction = {
  model: string | null;
  detScore: number | null;
  gender: Gender | null;
  genderConf: number | null;
  age: number | null;
  ageBin: number | null;
  ageBinConf: number | null;
  race: Race | null;
  raceConf: number | null;
};
export type Change = { id: number; action: string; at: string; by: { email: string } | null; faceVersion: number; before: unknown; after: unknown; note: string | null };
export type EditorFace = {
  id: string;
  imageId: string;
  version: number;
  status: string;
  box: Box;
  boxSource: string;
  labels: Labels;
  prediction: Prediction | null;
  uncertainty: number;
  why: string;
  lease: { mine: boolean; expiresAt: string } | null;
  lastChange?: Change | null;
};
export type OtherFace = { id: string; version: number; status: string; box: Box; labels: Labels; leasedByOther: boolean };
export type EditorView = {
  face: EditorFace;
  image: { id: string; width: number; height: number; sourceName: string; url: string };
  others: OtherFace[];
  remaining?: number;
  why?: string;
};

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details?: { current?: EditorFace & { lastChange?: Change | null }; code?: string },
  ) {
    super(message);
  }
}

const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.min(4000, 400 * 2 ** attempt)));

/**
 * JSON request that retries network failures and 5xx (the server deduplicates by requestId):
 * `attempts` tries in all, 0.8 s, 1.6 s, 3.2 s, then every 4 s apart.
 */
export async function request<T>(url: string, init: RequestInit = {}, onRetry?: (attempt: number) => void, attempts = 4, offline: 'retry' | 'throw' = 'retry'): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(url, { ...init, headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers } });
    } catch {
      if (offline === 'throw' && typeof navigator !== 'undefined' && navigator.onLine === false) throw new ApiError('The browser is offline.', 0, OFFLINE);
      if (attempt >= attempts) throw new ApiError('The server cannot be reached. Your change is kept here; try again.', 0, 'NETWORK');
      onRetry?.(attempt);
      await backoff(attempt);
      continue;
    }
    const body = await res.json().catch(() => null);
    if (res.ok) return body as T;
    if (res.status >= 500 && attempt < attempts) {
      onRetry?.(attempt);
      await backoff(attempt);
      continue;
    }
    throw new ApiError(body?.error?.message ?? `${res.status}`, res.status, body?.error?.code ?? 'ERROR', body?.error?.details);
  }
}

export const SAVE_ATTEMPTS = 10;
/** Error code of a request that failed because the browser is offline (the caller waits for the connection). */
export const OFFLINE = 'OFFLINE';

export type NextResult = (EditorView & { remaining: number; why: string }) | { face: null; remaining: number };

export const annotateApi = {
  /** `exclude`: faces whose save is still in flight (the server must not serve or resume them). */
  next: (exclude: string[] = []) =>
    request<NextResult>('/api/annotate/next', { method: 'POST', ...(exclude.length ? { body: JSON.stringify({ exclude }) } : {}) }),
  get: (id: string) => request<EditorView>(`/api/faces/${id}`),
  save: (id: string, body: object, onRetry?: (n: number) => void) =>
    // Saves outlast a longer outage (~30 s) than reads: the annotator has moved on meanwhile.
    // Offline, it fails at once with OFFLINE so that react-query holds it (use-saves.ts) until the connection is back.
    request<{ face: EditorFace; replayed: boolean }>(`/api/faces/${id}`, { method: 'PATCH', body: JSON.stringify(body) }, onRetry, SAVE_ATTEMPTS, 'throw'),
  remove: (id: string, version: number, requestId: string) =>
    request<{ deleted: string }>(`/api/faces/${id}?version=${version}&requestId=${requestId}`, { method: 'DELETE' }),
  create: (imageId: string, box: Box, requestId: string) =>
    request<{ face: EditorFace }>(`/api/images/${imageId}/faces`, { method: 'POST', body: JSON.stringify({ box, requestId }) }),
  renew: (id: string) => request<{ leaseExpiresAt: string }>(`/api/faces/${id}/lease`, { method: 'POST' }),
  release: (id: string) => request<{ released: boolean }>(`/api/faces/${id}/lease`, { method: 'DELETE' }),
};

export const newRequestId = () => crypto.randomUUID().replace(/-/g, '');
