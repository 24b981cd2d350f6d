import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { startEmbedded } from '../src/platform/db/embedded.js';

export const BENCH_DB = 'convene_bench';
/** The bench server's SESSION_SECRET (it seals the facilitator's two-factor seed, so the seed and the run share it). */
export const BENCH_SESSION_SECRET = 'bench-session-secret-that-is-long-enough-0123456789';
/** bench1 is a facilitator, so it signs in with a second factor, as production requires. */
export const BENCH_TOTP_SECRET = 'BENCHTWOFACTORSECRETABCDEFGH2345';

/** A progress bar on stderr. */
export function bar(label: string, done: number, total: number) {
  const pct = Math.round((done / total) * 100);
  process.stderr.write(`\r${label.padEnd(28)} [${'#'.repeat(Math.round(pct / 4)).padEnd(25, '.')}] ${pct}%`);
  if (done >= total) process.stderr.write('\n');
}

/**
 * The benchmark database: `convene_bench` on BENCH_DATABASE_URL's server, or
 * on an embedded PostgreSQL whose files stay in ./data/bench between the seed
 * and the runs. `fresh` drops and re-creates it.
 */
export async function benchDatabase(opts: { fresh: boolean }): Promise<{ url: string; stop: () => Promise<void> }> {
  let adminUrl = process.env.BENCH_DATABASE_URL;
  let stop = async () => {};
  if (!adminUrl) {
    const server = await startEmbedded({
      dataDir: path.resolve('data/bench'),
      settings: { shared_buffers: '512MB', work_mem: '32MB', maintenance_work_mem: '512MB', max_wal_size: '4GB', max_connections: '200' },
    });
    adminUrl = server.url.replace(/\/convene$/, '/postgres');
    stop = () => server.stop();
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    if (opts.fresh) await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`);
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [BENCH_DB]);
    if (exists.rowCount === 0) {
      if (!opts.fresh) throw new Error('no benchmark database: run `npm run bench:seed` first');
      await admin.query(`CREATE DATABASE ${BENCH_DB}`);
    }
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${BENCH_DB}`;
  return { url: url.toString(), stop };
}

/** CPU time (user + system) of one process, in seconds; 0 once it has ended. */
export function cpuOf(pid: number | string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
/** Linux reports CPU times in USER_HZ ticks, 100 a second on every architecture Node runs on here (`getconf CLK_TCK`). */
const CLOCK_TICKS = 100;

/** CPU seconds so far of every PostgreSQL process on the machine (Linux /proc). */
export function postgresCpu(): number {
  let total = 0;
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'postgres') total += cpuOf(p);
    } catch {
      /* the process ended */
    }
  }
  return total;
}
