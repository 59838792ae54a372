import { readdirSync } from 'node:fs';
import path from 'node:path';

/** Relative paths of files named `name` under `dir` (Node 20 has no fs.globSync). */
export function findFiles(dir: string, name: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findFiles(full, name));
    else if (entry.name === name) out.push(full);
  }
  return out.sort();
}
