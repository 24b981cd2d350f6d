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
import { parseArgs } from 'node:util';
import { connect } from '../src/platform/db/db.js';
import { defaultPoolSize } from '../src/platform/config.js';
import { loadActor, type UserActor } from '../src/platform/auth/actor.js';
import { forYouLists } from '../src/community/for-you.js';
import { trackedPage } from '../src/discussions/tracking.js';
import { benchDatabase, postgresCpu } from './common.js';
import { benchMembers } from './realistic.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { pool: { type: 'string' }, callers: { type: 'string', default: '50' }, seconds: { type: 'string', default: '10' } },
});
const what = positionals[0] ?? 'home';
if (what !== 'home' && what !== 'unread') throw new Error('home or unread');

const { url, stop } = await benchDatabase({ fresh: false });
// The app's own default unless --pool says otherwise.
const pool = Number(values.pool ?? defaultPoolSize(url));
const h = connect(url, 'postgres', { max: pool });
try {
  const actors: UserActor[] = [];
  for (const { id } of await benchMembers(h.db, 1000)) actors.push((await loadActor(h.db, id, 'session')) as UserActor);
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
  console.log(`${what}: ${Math.round(n / secs)} statements a second through ${pool} connections; PostgreSQL ${(cpu / secs).toFixed(2)} cores, ${((cpu * 1000) / n).toFixed(2)} ms of CPU per statement`);
} finally {
  await h.close();
  await stop();
}
