/**
 * The model store: trained versions live in FACET_DATA_DIR/models/<name>/<version>/ (written by
 * the worker into a temp folder and renamed into place, so a half-written version is never
 * visible); bundled versions (r0) live in public/models/<name>/<version>/ and are seeded as
 * ModelVersion rows on first use. A version is only ever served when its row exists, its name is
 * valid and its files are present; one whose folder was deleted by hand is reported as missing.
 */
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { config } from '@/lib/server/config';
import type { PrismaClient } from '@/lib/server/db';
import { HttpError } from '@/lib/server/http/errors';

export const MODEL_NAME_RE = /^[a-z][a-z0-9-]{0,39}$/;
/** No dots, slashes or leading dashes: a version name is always a single plain folder name. */
export const VERSION_RE = /^[a-z0-9][a-z0-9-]{0,39}$/;
export const MODEL_FILE_RE = /^[A-Za-z0-9_-]{1,64}\.(json|bin)$/;
const STORE_PREFIX = 'store:';

export function assertModelName(name: string): string {
  if (!MODEL_NAME_RE.test(name)) throw new HttpError(400, 'BAD_MODEL_NAME', 'Invalid model name');
  return name;
}

export function assertVersion(version: string): string {
  if (!VERSION_RE.test(version)) throw new HttpError(400, 'BAD_VERSION', 'Invalid model version name');
  return version;
}

export function modelStoreRoot(): string {
  return path.join(config().dataDir, 'models');
}

export function publicDir(): string {
  return path.join(process.cwd(), 'public');
}

/** Folder of a trained version in the store (names validated; never outside the store). */
export function storeVersionDir(name: string, version: string): string {
  const root = modelStoreRoot();
  const dir = path.join(root, assertModelName(name), assertVersion(version));
  if (!dir.startsWith(root + path.sep)) throw new HttpError(400, 'BAD_VERSION', 'Invalid model version name');
  return dir;
}

export const storePathOf = (name: string, version: string) => `${STORE_PREFIX}${name}/${version}`;

type Located = { name: string; version: string; path: string };

/** Where a version's files are on disk and the URL folder browsers load it from. */
export function locate(row: Located): { dir: string; url: string; bundled: boolean } {
  if (row.path.startsWith(STORE_PREFIX)) {
    return { dir: storeVersionDir(row.name, row.version), url: `/api/models/files/${row.name}/${row.version}`, bundled: false };
  }
  const rel = row.path.replace(/^\/+/, '');
  if (!/^models\/[a-z0-9/_-]+$/.test(rel) || rel.includes('..')) throw new Error(`bad bundled model path ${row.path}`);
  return { dir: path.join(publicDir(), rel), url: `/${rel}`, bundled: true };
}

/** The files a version needs (manifest, heads model, weights), or null when any is missing. */
export function versionFiles(row: Located): string[] | null {
  try {
    const { dir } = locate(row);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { heads?: { modelJson?: string; weights?: string[] } };
    const files = ['manifest.json', manifest.heads?.modelJson ?? 'model.json', ...(manifest.heads?.weights ?? ['weights.bin'])];
    return files.every((f) => MODEL_FILE_RE.test(f) && existsSync(path.join(dir, f)) && statSync(path.join(dir, f)).isFile()) ? files : null;
  } catch {
    return null;
  }
}

export const isAvailable = (row: Located) => versionFiles(row) !== null;

type RegistryFile = { models: Record<string, { active: string | null; versions: { version: string; path: string; created: string; summary?: unknown }[] }> };

/** Rows for the bundled versions listed in public/models/registry.json (idempotent). */
export async function seedBundledVersions(prisma: PrismaClient, name: string): Promise<void> {
  if ((await prisma.modelVersion.count({ where: { name } })) > 0) return;
  const file = path.join(publicDir(), 'models', 'registry.json');
  if (!existsSync(file)) return;
  const registry = JSON.parse(readFileSync(file, 'utf8')) as RegistryFile;
  const entry = registry.models[name];
  if (!entry) return;
  for (const v of entry.versions) {
    let metrics: unknown = null;
    try {
      const manifest = JSON.parse(readFileSync(path.join(publicDir(), v.path, 'manifest.json'), 'utf8'));
      metrics = { bundled: { test: manifest.metrics?.test?.overall ?? null, val: manifest.metrics?.val?.overall ?? null, note: 'from the bundled manifest (UTKFace split), not Facet’s held-out set' } };
    } catch {
      /* reported as missing by the listing */
    }
    const active = entry.active === v.version;
    try {
      await prisma.modelVersion.create({
        data: {
          name,
          version: v.version,
          path: v.path,
          status: 'PROMOTED',
          active,
          metrics: metrics as object,
          dataCounts: { snapshotAt: new Date(0).toISOString(), bundled: true },
          createdAt: new Date(v.created),
          promotedAt: active ? new Date(v.created) : null,
        },
      });
    } catch (error) {
      if ((error as { code?: string }).code !== 'P2002') throw error; // another process seeded it
    }
  }
}

export const versionSelect = {
  id: true,
  name: true,
  version: true,
  path: true,
  status: true,
  active: true,
  metrics: true,
  dataCounts: true,
  parentId: true,
  jobId: true,
  createdAt: true,
  promotedAt: true,
} as const;

/**
 * The version browsers should use: the active one when its files are present, else (reported)
 * the most recently promoted version whose files are present.
 */
export async function resolveActive(prisma: PrismaClient, name: string) {
  assertModelName(name);
  await seedBundledVersions(prisma, name);
  const rows = await prisma.modelVersion.findMany({
    where: { name, status: { in: ['PROMOTED', 'RETIRED'] } },
    orderBy: [{ active: 'desc' }, { promotedAt: 'desc' }, { createdAt: 'desc' }],
    select: versionSelect,
  });
  const active = rows.find((r) => r.active) ?? null;
  const served = rows.find((r) => (r.active || r.promotedAt) && isAvailable(r)) ?? null;
  const problem = active && (!served || served.id !== active.id) ? `The files of active version ${active.version} are missing (deleted by hand?)` : null;
  return { active, served, problem };
}

/** Next free version name: r<N+1> over the existing r<N>. */
export async function nextVersionName(prisma: PrismaClient, name: string): Promise<string> {
  const rows = await prisma.modelVersion.findMany({ where: { name }, select: { version: true } });
  const max = rows.reduce((m, r) => Math.max(m, /^r(\d+)$/.test(r.version) ? Number(r.version.slice(1)) : 0), 0);
  let n = max + 1;
  while (existsSync(storeVersionDir(name, `r${n}`))) n++; // a folder left by a crash before its row was written
  return `r${n}`;
}

/** Remove temp/old folders left by crashed writers (their process is gone). */
export function sweepStoreTemp(name: string): void {
  const dir = path.join(modelStoreRoot(), assertModelName(name));
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const m = /\.(tmp|old)-(\d+)$/.exec(entry);
    if (!m) continue;
    const pid = Number(m[2]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = pid !== process.pid;
    } catch {
      alive = false;
    }
    if (!alive) rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
}

/**
 * Makes `id` the active version (promotion, override or rollback): the previous active one is
 * retired. Returns the version; the caller queues the re-scoring.
 */
export async function activateVersion(prisma: PrismaClient, id: string) {
  const row = await prisma.modelVersion.findUnique({ where: { id }, select: versionSelect });
  if (!row) throw new HttpError(404, 'NOT_FOUND', 'No such model version');
  if (!isAvailable(row)) throw new HttpError(409, 'VERSION_MISSING', `The files of ${row.version} are missing; it cannot be served`);
  await prisma.$transaction(async (tx) => {
    await tx.modelVersion.updateMany({ where: { name: row.name, active: true, NOT: { id } }, data: { active: false, status: 'RETIRED' } });
    await tx.modelVersion.update({ where: { id }, data: { active: true, status: 'PROMOTED', promotedAt: new Date() } });
  });
  return prisma.modelVersion.findUniqueOrThrow({ where: { id }, select: versionSelect });
}
