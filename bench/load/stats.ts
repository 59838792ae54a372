/** Latency samples per endpoint and the figures printed from them. */
export type Summary = { count: number; p50: number; p95: number; p99: number; max: number };

export class Recorder {
  readonly samples = new Map<string, number[]>();
  /** Off during the warm-up (first requests load route code and fill caches). */
  measuring = false;

  add(endpoint: string, ms: number) {
    if (!this.measuring) return;
    let list = this.samples.get(endpoint);
    if (!list) this.samples.set(endpoint, (list = []));
    list.push(ms);
  }

  total(): number {
    let n = 0;
    for (const list of this.samples.values()) n += list.length;
    return n;
  }
}

export function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] : NaN);
  return { count: s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s.length ? s[s.length - 1] : NaN };
}

export function table(recorder: Recorder, seconds: number): string[] {
  const ms = (n: number) => `${n.toFixed(1)}`.padStart(9);
  const lines = [`  ${'endpoint'.padEnd(40)}${'count'.padStart(8)}${'req/s'.padStart(8)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}`];
  for (const [endpoint, list] of [...recorder.samples].sort(([a], [b]) => a.localeCompare(b))) {
    const s = summarize(list);
    lines.push(`  ${endpoint.padEnd(40)}${String(s.count).padStart(8)}${(s.count / seconds).toFixed(1).padStart(8)}${ms(s.p50)}${ms(s.p95)}${ms(s.p99)}${ms(s.max)}`);
  }
  return lines;
}
