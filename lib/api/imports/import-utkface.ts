import type { PrismaClient } from '@/lib/server/db';
import { notFound } from '@/lib/server/http/errors';
import { isIngestError } from '@/lib/server/ingest/errors';
import { loadIngestLimits, type IngestLimits } from '@/lib/server/ingest/limits';
import { sha256Hex } from '@/lib/server/ingest/normalize-image';
import { GENDER_LABEL, RACE_LABEL } from '@/lib/domain/labels';
import { classifyUtkName, isClutter, type NameVerdict, type UtkLabels } from './classify-name';
import { findKnownImages } from './find-known';
import { prepareImage, type PreparedImage } from './prepare-image';
import type { ImportSource } from './sources';
import { emptySummary, tally, type ImportSummary } from './summary';
import {
  putBlobs,
  removeUnreferencedBlobs,
  wholeCrop,
  writeImportChunk,
  type Box,
  type LabelExisting,
  type NewImage,
  type PlacedBox,
} from './write-import-chunk';

export const DEFAULT_IMPORT_DATASET = 'UTKFace';

/**
 * Where an imported face's box comes from.
 * - 'whole-crop' (the default, and all there is today): the whole image — UTKFace crops are
 *   aligned faces — with boxSource IMPORTED.
 * - 'detector': a face detector's box for each NEW image (boxSource DETECTED), falling back to
 *   the whole crop when it finds nothing. Reserved for when a server-side detector exists; existing
 *   images that get labels always use the whole crop.
 */
export type BoxStrategy =
  | { kind: 'whole-crop' }
  | { kind: 'detector'; detect(image: PreparedImage): Promise<Box | null> };

export interface ImportOptions {
  /** An existing dataset; otherwise `datasetName` (default "UTKFace") is found or created. */
  datasetId?: string;
  datasetName?: string;
  /** Reads, validates and looks up everything, writes nothing. */
  dryRun?: boolean;
  /** Who imports: Image.uploadedById, Face.labeledById, LabelEvent.userId (null from the CLI). */
  userId?: string | null;
  /** Entries finished / entries expected; called at most once per batch plus at the start and end. */
  onProgress?(done: number, total: number): void;
  signal?: AbortSignal;
  limits?: IngestLimits;
  boxes?: BoxStrategy;
  /** Images per database transaction. */
  batchSize?: number;
  /** Images decoded at the same time. */
  concurrency?: number;
}

type Pending = {
  name: string;
  verdict: Exclude<NameVerdict, { kind: 'rejected' }>;
  data: Buffer;
  hash: string;
  /** Later files in the same chunk with the same content. */
  followers?: Pending[];
};

type Labels = Pick<UtkLabels, 'age' | 'gender' | 'race'>;

function sameLabels(a: Labels, b: Labels): boolean {
  return a.age === b.age && a.gender === b.gender && a.race === b.race;
}

function describeLabels(l: Labels): string {
  return `${l.age}, ${GENDER_LABEL[l.gender]}, ${RACE_LABEL[l.race]}`;
}

class StoreFailed extends Error {
  constructor(
    readonly at: string,
    readonly cause: unknown,
  ) {
    super(`storing failed at ${at}`);
  }
}

/** Finds (or, unless dry-running, creates) the target dataset. */
export async function resolveImportDataset(
  prisma: PrismaClient,
  options: Pick<ImportOptions, 'datasetId' | 'datasetName' | 'dryRun' | 'userId'>,
): Promise<ImportSummary['dataset']> {
  if (options.datasetId) {
    const found = await prisma.dataset.findUnique({ where: { id: options.datasetId }, select: { id: true, name: true } });
    if (!found) throw notFound('No such dataset');
    return { ...found, created: false };
  }
  const name = (options.datasetName ?? '').trim() || DEFAULT_IMPORT_DATASET;
  const existing = await prisma.dataset.findUnique({ where: { name }, select: { id: true } });
  if (existing) return { id: existing.id, name, created: false };
  if (options.dryRun) return { id: null, name, created: true };
  try {
    const created = await prisma.dataset.create({
      data: { name, description: 'Imported from UTKFace-named files', createdById: options.userId ?? null },
      select: { id: true },
    });
    return { id: created.id, name, created: true };
  } catch (error) {
    if ((error as { code?: string }).code !== 'P2002') throw error;
    const winner = await prisma.dataset.findUniqueOrThrow({ where: { name }, select: { id: true } });
    return { id: winner.id, name, created: false };
  }
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Imports UTKFace-named files as ground truth. Each file's name is parsed (quirks forgiven and
 * listed; out-of-range fields rejected); its bytes are hashed and looked up (known images are not
 * decoded again); new images are validated and stored with ONE face covering the whole crop,
 * status IMPORTED, and an IMPORT LabelEvent, a batch of images per transaction.
 *
 * Decisions: a file already in the library is a duplicate and is not stored again, but if that
 * image has no IMPORTED face yet, the name's labels are added to it (so an earlier plain upload is
 * completed, and re-running an import never doubles faces); it stays in its dataset. Copies of
 * one image under several names (UTKFace has 375 such groups) keep the first name's labels; a
 * copy whose name says otherwise is listed under `conflicts`. A file whose name is not a UTKFace
 * name is stored without a face and reported as unlabeled; a UTKFace-shaped name with a field out
 * of range is rejected, nothing stored.
 */
export async function importUtkface(prisma: PrismaClient, source: ImportSource, options: ImportOptions = {}): Promise<ImportSummary> {
  const started = performance.now();
  const dryRun = options.dryRun ?? false;
  const limits = options.limits ?? loadIngestLimits();
  const boxes = options.boxes ?? { kind: 'whole-crop' };
  const batchSize = Math.max(1, options.batchSize ?? 512);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const userId = options.userId ?? null;
  const dataset = await resolveImportDataset(prisma, { ...options, dryRun });
  const summary = emptySummary(dataset, dryRun);
  const seen = new Set<string>(); // content hashes met in this run
  /** Content hash → the name and labels this run kept for it (labeled files only). */
  const kept = new Map<string, { name: string; labels: Labels }>();
  /** A duplicate whose name says something else than the labels kept for the image. */
  const checkConflict = (p: Pending, first: { name: string; labels: Labels } | undefined) => {
    if (p.verdict.kind !== 'labeled' || !first || sameLabels(p.verdict.labels, first.labels)) return;
    tally.conflict(
      summary,
      p.name,
      `same image as ${first.name} (${describeLabels(first.labels)}); this name says ${describeLabels(p.verdict.labels)} — the first labels are kept`,
    );
  };
  let total = 0;
  let done = 0;
  let reported = -1;
  const progress = (force = false) => {
    if (!options.onProgress || (!force && done - reported < batchSize)) return;
    reported = done;
    options.onProgress(done, Math.max(total, done));
  };

  async function box(image: PreparedImage): Promise<PlacedBox> {
    if (boxes.kind === 'detector') {
      const found = await boxes.detect(image);
      if (found) return { ...found, source: 'DETECTED' };
    }
    return wholeCrop(image.width, image.height);
  }

  /**
   * Sorts a chunk into duplicates (counted now), labels for existing images, and new files. A
   * copy of a new file met again in the same chunk "follows" it: it is a duplicate if the first
   * copy is stored and shares its rejection if not.
   */
  async function lookup(chunk: Pending[]): Promise<{ fresh: Pending[]; label: LabelExisting[]; late: Pending[] }> {
    const unseen = [...new Set(chunk.filter((p) => !seen.has(p.hash)).map((p) => p.hash))];
    const known = await findKnownImages(prisma, unseen);
    const fresh: Pending[] = [];
    const freshByHash = new Map<string, Pending>();
    const label: LabelExisting[] = [];
    /** Labeled copies of an image this run met first under a non-UTKFace name: labeled at commit. */
    const late: Pending[] = [];
    for (const p of chunk) {
      const row = known.get(p.hash);
      const leader = freshByHash.get(p.hash);
      if (leader) {
        if (leader.verdict.kind === 'unlabeled' && p.verdict.kind === 'labeled') {
          // The copy with a UTKFace name leads, so the image gets its labels.
          fresh[fresh.indexOf(leader)] = p;
          freshByHash.set(p.hash, p);
          p.followers = [...(leader.followers ?? []), leader];
          leader.followers = undefined;
        } else {
          (leader.followers ??= []).push(p);
        }
      } else if (seen.has(p.hash) || row) {
        summary.duplicates += 1;
        const imported = row?.imported;
        if (seen.has(p.hash)) {
          const first = kept.get(p.hash);
          if (first) checkConflict(p, first);
          else if (p.verdict.kind === 'labeled') {
            late.push(p);
            kept.set(p.hash, { name: p.name, labels: p.verdict.labels });
          }
        } else if (imported && imported.age !== null && imported.gender && imported.race) {
          const first = { name: `${row.sourceName} (in the library)`, labels: { age: imported.age, gender: imported.gender, race: imported.race } };
          kept.set(p.hash, first);
          checkConflict(p, first);
        } else if (row && p.verdict.kind === 'labeled') {
          label.push({ name: p.name, labels: p.verdict.labels, imageId: row.id, box: wholeCrop(row.width, row.height) });
          kept.set(p.hash, { name: p.name, labels: p.verdict.labels });
        }
        done += 1;
      } else {
        fresh.push(p);
        freshByHash.set(p.hash, p);
      }
      seen.add(p.hash);
    }
    return { fresh, label, late };
  }

  /**
   * Decodes/validates the new files (several at a time), then starts writing their blobs as one
   * batch; `durable` settles when they are on disk (commit waits for it, the next chunk does not).
   */
  async function prepare(fresh: Pending[]): Promise<{ items: NewImage[]; written: PreparedImage[]; failure: StoreFailed | null; durable: Promise<void> }> {
    const items: NewImage[] = [];
    const written: PreparedImage[] = [];
    const state: { failure: StoreFailed | null } = { failure: null };
    await pool(fresh, concurrency, async (p) => {
      if (state.failure) return;
      try {
        const result = await prepareImage(p.data, limits, p.hash);
        p.data = Buffer.alloc(0); // let the original go as soon as possible
        const followers = p.followers ?? [];
        if (!result.ok) {
          seen.delete(p.hash);
          for (const q of [p, ...followers]) tally.reject(summary, q.name, result.reason);
          done += 1 + followers.length;
          return;
        }
        const labels = p.verdict.kind === 'labeled' ? p.verdict.labels : null;
        if (labels) kept.set(p.hash, { name: p.name, labels });
        for (const q of followers) checkConflict(q, kept.get(p.hash));
        summary.duplicates += followers.length;
        done += followers.length;
        items.push({
          name: p.name,
          labels,
          box: labels ? await box(result.image) : null,
          image: result.image,
          ...(p.verdict.kind === 'unlabeled' ? { reason: p.verdict.reason } : {}),
        });
        if (!dryRun) written.push(result.image);
      } catch (error) {
        state.failure ??= new StoreFailed(p.name, error);
      }
    });
    const durable = dryRun || state.failure || written.length === 0 ? Promise.resolve() : putBlobs(written);
    durable.catch(() => undefined); // observed by commit (or by the clean-up on failure)
    return { items, written, failure: state.failure, durable };
  }

  type Staged = { items: NewImage[]; label: LabelExisting[]; late: Pending[]; written: PreparedImage[]; durable: Promise<void> };

  /** Writes one prepared chunk (one transaction) and counts it. */
  async function commit({ items, label, late, written, durable }: Staged): Promise<void> {
    let stored = items;
    let labelsAdded = label.length + late.length;
    const datasetId = dataset.id;
    if (!dryRun && datasetId) {
      try {
        await durable; // rows only ever point at blobs that are on disk
        if (late.length) {
          // Earlier chunks are committed by now, so the unlabeled copies' rows can be found.
          const rows = await prisma.image.findMany({
            where: { contentHash: { in: late.map((p) => p.hash) } },
            select: { id: true, contentHash: true, width: true, height: true },
          });
          const byHash = new Map(rows.map((r) => [r.contentHash, r]));
          for (const p of late) {
            const row = byHash.get(p.hash);
            if (row && p.verdict.kind === 'labeled') {
              label.push({ name: p.name, labels: p.verdict.labels, imageId: row.id, box: wholeCrop(row.width, row.height) });
            }
          }
        }
        const outcome = await writeImportChunk(prisma, items, label, { datasetId, userId, now: new Date() });
        stored = outcome.stored;
        summary.duplicates += outcome.raced.length;
        labelsAdded = outcome.labelsAdded.length;
      } catch (error) {
        await removeUnreferencedBlobs(prisma, written);
        throw new StoreFailed(items[0]?.name ?? label[0]?.name ?? 'a batch', error);
      }
    }
    for (const item of stored) {
      if (item.labels) summary.imported += 1;
      else tally.unlabeled(summary, item.name, item.reason ?? 'not a UTKFace name');
    }
    summary.labelsAdded += labelsAdded;
    done += items.length;
    progress();
  }

  // Pipeline: the lookup of chunk k+1 runs first, then chunk k is written while chunk k+1 is
  // decoded (the database and the image decoder work at the same time); at most one chunk waits.
  const pipe: { staged: Staged | null } = { staged: null };
  async function flush(chunk: Pending[]): Promise<void> {
    const { fresh, label, late } = await lookup(chunk);
    const committing = pipe.staged ? commit(pipe.staged) : Promise.resolve();
    pipe.staged = null;
    // prepare() never rejects: its failures come back in `failure`, after its blob writes settled.
    const [commitError, prepared] = await Promise.all([
      committing.then(
        () => null,
        (error: unknown) => error ?? new Error('commit failed'),
      ),
      prepare(fresh),
    ]);
    if (commitError || prepared.failure) {
      await prepared.durable.catch(() => undefined);
      await removeUnreferencedBlobs(prisma, prepared.written);
      throw commitError ?? prepared.failure;
    }
    pipe.staged = { items: prepared.items, label, late, written: prepared.written, durable: prepared.durable };
  }

  let chunk: Pending[] = [];
  try {
    for await (const entry of source.entries({ onTotal: (n) => ((total = n), progress(true)) })) {
      if (options.signal?.aborted) {
        summary.error = {
          code: 'INTERRUPTED',
          message: `The import was stopped after ${done.toLocaleString('en-US')} entries; everything counted as imported is complete.`,
        };
        break;
      }
      summary.total += 1;
      if (entry.kind === 'skipped' || (entry.kind === 'file' && isClutter(entry.name))) {
        summary.skipped += 1;
        done += 1;
        continue;
      }
      if (entry.kind === 'rejected') {
        tally.reject(summary, entry.name, entry.reason);
        done += 1;
        continue;
      }
      const verdict = classifyUtkName(entry.name);
      if (verdict.kind === 'rejected') {
        tally.reject(summary, entry.name, verdict.reason);
        done += 1;
        continue;
      }
      if (verdict.kind === 'labeled') tally.quirks(summary, entry.name, verdict.quirks);
      let data: Buffer;
      try {
        data = await entry.open();
      } catch (error) {
        if (!isIngestError(error)) throw error;
        tally.reject(summary, entry.name, error.message);
        done += 1;
        continue;
      }
      chunk.push({ name: entry.name, verdict, data, hash: sha256Hex(data) });
      if (chunk.length >= batchSize) {
        const full = chunk;
        chunk = [];
        await flush(full);
      }
    }
    if (chunk.length > 0) await flush(chunk);
    const last = pipe.staged;
    pipe.staged = null;
    if (last) await commit(last);
  } catch (error) {
    if (isIngestError(error)) {
      summary.error = { code: error.code, message: error.message }; // the archive as a whole
    } else {
      // Storage or database failure: report it with the exact counts of what was completed.
      if (pipe.staged) {
        await pipe.staged.durable.catch(() => undefined);
        await removeUnreferencedBlobs(prisma, pipe.staged.written);
      }
      const at = error instanceof StoreFailed ? error.at : 'a batch';
      console.error('[facet] UTKFace import: storing failed', error instanceof StoreFailed ? error.cause : error);
      summary.error = {
        code: 'STORE_FAILED',
        message: `Saving failed near ${at}, so the import stopped. Everything counted as imported was saved completely; run the import again to continue.`,
      };
    }
  }
  progress(true);
  summary.durationMs = Math.round(performance.now() - started);
  return summary;
}
