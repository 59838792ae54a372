import { policyFromEnv, type QueuePolicy } from '@/lib/domain/queue-policy';

/**
 * Annotation settings (environment, read on each call so tests can change them):
 * FACET_LEASE_MS (default 5 min) — how long a served face stays reserved for its annotator;
 * FACET_QUEUE_RANDOM_SHARE (0.1), FACET_QUEUE_RECENT_IMAGES (3), FACET_QUEUE_MAX_SAME_CELL (2).
 */
export const DEFAULT_LEASE_MS = 5 * 60_000;

export function leaseMs(): number {
  const n = Number(process.env.FACET_LEASE_MS);
  return Number.isFinite(n) && n >= 1000 && n <= 24 * 3600_000 ? n : DEFAULT_LEASE_MS;
}

export function queuePolicy(): QueuePolicy {
  return policyFromEnv(process.env);
}

/** Save actions: what counts as annotation work in stats and in the queue's "recent faces". */
export const WORK_ACTIONS = ['LABEL', 'ACCEPT', 'SKIP'] as const;
