import type { Db } from './db.js';

/**
 * A value computed from the database at most once per `ttlMs` per database
 * (aggregates that change slowly, read on busy pages). Keyed by the Db
 * instance, so tests' separate databases never share an answer. A failed
 * computation is forgotten at once.
 */
export function memoPerDb<T>(ttlMs: number, compute: (db: Db) => Promise<T>): (db: Db) => Promise<T> {
  const cache = new WeakMap<Db, { at: number; value: Promise<T> }>();
  return (db) => {
    const hit = cache.get(db);
    if (hit && Date.now() - hit.at < ttlMs) return hit.value;
    const value = compute(db);
    value.catch(() => cache.delete(db));
    cache.set(db, { at: Date.now(), value });
    return value;
  };
}
