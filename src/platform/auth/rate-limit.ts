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
 * Counts one hit on `key` in a fixed window stored in PostgreSQL, so the limit
 * holds across every app process. Throws `rate_limited` (429 with Retry-After)
 * once the window's budget is spent.
 */
export async function hit(db: Db, key: string, limit: Limit): Promise<void> {
  const row = await sql<{ count: number; window_start: Date }>`
    INSERT INTO rate_limits (key, window_start, count)
    VALUES (${key}, to_timestamp(floor(extract(epoch FROM now()) / ${limit.windowSeconds}) * ${limit.windowSeconds}), 1)
    ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
    RETURNING count, window_start ${PREPARED}`.execute(db);
  const r = row.rows[0]!;
  if (r.count > limit.max * SCALE) {
    const retryAfter = Math.max(1, Math.ceil((r.window_start.getTime() + limit.windowSeconds * 1000 - Date.now()) / 1000));
    throw new AppError('rate_limited', { retryAfter });
  }
}

/** Forgets a key's counts (after a successful log-in, the per-account counter starts over). */
export async function reset(db: Db, key: string): Promise<void> {
  await db.deleteFrom('rate_limits').where('key', '=', key).execute();
}

/** Drops windows that ended more than a day ago. */
export async function pruneRateLimits(db: Db): Promise<void> {
  await db.deleteFrom('rate_limits').where('window_start', '<', sql<Date>`now() - interval '1 day'`).execute();
}
