/** GET /api/annotate/stats (see lib/api/annotate/stats.ts): dates arrive as ISO strings. */
export type Agreement = { agreed: number; compared: number; rate: number | null };
export type Work = { facesPerHour: number | null; session: { faces: number; startedAt: string; endedAt: string } | null; last24h: number };
export type AnnotatorRow = { user: { id: string; email: string; name: string | null }; labeled: number; reviewed: number; skipped: number; agreement: Agreement } & Work;
export type ScopeFigures = { faces: number; labeled: number; reviewed: number; skipped: number; imported: number; remaining: number; agreement: Agreement };
export type DatasetRow = { dataset: { id: string; name: string } } & ScopeFigures & Work;
export type AnnotateStats = {
  generatedAt: string;
  overall: ScopeFigures & Work & { inProgress: number; randomSlice: Agreement };
  me: AnnotatorRow | null;
  annotators: AnnotatorRow[];
  datasets: DatasetRow[];
  series: { hours: string[]; total: number[]; mine: number[] };
};
