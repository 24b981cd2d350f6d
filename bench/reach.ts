/**
 * `npm run bench:reach`: how fast the reach dashboard answers over 10 million
 * view events. Fills a fresh database (BENCH_DATABASE_URL's server, or an
 * embedded PostgreSQL in a temporary folder) with 2,000 resources, 10,000,000
 * raw view events over a year, 2,000 share links and 20,000 partner reports;
 * runs the rollup job; then times the dashboard's query for several filters.
 * Results go to bench/results/reach-<date>.json and a Markdown table on stdout.
 *
 *   npm run bench:reach                 10M events
 *   npm run bench:reach -- --events 1e6 a quicker run
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { sql } from 'kysely';
import { connect } from '../src/platform/db/db.js';
import { startEmbedded } from '../src/platform/db/embedded.js';
import { migrate } from '../src/platform/db/migrate.js';
import { rollupReach, reachSummary } from '../src/reach/ledger.js';
import { ANONYMOUS, type Actor } from '../src/platform/auth/actor.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '10000000' }, runs: { type: 'string', default: '20' } } });
const EVENTS = Math.round(Number(values.events));
const RUNS = Number(values.runs);
const RESOURCES = 2000;

function bar(label: string, done: number, total: number) {
  const pct = Math.round((done / total) * 100);
  process.stderr.write(`\r${label.padEnd(28)} [${'#'.repeat(Math.round(pct / 4)).padEnd(25, '.')}] ${pct}%`);
  if (done >= total) process.stderr.write('\n');
}

async function main() {
  let stop = async () => {};
  let adminUrl = process.env.BENCH_DATABASE_URL;
  if (!adminUrl) {
    const dir = mkdtempSync(path.join(tmpdir(), 'convene-bench-'));
    const server = await startEmbedded({ dataDir: dir, settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_wal_size: '4GB', work_mem: '64MB', maintenance_work_mem: '512MB' } });
    adminUrl = server.url.replace(/\/convene$/, '/postgres');
    stop = async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const name = 'convene_bench_reach';
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  const handle = connect(url.toString(), 'postgres', { max: 4 });
  const db = handle.db;
  try {
    const t0 = Date.now();
    await sql`INSERT INTO organizations (slug, name, kind, level) SELECT 'org-' || g, 'Organization ' || g, 'member', 'national' FROM generate_series(1, 50) g`.execute(db);
    await sql`INSERT INTO resources (slug, title, summary, kind, audiences, published_on, created_at, updated_at)
      SELECT 'resource-' || g, 'Resource number ' || g, 'A synthetic resource for the benchmark.', 'brief',
             ARRAY[(ARRAY['family','youth','educator','school_mh','administrator'])[1 + g % 5]], current_date - (g % 700), now(), now()
        FROM generate_series(1, ${RESOURCES}) g`.execute(db);
    await sql`INSERT INTO share_links (code, resource_id, organization_id, channel, created_at)
      SELECT 'bench' || lpad(g::text, 6, '0'), 1 + (g * 7919) % ${RESOURCES}, 1 + g % 50, 'newsletter', now() FROM generate_series(1, 2000) g`.execute(db);
    // Ten million events in chunks: a year of days, visitors drawn from three million, one in ten through a share link.
    const chunk = 1_000_000;
    for (let done = 0; done < EVENTS; done += chunk) {
      const n = Math.min(chunk, EVENTS - done);
      await sql`INSERT INTO view_events (resource_id, kind, link_id, visitor, day, at)
        SELECT 1 + (h % ${RESOURCES}),
               CASE WHEN h % 10 = 0 THEN 3 WHEN h % 4 = 0 THEN 2 ELSE 1 END,
               CASE WHEN h % 10 = 0 THEN 1 + (h / 10) % 2000 ELSE NULL END,
               substring(sha256(int8send(h % 3000000)) from 1 for 16),
               current_date - (h % 365)::int,
               now()
          FROM (SELECT (g * 2654435761) % 4294967291 AS h FROM generate_series(${done + 1}::bigint, ${done + n}::bigint) g) x`.execute(db);
      bar(`view events (${(EVENTS / 1e6).toFixed(1)}M)`, done + n, EVENTS);
    }
    await sql`INSERT INTO dissemination_reports (resource_id, organization_id, channel, recipients, sent_on, audiences, states, status, created_at)
      SELECT 1 + g % ${RESOURCES}, 1 + g % 50, 'newsletter', 100 + (g * 37) % 50000, current_date - (g % 365),
             ARRAY['family'], ARRAY[(ARRAY['MD','OH','SC','MO','IL','KY'])[1 + g % 6]], CASE WHEN g % 13 = 0 THEN 'questioned' ELSE 'verified' END, now()
        FROM generate_series(1, 20000) g`.execute(db);
    await sql`ANALYZE`.execute(db);
    const filled = Date.now() - t0;
    process.stderr.write(`filled in ${(filled / 1000).toFixed(1)} s; rolling up...\n`);
    const r0 = Date.now();
    const rolled = await rollupReach(db, { since: '1970-01-01' });
    const rollupMs = Date.now() - r0;
    await sql`ANALYZE`.execute(db);
    process.stderr.write(`rolled up ${rolled.days} days in ${(rollupMs / 1000).toFixed(1)} s\n`);

    const facilitator: Actor = { kind: 'user', id: 0, name: 'bench', email: '', emailVerified: true, role: 'facilitator', isYouth: false, locale: 'en', timeZone: null, twoFactor: true, memberships: new Map(), via: 'session' };
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);
    const cases: [string, Actor, Parameters<typeof reachSummary>[2]][] = [
      ['whole community, one year (facilitator)', facilitator, { from, to }],
      ['whole community, one year (public view)', ANONYMOUS, { from, to }],
      ['one partner', facilitator, { from, to, partner: 7 }],
      ['one state', facilitator, { from, to, state: 'OH' }],
      ['last 30 days', facilitator, { from: new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10), to }],
    ];
    const results = [];
    for (const [label, actor, f] of cases) {
      await reachSummary(db, actor, f, 4_500_000); // warm
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const s = performance.now();
        await reachSummary(db, actor, f, 4_500_000);
        times.push(performance.now() - s);
      }
      times.sort((a, b) => a - b);
      const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
      results.push({ case: label, runs: RUNS, p50_ms: +q(0.5).toFixed(1), p95_ms: +q(0.95).toFixed(1), max_ms: +times[times.length - 1]!.toFixed(1) });
    }
    const out = { date: new Date().toISOString(), events: EVENTS, resources: RESOURCES, fill_seconds: +(filled / 1000).toFixed(1), rollup_seconds: +(rollupMs / 1000).toFixed(1), node: process.version, results };
    const dir = path.join(import.meta.dirname ?? '.', 'results');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `reach-${out.date.slice(0, 10)}.json`);
    writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
    console.log(`\nReach dashboard over ${EVENTS.toLocaleString('en-US')} view events (rollup ${out.rollup_seconds} s)\n`);
    console.log('| case | p50 ms | p95 ms | max ms |\n|---|---|---|---|');
    for (const r of results) console.log(`| ${r.case} | ${r.p50_ms} | ${r.p95_ms} | ${r.max_ms} |`);
    console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
  } finally {
    await handle.close();
    const a = new pg.Client({ connectionString: adminUrl });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${name}`).catch(() => {});
    await a.end();
    await stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
