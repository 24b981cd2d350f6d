/**
 * `npm run bench`: starts the real server (production mode) against the
 * database `npm run bench:seed` filled, then drives it from this separate
 * process with autocannon over loopback. For each scenario: requests per
 * second, p50/p95/p99 latency, errors, and each figure as a ratio to the hello
 * route measured in the same run; the server's peak memory. Results go to
 * bench/results/<date>[-workersN].json and .md (the Markdown table is also printed).
 *
 *   npm run bench                       one process, 10 s per scenario, 50 connections
 *   npm run bench -- --workers 2        two processes behind one port (node:cluster)
 *   npm run bench -- --duration 20 --only thread
 *   npm run bench -- --warmup 0         measure from the first request (default: 3 s of
 *                                       unmeasured load per scenario first, see load())
 *   npm run bench -- --startup          also time `convene start` on an existing demo data dir
 *   npm run bench -- --serve            start the server on the bench data, print its address and
 *                                       a signed-in cookie, and keep it running (for probing)
 *   npm run bench -- --only realistic   only the realistic scenarios (bench/realistic.ts: many
 *                                       different pages, queries and people, drawn with a Zipf law)
 *   npm run bench -- --only thread --cpu-prof
 *                                       write the server's V8 CPU profile to bench/profiles/ and
 *                                       print where its time went (see bench/profile.ts)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { connect } from '../src/platform/db/db.js';
import { BENCH_SESSION_SECRET, BENCH_TOTP_SECRET, benchDatabase, cpuOf, postgresCpu } from './common.js';
import { currentCode } from '../src/accounts/two-factor.js';
import { REALISTIC, memberCookies, realisticData, realisticScenarios } from './realistic.js';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '1' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string' },
    startup: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    serve: { type: 'boolean', default: false },
    /** The server's V8 heap limit in MB; default: the one `npm start` gives (package.json), "none" for V8's own. */
    heap: { type: 'string' },
  },
});
const WORKERS = Math.max(1, Number(values.workers));
const DURATION = Number(values.duration);
const WARMUP = Math.max(0, Number(values.warmup) || 0);
const CONNECTIONS = Number(values.connections);
const PASSWORD = 'bench password';
const SECRET = BENCH_SESSION_SECRET;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });

/** A memory figure of a process and its descendants, in bytes (Linux /proc). */
function treeSum(pid: number, read: (pid: number) => number): number {
  let total = 0;
  const walk = (p: number) => {
    try {
      total += read(p);
      for (const t of readdirSync(`/proc/${p}/task`)) {
        const kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim();
        for (const k of kids ? kids.split(/\s+/) : []) walk(Number(k));
      }
    } catch {
      /* the process ended */
    }
  };
  walk(pid);
  return total;
}

/** Resident memory of one process, in bytes. */
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
/** Proportional set size of one process (shared pages divided among their users), in bytes. */
const pssOf = (pid: number) => Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) * 1024;
/** Resident memory of a process and its descendants. */
const rss = (pid: number) => treeSum(pid, rssOf);

/** CPU seconds so far of the server's process tree, of every PostgreSQL process on the machine, and of this load generator. */
function cpuNow(serverPid: number): { server: number; postgres: number; load: number } {
  const u = process.cpuUsage();
  return { server: treeSum(serverPid, cpuOf), postgres: postgresCpu(), load: (u.user + u.system) / 1e6 };
}

const PROFILE_DIR = path.resolve('bench/profiles');

/** The heap limit `npm start` runs Convene with (package.json's start script), so the bench measures the server as deployed. */
function heapFlags(): string[] {
  if (values.heap === 'none') return [];
  if (values.heap) return [`--max-old-space-size=${Number(values.heap)}`];
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.start ?? '';
  const flag = /--max-old-space-size=\d+/.exec(start)?.[0];
  return flag ? [flag] : [];
}

async function startServer(env: Record<string, string>, args: string[]): Promise<ChildProcess> {
  const profile = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...heapFlags(), ...profile, 'dist/bench/server.js', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return child;
}

/**
 * A browser's cookie jar, as far as the bench needs one: later cookies replace
 * earlier ones of the same name, and a cookie set to nothing (cleared) goes.
 */
class CookieJar {
  private readonly jar = new Map<string, string>();
  take(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0]!;
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1);
      if (value === '' || /;\s*max-age=0/i.test(c) || /;\s*expires=Thu, 01 Jan 1970/i.test(c)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }
  header(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * Signs in through the real form and returns the cookies a browser would then
 * send: the session and the CSRF secret (without the latter, every signed-in
 * page would mint a new secret and set a cookie, which no browser causes).
 */
async function signIn(base: string, email: string): Promise<string> {
  const jar = new CookieJar();
  const page = await fetch(`${base}/login`);
  jar.take(page);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ _csrf: csrf, email, password: PASSWORD }).toString(),
  });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  jar.take(res);
  if (res.headers.get('location') !== '/login/two-factor') return jar.header();
  // The facilitator's second step, with the code an authenticator app would show.
  const second = await fetch(`${base}/login/two-factor`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ _csrf: csrf, code: currentCode(BENCH_TOTP_SECRET) }).toString(),
  });
  if (second.status !== 303) throw new Error(`second sign-in step failed: ${second.status}`);
  jar.take(second);
  return jar.header();
}

interface Result {
  name: string;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
  /** Cores busy during the measured run: the server's processes, PostgreSQL's, and this load generator (autocannon runs in it). */
  cores?: { server: number; postgres: number; load: number };
  /** The unmeasured warm-up before the measured run. */
  cold?: { seconds: number; rps: number; p99: number; errors: number; non2xx: number };
  note?: string;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
/** The server under test, for CPU accounting. */
let serverPid: number | undefined;

/**
 * One scenario: WARMUP seconds of the same load, not measured, then DURATION
 * seconds measured. Without the warm-up a 10 s run's p99 is its first second:
 * 50 connections open at once on code V8 has not optimized yet, and those
 * ~100 requests are the slowest 1 % (session 10: the facilitator's thread page
 * gave p99 169 ms measured cold and 45-98 ms in every later half-second).
 * The warm-up's own figures are kept in `cold`. `beforeMeasure` runs between
 * the two (the reply scenario counts stored replies from there).
 */
async function load(name: string, opts: autocannon.Options, beforeMeasure?: () => Promise<void>): Promise<Result> {
  const figures = (r: autocannon.Result) => {
    const l = r.latency as unknown as Record<string, number>;
    return { rps: Math.round(r.requests.average), p50: l.p50!, p95: l.p95 ?? l.p97_5!, p99: l.p99!, errors: r.errors + r.timeouts, non2xx: r.non2xx, requests: r.requests.total };
  };
  const cold = WARMUP > 0 ? figures(await autocannon({ connections: CONNECTIONS, duration: WARMUP, ...opts })) : undefined;
  await beforeMeasure?.();
  const c0 = serverPid ? cpuNow(serverPid) : undefined;
  const t0 = performance.now();
  const r = figures(await autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts }));
  const s = (performance.now() - t0) / 1000;
  const c1 = serverPid ? cpuNow(serverPid) : undefined;
  const cores = c0 && c1 ? { server: round2((c1.server - c0.server) / s), postgres: round2((c1.postgres - c0.postgres) / s), load: round2((c1.load - c0.load) / s) } : undefined;
  return { name, ...r, ...(cores ? { cores } : {}), ...(cold ? { cold: { seconds: WARMUP, rps: cold.rps, p99: cold.p99, errors: cold.errors, non2xx: cold.non2xx } } : {}) };
}

async function main() {
  const { url, stop: stopDb } = await benchDatabase({ fresh: false });
  const handle = connect(url, 'postgres', { max: 4 });
  const db = handle.db;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'convene-bench-run-'));
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: url,
    PORT: String(port),
    HOST: '127.0.0.1',
    BASE_URL: base,
    CONVENE_SEED: 'none',
    CONVENE_DATA_DIR: dataDir,
    CONVENE_WORKERS: 'off',
    SESSION_SECRET: SECRET,
    LOG_LEVEL: 'warn',
    // One loopback address stands in for thousands of people.
    CONVENE_RATE_LIMIT_SCALE: '100000',
  };
  const server = await startServer(env, ['--workers', String(WORKERS)]);
  serverPid = server.pid;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rss(server.pid!))), 200);
  const results: Result[] = [];
  // --only "hello|realistic": any of several substrings.
  const want = (name: string) => !values.only || values.only.split('|').some((s) => s && name.includes(s));
  try {
    const cookie = await signIn(base, 'bench1@bench.convene.test');
    const authed = { headers: { cookie } };
    // A plain member of the benchmark thread's group: the typical signed-in reader (the
    // facilitator's pages carry moderation controls on every post).
    const memberEmail =
      (
        await sql<{ email: string }>`SELECT u.email FROM users u JOIN group_memberships m ON m.user_id = u.id
           WHERE m.group_id = (SELECT group_id FROM threads WHERE id = 1) AND m.status = 'active' AND m.role = 'member' AND u.role = 'member'
           ORDER BY u.id LIMIT 1`.execute(db)
      ).rows[0]?.email ?? 'bench2@bench.convene.test';
    const asMember = { headers: { cookie: await signIn(base, memberEmail) } };
    if (values.serve) {
      console.log(`serving ${base}\nsigned in as the facilitator: COOKIE='${cookie}'\nCtrl-C to stop`);
      await new Promise((resolve) => process.once('SIGINT', resolve));
      return;
    }
    // Warm up: first requests compile templates and fill caches.
    for (const p of ['/', '/threads/1', '/groups/bench-group-1', '/resources', '/reach']) await fetch(base + p, authed);

    const scenarios: [string, autocannon.Options][] = [
      ['hello (GET /healthz)', { url: `${base}/healthz` }],
      ['home page, signed in', { url: `${base}/`, ...authed }],
      ['group page, signed in', { url: `${base}/groups/bench-group-1`, ...authed }],
      ['group page, signed in as a member', { url: `${base}/groups/bench-group-1`, ...asMember }],
      ['thread page (20 posts), signed out', { url: `${base}/threads/1` }],
      ['thread page (20 posts), signed in', { url: `${base}/threads/1`, ...authed }],
      ['thread page (20 posts), signed in as a member', { url: `${base}/threads/1`, ...asMember }],
      ['library, two facets, signed out', { url: `${base}/resources?kind=guide&audience=family` }],
      ['library, two facets, signed in', { url: `${base}/resources?kind=guide&audience=family`, ...authed }],
      ['search, 2 words, signed out', { url: `${base}/search?q=family%20screening` }],
      // Signed in: the answer and its markup are shared by readers of the same class for the cache period;
      // each request still checks the session and spends the address and per-person search budgets.
      ['search, 2 words, signed in', { url: `${base}/search?q=family%20screening`, ...authed }],
      ['reach dashboard (year), signed in', { url: `${base}/reach`, ...authed }],
      // One facilitator opening the printable report (issue 28: under one second at scale 1): latency, one at a time.
      ['funder report (year), facilitator, one at a time', { url: `${base}/reach/report`, ...authed, connections: 1 }],
    ];
    for (const [name, opts] of scenarios) {
      if (!want(name)) continue;
      process.stderr.write(`${name}...\n`);
      results.push(await load(name, opts));
    }

    // Traffic as people send it: many different pages, queries and people (bench/realistic.ts).
    if (REALISTIC.some(want)) {
      process.stderr.write('realistic: drawing pages, queries and 1,000 members...\n');
      const [data, cookies] = await Promise.all([realisticData(db), memberCookies(db, SECRET, 1000)]);
      for (const [name, opts] of realisticScenarios(base, data, cookies)) {
        if (!want(name)) continue;
        process.stderr.write(`${name}...\n`);
        results.push(await load(name, opts));
      }
    }

    if (want('reply')) {
      process.stderr.write('reply as 50 users...\n');
      let before = 0;
      const count = async () => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM posts WHERE body LIKE 'Bench reply %'`.execute(db)).rows[0]!.n);
      let i = 0;
      // Replies go to community-space threads (every twentieth thread), where every member may post.
      const spread = Math.max(1, Math.min(500, Math.floor(Number((await sql<{ n: number }>`SELECT max(id)::int AS n FROM threads`.execute(db)).rows[0]!.n) / 20)));
      const r = await load('reply as 50 users (API)', {
        url: base,
        method: 'POST',
        setupClient: () => {},
        requests: [
          {
            setupRequest: (req) => {
              const n = ++i;
              return {
                ...req,
                method: 'POST',
                path: `/api/v1/threads/${20 * (1 + (n % spread))}/posts`,
                headers: { 'content-type': 'application/json', authorization: `Bearer cvn_bench_${1 + (n % 50)}` },
                body: JSON.stringify({ body: `Bench reply ${process.pid}-${n}: how did your district explain screening to families?` }),
              };
            },
          },
        ],
      }, async () => {
        // Replies answered during the warm-up may still be committing: let them land before counting.
        await new Promise((r) => setTimeout(r, 500));
        before = await count();
      });
      await new Promise((r) => setTimeout(r, 500));
      const after = await count();
      const dupes = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM (SELECT body FROM posts WHERE body LIKE 'Bench reply %' GROUP BY body HAVING count(*) > 1) d`.execute(db)).rows[0]!.n);
      r.note = `${after - before} replies stored for ${r.requests - r.non2xx - r.errors} successful requests; ${dupes} stored twice`;
      results.push(r);
    }

    if (want('registration')) {
      process.stderr.write('registration: 200 at once for the last 10 seats...\n');
      const ev = await sql<{ id: number }>`INSERT INTO events (uid, kind, title, starts_at, ends_at, time_zone, capacity, created_by)
        VALUES ('bench-last-seats-' || gen_random_uuid() || '@bench', 'webinar', 'Last seats', now() + interval '10 days', now() + interval '10 days 1 hour', 'UTC', 10, 1) RETURNING id`.execute(db);
      const id = ev.rows[0]!.id;
      const t0 = performance.now();
      const statuses = await Promise.all(
        Array.from({ length: 200 }, (_, k) =>
          fetch(`${base}/api/v1/events/${id}/registrations`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer cvn_bench_${100 + k}` },
            body: JSON.stringify({ response: 'going' }),
          }).then(async (res) => (res.ok ? ((await res.json()) as { status: string }).status : `http ${res.status}`)),
        ),
      );
      const ms = performance.now() - t0;
      const confirmed = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM event_registrations WHERE event_id = ${id} AND status = 'confirmed'`.execute(db)).rows[0]!.n);
      results.push({
        name: 'event registration, 200 at once for 10 seats',
        rps: Math.round(200 / (ms / 1000)),
        p50: NaN,
        p95: NaN,
        p99: Math.round(ms),
        errors: statuses.filter((s) => s.startsWith('http')).length,
        non2xx: 0,
        requests: 200,
        note: `${confirmed} confirmed, ${statuses.filter((s) => s === 'waitlisted').length} waitlisted (all 200 answered in ${Math.round(ms)} ms)`,
      });
    }
  } finally {
    clearInterval(sampler);
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await handle.close();
    await stopDb();
    rmSync(dataDir, { recursive: true, force: true });
  }

  if (values.serve) return;
  if (values['cpu-prof']) {
    const { summarize } = await import('./profile.js');
    // The run writes one profile per thread: summarize the busiest, the main thread.
    const files = readdirSync(PROFILE_DIR).filter((f) => f.endsWith('.cpuprofile')).sort();
    // Names are CPU.<date>.<time>.<pid>.<thread>.<seq>: the threads of one run share the pid, not always the time.
    const pid = files.at(-1)?.split('.')[3];
    const main = files.filter((f) => f.split('.')[3] === pid).sort((a, b) => statSync(path.join(PROFILE_DIR, b)).size - statSync(path.join(PROFILE_DIR, a)).size)[0];
    if (main) console.log(summarize(path.join(PROFILE_DIR, main)));
  }

  let startup: StartupResult | undefined;
  if (values.startup) startup = await timeStartup();

  const hello = results.find((r) => r.name.startsWith('hello'));
  const ratio = (v: number) => (hello && hello.rps ? (v / hello.rps).toFixed(2) : '—');
  const date = new Date().toISOString().slice(0, 10);
  const suffix = WORKERS > 1 ? `-workers${WORKERS}` : '';
  const out = {
    date: new Date().toISOString(),
    workers: WORKERS,
    connections: CONNECTIONS,
    duration_s: DURATION,
    warmup_s: WARMUP,
    node: process.version,
    cpus: (await import('node:os')).cpus().length,
    server_peak_rss_mb: Math.round(peak / 1048576),
    server_heap_flags: heapFlags().join(' '),
    results: results.map((r) => ({ ...r, rps_vs_hello: hello ? Number(ratio(r.rps)) : null })),
    startup,
  };
  const md = [
    `Convene benchmark, ${date}: ${WORKERS} process(es), ${CONNECTIONS} connections, ${DURATION} s measured per scenario after ${WARMUP} s of the same load unmeasured, Node ${process.version}, ${out.cpus} CPUs; server peak memory ${out.server_peak_rss_mb} MB${out.server_heap_flags ? ` (${out.server_heap_flags})` : ''}.`,
    '',
    '| scenario | req/s | × hello | p50 ms | p95 ms | p99 ms | errors | non-2xx | cores: server / PostgreSQL / load | warm-up: req/s, p99 ms | note |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.rps} | ${ratio(r.rps)} | ${Number.isNaN(r.p50) ? '—' : r.p50} | ${Number.isNaN(r.p95) ? '—' : r.p95} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${r.cores ? `${r.cores.server} / ${r.cores.postgres} / ${r.cores.load}` : '—'} | ${r.cold ? `${r.cold.rps}, ${r.cold.p99}${r.cold.errors + r.cold.non2xx ? ` (${r.cold.errors + r.cold.non2xx} failed)` : ''}` : '—'} | ${r.note ?? ''} |`,
    ),
    ...(startup ? ['', `Embedded start on an existing demo data dir: first page in ${startup.firstPageMs} ms; after a visitor's look around, the Node process holds ${startup.nodeRssMb} MB (resident) and the embedded PostgreSQL ${startup.postgresPssMb} MB (proportional; ${startup.rssMb} MB summing every process's resident pages).`] : []),
  ].join('\n');
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/${date}${suffix}.json`, JSON.stringify(out, null, 2) + '\n');
  writeFileSync(`bench/results/${date}${suffix}.md`, md + '\n');
  console.log(md);
}

/** `convene start` on an embedded data dir that already holds the demo: time to the first page, and memory once up. */
async function timeStartup(): Promise<StartupResult> {
  const dir = path.resolve('data/bench-startup');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, CONVENE_DATA_DIR: dir, PORT: String(port), NODE_ENV: 'production', LOG_LEVEL: 'warn' };
  const run = async (): Promise<StartupResult> => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['bin/convene.js', 'start'], { env, stdio: 'ignore' });
    for (;;) {
      try {
        const res = await fetch(`${base}/`);
        if (res.ok) break;
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    const ms = performance.now() - t0;
    // A visitor's first look around, so the memory figure is of a server in use.
    for (const p of ['/groups', '/discussions', '/resources', '/events', '/glossary', '/agenda', '/people', '/search?q=family', '/login']) await (await fetch(base + p)).text();
    await new Promise((r) => setTimeout(r, 1000));
    const node = rssOf(child.pid!);
    const all = rss(child.pid!);
    const postgres = treeSum(child.pid!, pssOf) - pssOf(child.pid!);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    const mb = (b: number) => Math.round(b / 1048576);
    return { firstPageMs: Math.round(ms), nodeRssMb: mb(node), postgresPssMb: mb(postgres), rssMb: mb(all) };
  };
  if (!existsSync(path.join(dir, 'pg'))) await run(); // first start: creates the data dir and loads the demo
  return run();
}

interface StartupResult {
  firstPageMs: number;
  /** The Node process alone. */
  nodeRssMb: number;
  /** The embedded PostgreSQL's processes, shared memory counted once (proportional set size). */
  postgresPssMb: number;
  /** Resident memory summed over the process tree (counts shared buffers once per backend). */
  rssMb: number;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
