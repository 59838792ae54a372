import { z } from 'zod';

/** Upper bounds applied to every upload. All sizes are in bytes. */
export interface IngestLimits {
  /** Largest single image (also the largest zip entry). */
  maxUploadBytes: number;
  /** Largest zip file, and largest total uncompressed size of its entries. */
  maxZipBytes: number;
  /** Largest image in pixels (width × height), checked from the header before decoding. */
  maxPixels: number;
  /** Most entries a zip may contain; larger archives are refused before processing. */
  maxZipEntries: number;
  /** Largest uncompressed/compressed ratio of a zip entry (zip-bomb guard). */
  maxZipRatio: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: Readonly<IngestLimits> = Object.freeze({
  maxUploadBytes: 50 * MiB,
  maxZipBytes: 2 * 1024 * MiB,
  maxPixels: 80_000_000,
  maxZipEntries: 20_000,
  maxZipRatio: 100,
});

/** A positive integer from the environment; unset or blank means "use the default". */
function positiveInt(fallback: number) {
  return z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).default(fallback),
  );
}

const envSchema = z.object({
  FACET_MAX_UPLOAD_BYTES: positiveInt(DEFAULT_LIMITS.maxUploadBytes),
  FACET_MAX_ZIP_BYTES: positiveInt(DEFAULT_LIMITS.maxZipBytes),
  FACET_MAX_PIXELS: positiveInt(DEFAULT_LIMITS.maxPixels),
  FACET_MAX_ZIP_ENTRIES: positiveInt(DEFAULT_LIMITS.maxZipEntries),
  FACET_MAX_ZIP_RATIO: positiveInt(DEFAULT_LIMITS.maxZipRatio),
});

/**
 * Reads the limits from the environment. A set-but-invalid value (e.g. "50MB",
 * "-1") throws, naming the variable: a misconfigured limit must not silently
 * fall back to something else.
 */
export function loadIngestLimits(env: Record<string, string | undefined> = process.env): IngestLimits {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.')} must be a positive whole number of ${unitOf(issue.path.join('.'))}`)
      .join('; ');
    throw new Error(`Invalid upload limits in the environment: ${problems}`);
  }
  const e = parsed.data;
  return {
    maxUploadBytes: e.FACET_MAX_UPLOAD_BYTES,
    maxZipBytes: e.FACET_MAX_ZIP_BYTES,
    maxPixels: e.FACET_MAX_PIXELS,
    maxZipEntries: e.FACET_MAX_ZIP_ENTRIES,
    maxZipRatio: e.FACET_MAX_ZIP_RATIO,
  };
}

function unitOf(name: string): string {
  if (name.endsWith('_BYTES')) return 'bytes';
  if (name.endsWith('_PIXELS')) return 'pixels';
  if (name.endsWith('_ENTRIES')) return 'entries';
  return 'units';
}
