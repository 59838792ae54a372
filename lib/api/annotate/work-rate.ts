/**
 * Work-rate figures from the times of save events (LABEL, ACCEPT, SKIP), in ms since the epoch.
 *
 * Session: the latest run of saves with no gap longer than SESSION_GAP_MS (10 min) between two
 * consecutive ones. Faces per hour = (saves in that session − 1) ÷ (last − first save), i.e. the
 * pace between saves; null with fewer than 2 saves. Only the last 24 h of events are looked at.
 */
export const SESSION_GAP_MS = 10 * 60_000;
export const HOUR_MS = 3600_000;

export function sessionRate(sortedTimes: readonly number[]) {
  if (sortedTimes.length === 0) return { facesPerHour: null, session: null };
  let first = sortedTimes.length - 1;
  while (first > 0 && sortedTimes[first] - sortedTimes[first - 1] <= SESSION_GAP_MS) first--;
  const start = sortedTimes[first];
  const end = sortedTimes[sortedTimes.length - 1];
  const faces = sortedTimes.length - first;
  const facesPerHour = faces >= 2 && end > start ? Math.round(((faces - 1) / (end - start)) * HOUR_MS * 10) / 10 : null;
  return { facesPerHour, session: { faces, startedAt: new Date(start), endedAt: new Date(end) } };
}

/** 24 hourly buckets; the last one is the current (unfinished) hour. `hours` are the buckets' starts. */
export function hourlySeries(times: readonly number[], now: Date, buckets = 24) {
  const end = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS;
  const start = end - buckets * HOUR_MS;
  const counts = Array<number>(buckets).fill(0);
  for (const t of times) if (t >= start && t < end) counts[Math.floor((t - start) / HOUR_MS)]++;
  return { hours: counts.map((_, i) => new Date(start + i * HOUR_MS).toISOString()), counts };
}

/** Start of the 24-hour window hourlySeries covers. */
export const seriesStart = (now: Date, buckets = 24) => new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS - buckets * HOUR_MS);
