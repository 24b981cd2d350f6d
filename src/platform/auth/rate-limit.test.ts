import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabase } from '../../../test/helpers.js';
import type { Db } from '../db/db.js';
import { AppError } from '../http/errors.js';
import { hit, hitAll, setRateLimitClock } from './rate-limit.js';

let db: Db;
let close: () => Promise<void>;
// Five seconds into an hour: the windows below (a minute, an hour) never turn during the test.
// (On the real clock, a run at 22:59:58 saw the hour's window end two seconds later.)
let restoreClock: () => number;
before(async () => {
  ({ db, close } = await createTestDatabase());
  restoreClock = setRateLimitClock(() => Date.UTC(2026, 11, 6, 10, 0, 5));
});
after(() => {
  setRateLimitClock(restoreClock);
  return close();
});

const count = async (key: string) => Number((await sql<{ n: number }>`SELECT coalesce(sum(count), 0)::int AS n FROM rate_limits WHERE key = ${key}`.execute(db)).rows[0]!.n);

describe('rate limits in PostgreSQL', () => {
  test('several keys are counted in one call; the call is refused when any key is spent, with the longest wait', async () => {
    const perMinute = { max: 2, windowSeconds: 60 };
    const perHour = { max: 5, windowSeconds: 3600 };
    const both = [
      { key: 'test:min', limit: perMinute },
      { key: 'test:hour', limit: perHour },
    ];
    await hitAll(db, both);
    await hitAll(db, both);
    assert.equal(await count('test:min'), 2);
    assert.equal(await count('test:hour'), 2);
    const refused = await hitAll(db, both).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(refused instanceof AppError && refused.code === 'rate_limited', 'the third call is refused');
    // The hour key is not spent, but the wait is the longest among the spent keys: the minute's.
    assert.equal(refused.retryAfter, 55, 'until the minute turns');
    assert.equal(await count('test:hour'), 3, 'a refused call still counts');

    // One key alone is the same limit.
    await hit(db, 'test:single', { max: 1, windowSeconds: 3600 });
    await assert.rejects(hit(db, 'test:single', { max: 1, windowSeconds: 3600 }), (e: unknown) => e instanceof AppError && e.retryAfter === 3595);
  });

  test('concurrent hits on one key are all counted', async () => {
    await Promise.all(Array.from({ length: 20 }, () => hit(db, 'test:crowd', { max: 100, windowSeconds: 60 })));
    assert.equal(await count('test:crowd'), 20);
  });

  test('the counters are kept in an unlogged table (no disk flush per hit)', async () => {
    const r = await sql<{ p: string }>`SELECT relpersistence AS p FROM pg_class WHERE relname = 'rate_limits'`.execute(db);
    assert.equal(r.rows[0]!.p, 'u');
  });
});
