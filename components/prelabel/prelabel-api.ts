import type { DetectorRecord } from './detector-record';
import type { PendingPage, PrelabelFace, SaveResult } from './types';

/** POST /api/images/:id/predictions: the faces, and (optional) the detector's record for calibration. */
export type PredictionsSave = { model: string; faces: PrelabelFace[] } & Partial<Omit<DetectorRecord, 'faces'>>;

/** An HTTP failure with whether trying again later could help (network, 5xx, 408, 429). */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export type PendingQuery = { model: string; ids?: string[]; datasetId?: string; cursor?: string | null; limit: number };

/** The three server calls a pre-label run makes; injected so the runner can be tested without a server. */
export type PrelabelApi = {
  pending(query: PendingQuery): Promise<PendingPage>;
  imageFile(id: string): Promise<Blob>;
  savePredictions(id: string, body: PredictionsSave): Promise<SaveResult>;
};

const retryableStatus = (status: number) => status >= 500 || status === 408 || status === 429;

async function request(url: string, init?: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch {
    throw new RequestError('Network error (offline or the server is unreachable)', 0, true);
  }
  if (res.ok) return res;
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  throw new RequestError(body?.error?.message ?? `${res.status} ${res.statusText}`, res.status, retryableStatus(res.status));
}

export const httpPrelabelApi: PrelabelApi = {
  async pending({ model, ids, datasetId, cursor, limit }) {
    const params = new URLSearchParams({ model, limit: String(limit) });
    if (ids) params.set('ids', ids.join(','));
    if (datasetId) params.set('datasetId', datasetId);
    if (cursor) params.set('cursor', cursor);
    return (await request(`/api/prelabel/pending?${params}`)).json();
  },
  async imageFile(id) {
    return (await request(`/api/images/${encodeURIComponent(id)}/file`)).blob();
  },
  async savePredictions(id, body) {
    const res = await request(`/api/images/${encodeURIComponent(id)}/predictions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return res.json();
  },
};
