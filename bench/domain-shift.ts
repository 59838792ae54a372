/**
 * `npm run bench:domain-shift` — the domain-shift proof on UTKFace: round 0 trained with ages 60+
 * under-represented, then a round with a shifted subset of 60+ faces labeled; prints the held-out
 * error on the group (and on everyone else) before and after. See bench/al/domain-shift.ts; the
 * same run is asserted by tests/unit/ml/domain-shift.test.ts.
 *
 *   npm run bench:domain-shift [-- --cold]   # --cold: extract into a temp cache (what a clean CI checkout pays)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initWasmBackend } from '../lib/ml/backbones.node';
import { loadUtkFaceOrExit } from '../workers/trainer/utkface';
import { DEFAULT_SHIFT, runDomainShift } from './al/domain-shift';

async function main() {
  const records = loadUtkFaceOrExit('bench:domain-shift');
  await initWasmBackend();
  const cpu0 = process.cpuUsage();
  const cold = process.argv.includes('--cold') ? mkdtempSync(path.join(os.tmpdir(), 'facet-shift-cache-')) : undefined;
  const r = await runDomainShift(records, DEFAULT_SHIFT, (m) => console.log(m), cold);
  if (cold) rmSync(cold, { recursive: true, force: true });
  const g = DEFAULT_SHIFT.groupLabel;
  const pct = (v: number | null) => (v === null ? '–' : `${(100 * v).toFixed(1)}%`);
  console.log(`Domain shift on UTKFace (features: ${DEFAULT_SHIFT.features}; held-out = test split)`);
  console.log(`  round 0: ${r.counts.base} faces, of which ${r.counts.baseGroup} ${g} (${((100 * r.counts.baseGroup) / r.counts.base).toFixed(1)}%)`);
  console.log(`  round 1: + ${r.counts.shifted} labeled ${g} faces (train split), warm-started from round 0`);
  console.log(`  held out: ${r.counts.heldGroup} ${g} faces, ${r.counts.heldOthers} others`);
  console.log(`                      ${'before'.padStart(16)}${'after'.padStart(16)}`);
  const row = (label: string, a: number, b: number, f: (v: number) => string) => console.log(`  ${label.padEnd(20)}${f(a).padStart(16)}${f(b).padStart(16)}`);
  row(`${g} MAE`, r.before.group.ageMae, r.after.group.ageMae, (v) => `${v.toFixed(2)} y`);
  row('others MAE', r.before.others.ageMae, r.after.others.ageMae, (v) => `${v.toFixed(2)} y`);
  console.log(`  ${`${g} gender`.padEnd(20)}${pct(r.before.group.genderAccuracy).padStart(16)}${pct(r.after.group.genderAccuracy).padStart(16)}`);
  console.log(`  ${'others gender'.padEnd(20)}${pct(r.before.others.genderAccuracy).padStart(16)}${pct(r.after.others.genderAccuracy).padStart(16)}`);
  const drop = 1 - r.after.group.ageMae / r.before.group.ageMae;
  console.log(`  → ${g} held-out MAE ${drop > 0 ? 'drops' : 'does NOT drop'} by ${(100 * Math.abs(drop)).toFixed(0)}%`);
  const cpu = process.cpuUsage(cpu0);
  console.log(`  feature extraction ${(r.extractMs / 1000).toFixed(1)} s (${cold ? 'cold: temp cache' : '0 when cached'}), training + eval ${(r.trainMs / 1000).toFixed(1)} s; CPU ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
