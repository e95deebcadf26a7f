/**
 * A counting semaphore: at most `limit` calls of run() are inside at once; the others wait in
 * arrival order. A finishing call hands its slot straight to the longest waiter, so a steady stream
 * of new callers cannot overtake the queue.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`Semaphore limit must be a positive integer, got ${limit}`);
  }

  /** How many calls are inside run() now. */
  get running(): number {
    return this.active;
  }

  /** How many calls wait for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `fn` once a slot is free and settles as it does; the slot is released either way. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
