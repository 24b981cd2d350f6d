import type { PageCache } from './page-cache.js';

/**
 * Query results that many requests ask for again within seconds (the same
 * search, the same library filters, a group's perspective mix), shared by the
 * viewers who may see exactly the same things. Entries live as long as
 * signed-out pages (CONVENE_PAGE_CACHE_SECONDS) and are forgotten with them
 * whenever anything is written anywhere (the page cache's `convene_changes`
 * notifications reach every process), so nobody sees a result older than a
 * write they made. A result past its time is answered once more while it is
 * recomputed (what changed without a write — hourly rollups — waits at most
 * two periods). With the page cache off (tests), nothing is kept.
 *
 * The key must name everything the result depends on, including who may see
 * what: the reader partition of the capability whose rule applies (`threadReader`,
 * `resourceReader`, `eventReader` in the capabilities' `policy.ts`).
 */
export function resultCache<T>(pageCache: PageCache | undefined, maxEntries = 500, now: () => number = Date.now): (key: string, compute: () => Promise<T>) => Promise<T> {
  const entries = new Map<string, { at: number; value: Promise<T> }>();
  pageCache?.onClear(() => entries.clear());
  const fresh = (key: string, compute: () => Promise<T>) => {
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    const value = compute();
    const entry = { at: now(), value };
    // A failed computation is not remembered.
    value.catch(() => {
      if (entries.get(key) === entry) entries.delete(key);
    });
    entries.set(key, entry);
    return value;
  };
  return (key, compute) => {
    const ttl = pageCache?.ttlMs ?? 0;
    if (ttl <= 0) return compute();
    const hit = entries.get(key);
    if (!hit) return fresh(key, compute);
    const age = now() - hit.at;
    if (age < ttl) return hit.value;
    // Older than the TTL but nothing was written through the app since (a write clears
    // everything): answer with it once more while one recomputation runs, so a slow
    // result does not stall every request that arrives meanwhile. Past twice the TTL,
    // wait for the new answer.
    if (age < 2 * ttl) {
      const stale = hit.value;
      hit.at = now();
      const next = compute();
      next.then(
        () => {
          if (entries.get(key) === hit) hit.value = next;
        },
        () => {
          if (entries.get(key) === hit) entries.delete(key);
        },
      );
      return stale;
    }
    return fresh(key, compute);
  };
}

