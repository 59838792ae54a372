import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Summarises V8 CPU profiles (`node --cpu-prof`) of the web instances: self time by package (or
 * Facet's own code) and the top functions, to show where a request's time goes.
 */
type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

function owner(url: string): string {
  if (!url) return '(native / idle / gc)';
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node:internal';
  if (url.startsWith('wasm://')) return 'wasm (on the server: Prisma query compiler)';
  if (url.includes('.next/server')) return 'facet (bundled app code)';
  return path.basename(url);
}

export function summarizeProfiles(dir: string, top = 15): string[] {
  const self = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Profile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const node = nodes.get(id)!;
      const dt = profile.timeDeltas[i] ?? 0;
      if (node.callFrame.functionName === '(idle)') return;
      total += dt;
      const key = `${node.callFrame.functionName || '(anonymous)'} ${owner(node.callFrame.url)}`;
      self.set(key, (self.get(key) ?? 0) + dt);
      const o = owner(node.callFrame.url);
      byOwner.set(o, (byOwner.get(o) ?? 0) + dt);
    });
  }
  const pct = (v: number) => `${((100 * v) / total).toFixed(1)}%`.padStart(7);
  const lines = [`  busy CPU in the web instance(s): ${(total / 1e6).toFixed(1)} s`, '  by package:'];
  for (const [k, v] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, 10)) lines.push(`   ${pct(v)}  ${k}`);
  lines.push('  top functions (self time):');
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`   ${pct(v)}  ${k}`);
  return lines;
}
