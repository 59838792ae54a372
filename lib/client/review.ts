import { FACE_STATUSES, GENDERS, type FaceStatus, type Gender, type Race } from '@/lib/domain/labels';
import { AGE_BIN_COUNT } from '@/lib/domain/age-bins';

/** One face of GET /api/review (see lib/api/review/list-review.ts). */
export type ReviewFace = {
  id: string;
  version: number;
  status: FaceStatus;
  image: { id: string; width: number; height: number; sourceName: string; dataset: { id: string; name: string }; url: string; thumbUrl: string };
  box: { x: number; y: number; w: number; h: number };
  boxSource: string;
  labels: { gender: Gender | null; age: number | null; ageBin: number | null; race: Race | null };
  prediction: { gender: Gender | null; genderConf: number | null; age: number | null; ageBin: number | null; race: Race | null };
  disagreement: { gender: boolean; ageBin: boolean } | null;
  uncertainty: number;
  servedReason: string | null;
  labeledBy: Person | null;
  labeledAt: string | null;
  reviewedBy: Person | null;
  reviewedAt: string | null;
};
export type Person = { id: string; email: string; name: string | null };
export type ReviewPage = { faces: ReviewFace[]; total: number; page: number; pageSize: number };
export type Refusal = { id: string; code: 'NOT_FOUND' | 'STALE_VERSION' | 'NOT_ALLOWED'; message: string; current?: { version: number; status: string } };
export type BulkResult = { updated: string[]; unchanged: string[]; refused: Refusal[] };

/** The review grid's filters, as kept in the page URL (dates are the local calendar days the curator picked). */
export type ReviewFilters = {
  status: FaceStatus[];
  datasetId: string;
  annotatorId: string;
  from: string;
  to: string;
  disagreement: boolean;
  gender: Gender | '';
  ageBin: number | null;
  page: number;
  pageSize: number;
};

export const PAGE_SIZES = [60, 120, 200] as const;
export const DEFAULT_FILTERS: ReviewFilters = {
  status: ['LABELED'],
  datasetId: '',
  annotatorId: '',
  from: '',
  to: '',
  disagreement: false,
  gender: '',
  ageBin: null,
  page: 1,
  pageSize: 60,
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Reads filters from a URL query, ignoring anything malformed (a hand-edited URL never breaks the page). */
export function parseFilters(params: URLSearchParams): ReviewFilters {
  const status = (params.get('status') ?? '')
    .split(',')
    .filter((s): s is FaceStatus => (FACE_STATUSES as readonly string[]).includes(s));
  const gender = params.get('gender') ?? '';
  const ageBin = Number(params.get('ageBin') ?? NaN);
  const page = Number(params.get('page') ?? 1);
  const pageSize = Number(params.get('pageSize') ?? DEFAULT_FILTERS.pageSize);
  const day = (name: string) => (DAY.test(params.get(name) ?? '') ? params.get(name)! : '');
  return {
    status: status.length ? status : DEFAULT_FILTERS.status,
    datasetId: params.get('datasetId') ?? '',
    annotatorId: params.get('annotatorId') ?? '',
    from: day('from'),
    to: day('to'),
    disagreement: params.get('disagreement') === 'true',
    gender: (GENDERS as readonly string[]).includes(gender) ? (gender as Gender) : '',
    ageBin: params.has('ageBin') && Number.isInteger(ageBin) && ageBin >= 0 && ageBin < AGE_BIN_COUNT ? ageBin : null,
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    pageSize: (PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : DEFAULT_FILTERS.pageSize,
  };
}

/** The page URL's query for these filters (defaults left out, so a plain /review stays plain). */
export function filtersToSearch(f: ReviewFilters): string {
  const p = new URLSearchParams();
  if (f.status.join(',') !== DEFAULT_FILTERS.status.join(',')) p.set('status', f.status.join(','));
  if (f.datasetId) p.set('datasetId', f.datasetId);
  if (f.annotatorId) p.set('annotatorId', f.annotatorId);
  if (f.from) p.set('from', f.from);
  if (f.to) p.set('to', f.to);
  if (f.disagreement) p.set('disagreement', 'true');
  if (f.gender) p.set('gender', f.gender);
  if (f.ageBin !== null) p.set('ageBin', String(f.ageBin));
  if (f.page > 1) p.set('page', String(f.page));
  if (f.pageSize !== DEFAULT_FILTERS.pageSize) p.set('pageSize', String(f.pageSize));
  return p.toString();
}

/** Start of a local calendar day as an ISO instant (the API compares labeledAt in UTC). */
function localDayStart(day: string, addDays = 0): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d + addDays).toISOString();
}

/** GET /api/review's query: "to" in the UI includes that day, the API's `to` is exclusive. */
export function filtersToApiQuery(f: ReviewFilters): string {
  const p = new URLSearchParams({ status: f.status.join(','), page: String(f.page), pageSize: String(f.pageSize) });
  if (f.datasetId) p.set('datasetId', f.datasetId);
  if (f.annotatorId) p.set('annotatorId', f.annotatorId);
  if (f.from) p.set('from', localDayStart(f.from));
  if (f.to) p.set('to', localDayStart(f.to, 1));
  if (f.disagreement) p.set('disagreement', 'true');
  if (f.gender) p.set('gender', f.gender);
  if (f.ageBin !== null) p.set('ageBin', String(f.ageBin));
  return p.toString();
}

/** Ids from `anchor` to `target` inclusive, in grid order (either direction). */
export function rangeIds(ids: readonly string[], anchor: string, target: string): string[] {
  const a = ids.indexOf(anchor);
  const b = ids.indexOf(target);
  if (a < 0 || b < 0) return b < 0 ? [] : [target];
  return ids.slice(Math.min(a, b), Math.max(a, b) + 1);
}

/**
 * How to show the face so its box fills a square tile: a square around the box (plus a margin);
 * the image is positioned and scaled in percent of the tile, so the tile can be any size. Uses the
 * thumbnail when it holds enough pixels for a tile of `size` px, else the full image.
 */
export function cropPlacement(face: Pick<ReviewFace, 'image' | 'box'>, size: number, margin = 0.2, thumbMax = 256) {
  const { width: W, height: H } = face.image;
  const { x, y, w, h } = face.box;
  const side = Math.max(w, h, 1) * (1 + 2 * margin);
  const left = x + w / 2 - side / 2;
  const top = y + h / 2 - side / 2;
  const thumbScale = Math.min(1, thumbMax / Math.max(W, H));
  const pct = (v: number) => `${(v / side) * 100}%`;
  return {
    src: side * thumbScale >= size ? face.image.thumbUrl : face.image.url,
    style: { width: pct(W), height: pct(H), left: pct(-left), top: pct(-top) },
  };
}

/** Removes acted-on faces from a cached page (optimistic update), or just restatuses them when the filter still shows them. */
export function withoutFaces(page: ReviewPage, ids: ReadonlySet<string>, to: FaceStatus, shown: readonly FaceStatus[]): ReviewPage {
  if (shown.includes(to)) return { ...page, faces: page.faces.map((f) => (ids.has(f.id) ? { ...f, status: to } : f)) };
  const faces = page.faces.filter((f) => !ids.has(f.id));
  return { ...page, faces, total: Math.max(0, page.total - (page.faces.length - faces.length)) };
}

export const personName = (p: Person | null) => (p ? p.name || p.email.split('@')[0] : '–');

export const percent = (rate: number | null | undefined) => (rate === null || rate === undefined ? '–' : `${Math.round(rate * 100)}%`);
