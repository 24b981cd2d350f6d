/**
 * The home's lists statement, or Unread's first page, alone: many callers at once for the
 * realistic bench's 1,000 members, through the app's own pool and prepared statements, with
 * the CPU PostgreSQL spent per statement. It separates what the database costs from what the
 * server costs (session 25: 3.8 ms per home statement through 20 connections, 1.2 ms for one
 * warm member alone).
 *
 *   npx tsx bench/statements.ts [home|unread] [--pool N] [--callers N] [--seconds N]
 *
 * Uses the bench database as `npm run bench` does (BENCH_DATABASE_URL's server, or the embedded
 * one in ./data/bench); Linux only (PostgreSQL's CPU is read from /proc).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { connect } from '../src/platform/db/db.js';
import { loadActor, type UserActor } from '../src/platform/auth/actor.js';
import { forYouLists } from '../src/community/for-you.js';
import { trackedPage } from '../src/discussions/tracking.js';
import { benchDatabase } from './common.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { pool: { type: 'string', default: '6' }, callers: { type: 'string', default: '50' }, seconds: { type: 'string', default: '10' } },
});
const what = positionals[0] ?? 'home';
if (what !== 'home' && what !== 'unread') throw new Error('home or unread');

/** CPU seconds used so far by every process named postgres. */
function postgresCpu(): number {
  let ticks = 0;
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/comm`, 'utf8').trim() !== 'postgres') continue;
      const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // The process ended while being read.
    }
  }
  return ticks / 100;
}

const { url, stop } = await benchDatabase({ fresh: false });
const h = connect(url, 'postgres', { max: Number(values.pool) });
try {
  // The members the realistic bench signs in as (bench/realistic.ts memberCookies).
  const ids = (
    await sql<{ id: number }>`SELECT id FROM users WHERE role = 'member' AND deactivated_at IS NULL AND email_verified_at IS NOT NULL AND totp_enabled_at IS NULL ORDER BY md5(id::text) LIMIT 1000`.execute(h.db)
  ).rows.map((r) => r.id);
  const actors: UserActor[] = [];
  for (const id of ids) actors.push((await loadActor(h.db, id, 'session')) as UserActor);
  const once = (a: UserActor) => (what === 'home' ? forYouLists.execute(h.db, a) : trackedPage(h.db, a, 'unread'));
  const drive = async (ms: number) => {
    let n = 0;
    const until = Date.now() + ms;
    const caller = async () => {
      while (Date.now() < until) {
        await once(actors[Math.floor(Math.random() * actors.length)]!);
        n++;
      }
    };
    await Promise.all(Array.from({ length: Number(values.callers) }, caller));
    return n;
  };
  await drive(3000); // every connection past its first, custom-planned executions
  const c0 = postgresCpu();
  const t0 = Date.now();
  const n = await drive(Number(values.seconds) * 1000);
  const secs = (Date.now() - t0) / 1000;
  const cpu = postgresCpu() - c0;
  console.log(`${what}: ${Math.round(n / secs)} statements a second through ${values.pool} connections; PostgreSQL ${(cpu / secs).toFixed(2)} cores, ${((cpu * 1000) / n).toFixed(2)} ms of CPU per statement`);
} finally {
  await h.close();
  await stop();
}
