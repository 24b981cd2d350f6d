import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { PREPARED, type Db } from '../db/db.js';
import { AppError } from '../http/errors.js';

export interface Limit {
  /** Requests allowed per window. */
  max: number;
  windowSeconds: number;
}

/**
 * Multiplies every limit; only for load tests (`npm run bench` sets it so one
 * loopback address can stand in for a crowd). Never set it in production.
 */
const SCALE = Math.max(1, Number(process.env.CONVENE_RATE_LIMIT_SCALE) || 1);

/**
 * A budget a route spends on each request besides its address's, declared in
 * the route's config (`config: { budget }`) and counted in the same statement
 * (app.ts), once the request is validated; undefined spends nothing.
 */
export type RouteBudget = (request: FastifyRequest) => { key: string; limit: Limit } | undefined;

let clock = () => Date.now();

/**
 * The time windows are counted in (they start on the minute, the hour…).
 * Tests fix it, so a run of requests never straddles two windows and no test
 * has to wait for a minute to turn. Returns the previous clock.
 */
export function setRateLimitClock(fn: () => number): () => number {
  const before = clock;
  clock = fn;
  return before;
}

/**
 * Counts one hit on `key` in a fixed window stored in PostgreSQL, so the limit
 * holds across every app process. Throws `rate_limited` (429 with Retry-After)
 * once the window's budget is spent.
 */
export async function hit(db: Db, key: string, limit: Limit): Promise<void> {
  await hitAll(db, [{ key, limit }]);
}

/**
 * Counts one hit on each key in one statement (one round trip, one commit):
 * for a command limited per minute and per hour, say. Throws `rate_limited`
 * when any key's budget is spent, with the longest wait among them. The table
 * is unlogged: counts are not worth a disk flush per hit, and a crash only
 * forgets the current windows.
 */
export async function hitAll(db: Db, hits: { key: string; limit: Limit }[]): Promise<void> {
  const now = clock();
  const rows = await sql<{ key: string; count: number; window_start: Date }>`
    INSERT INTO rate_limits (key, window_start, count)
    SELECT x.key, to_timestamp(floor(${now / 1000}::float8 / x.seconds) * x.seconds), 1
      FROM unnest(${hits.map((h) => h.key)}::text[], ${hits.map((h) => h.limit.windowSeconds)}::int[]) AS x(key, seconds)
    ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
    RETURNING key, count, window_start ${PREPARED}`.execute(db);
  let retryAfter = 0;
  for (const r of rows.rows) {
    const { limit } = hits.find((h) => h.key === r.key)!;
    if (r.count > limit.max * SCALE) retryAfter = Math.max(retryAfter, Math.max(1, Math.ceil((r.window_start.getTime() + limit.windowSeconds * 1000 - now) / 1000)));
  }
  if (retryAfter > 0) throw new AppError('rate_limited', { retryAfter });
}

/** Forgets a key's counts (after a successful log-in, the per-account counter starts over). */
export async function reset(db: Db, key: string): Promise<void> {
  await db.deleteFrom('rate_limits').where('key', '=', key).execute();
}

/** Drops windows that ended more than a day ago. */
export async function pruneRateLimits(db: Db): Promise<void> {
  await db.deleteFrom('rate_limits').where('window_start', '<', sql<Date>`now() - interval '1 day'`).execute();
}
