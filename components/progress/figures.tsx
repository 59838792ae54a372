import type { ReactNode } from 'react';
import type { Agreement, Work } from './stats';

const number = new Intl.NumberFormat('en-US');
export const fmt = (n: number) => number.format(n);
export const rateText = (a: Agreement) => (a.rate === null ? '–' : `${Math.round(a.rate * 100)}%`);
export const perHour = (w: Work) => (w.facesPerHour === null ? '–' : number.format(w.facesPerHour));
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
export const sessionText = (w: Work) =>
  w.session ? `${w.session.faces} since ${clock.format(new Date(w.session.startedAt))}` : '–';

/** One big number with its label and an optional detail line. */
export function Figure({ label, value, detail, testId }: { label: string; value: ReactNode; detail?: ReactNode; testId?: string }) {
  return (
    <div className="figure" data-testid={testId}>
      <span className="figure-value">{value}</span>
      <span className="figure-label">{label}</span>
      {detail !== undefined && <span className="figure-detail muted">{detail}</span>}
    </div>
  );
}

/** An agreement rate with the counts behind it (rate of agreed / compared). */
export function AgreementCell({ a }: { a: Agreement }) {
  return (
    <span title={`${a.agreed} of ${a.compared} compared faces agree with the model (gender and age bin)`}>
      {rateText(a)} <span className="muted small">{a.compared ? `${fmt(a.agreed)}/${fmt(a.compared)}` : ''}</span>
    </span>
  );
}
