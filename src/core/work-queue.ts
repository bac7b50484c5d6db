/**
 * At most `limit` jobs at a time; the rest wait their turn in order. For CPU-bound work run
 * off the event loop (argon2id), so that a storm of sign-ins occupies the cores it is given
 * and queues beyond that, instead of piling threads onto the CPU the event loop needs to
 * answer everyone else.
 */
export class WorkQueue {
  readonly #limit: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running += 1;
    try {
      return await job();
    } finally {
      const next = this.#waiting.shift();
      // The slot passes straight to the next job, so `running` never dips and lets a newcomer jump the queue.
      if (next) next();
      else this.#running -= 1;
    }
  }

  get waiting(): number {
    return this.#waiting.length;
  }
}
