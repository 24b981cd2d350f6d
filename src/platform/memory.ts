import v8 from 'node:v8';

/**
 * A bound on what the in-process caches may hold together. Each cache is
 * bounded on its own (by entries, the page cache also by bytes), but their
 * entries differ a thousandfold in size, so under traffic spread over a large
 * community their sum could approach the process's heap limit, where V8
 * collects ever more often and finally fails. When the live heap passes a
 * share of the limit, the caches are dropped (`relieve`): they fill again
 * from the database, and a cache is a speed-up, never a source of truth.
 *
 * Checked once a second (reading V8's statistics costs microseconds).
 */
export interface HeapWatch {
  stop(): void;
  /** One check now (the timer calls it; tests call it with their own clock). */
  check(): void;
  /** How many times the caches were dropped. */
  readonly relieved: number;
}

export function watchHeap(
  relieve: () => void,
  opts: {
    /** The share of the heap limit above which caches are dropped (default 0.6). */
    share?: number;
    everyMs?: number;
    /** For tests: the heap's used bytes and limit, and the clock. */
    read?: () => { used: number; limit: number };
    now?: () => number;
    log?: (m: string) => void;
  } = {},
): HeapWatch {
  const share = opts.share ?? 0.6;
  const read =
    opts.read ??
    (() => {
      const s = v8.getHeapStatistics();
      return { used: s.used_heap_size, limit: s.heap_size_limit };
    });
  const now = opts.now ?? Date.now;
  const everyMs = opts.everyMs ?? 1000;
  let relieved = 0;
  let quietUntil = 0;
  const check = () => {
    const { used, limit } = read();
    if (used <= limit * share || now() < quietUntil) return;
    relieve();
    relieved++;
    // What was dropped is garbage only once collected: give V8 a few seconds before judging again.
    quietUntil = now() + 5 * everyMs;
    opts.log?.(`heap at ${Math.round(used / 1048576)} of ${Math.round(limit / 1048576)} MB: caches dropped`);
  };
  const timer = setInterval(check, everyMs);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    check,
    get relieved() {
      return relieved;
    },
  };
}
