/**
 * Several pre-label workers for the CPU backends. wasm runs single-threaded here (its threaded build
 * breaks in a bundled worker, and needs cross-origin isolation), so one worker uses one core; on a
 * machine with more cores, more workers analyse more images at once. GPU backends share one device
 * (a second worker would only compete for it), so they get one worker.
 */
export const MAX_WORKERS = 4;
const CPU_BACKENDS = new Set(['wasm', 'cpu']);

/** Workers for `backend` on a machine with `cores` logical cores (navigator.hardwareConcurrency). */
export function poolSize(backend: string, cores: number | undefined, max = MAX_WORKERS): number {
  if (!CPU_BACKENDS.has(backend)) return 1;
  return Math.max(1, Math.min(max, Math.floor(cores ?? 1)));
}

/**
 * Hands each call to an idle member, in arrival order; a call waits while all are busy. `T` is
 * anything with a lifetime (here: PrelabelWorker).
 */
export class WorkerPool<T extends { terminate(): void }> {
  private readonly idle: T[];
  private readonly waiting: ((member: T) => void)[] = [];

  constructor(readonly members: T[]) {
    if (members.length === 0) throw new Error('a worker pool needs at least one worker');
    this.idle = [...members];
  }

  get size() {
    return this.members.length;
  }

  async run<R>(task: (member: T) => Promise<R>): Promise<R> {
    const member = this.idle.shift() ?? (await new Promise<T>((resolve) => this.waiting.push(resolve)));
    try {
      return await task(member);
    } finally {
      const next = this.waiting.shift();
      if (next) next(member);
      else this.idle.push(member);
    }
  }

  terminate() {
    for (const m of this.members) m.terminate();
  }
}
