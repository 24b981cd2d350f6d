// Every capability's permission rules, for the web server and the worker alike.
import './policies.js';
import { registerJobs } from './jobs.js';
import { parseArgs } from 'node:util';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, ConfigError } from './platform/config.js';
import { openDatabase, type DatabaseHandle } from './platform/db/db.js';
import { migrate } from './platform/db/migrate.js';
import { EmbeddedStartError, ensureOsUser } from './platform/db/embedded.js';
import { mailFrom, startServer } from './server.js';
import { Jobs } from './platform/jobs/jobs.js';
import { createMailer } from './platform/mail/mailer.js';
import { DEMO_TOTP_SECRET, currentCode } from './accounts/two-factor.js';
import { seedDemo } from './seed/seed.js';
import { createAccount } from './accounts/commands.js';
import { exportCommunity, importCommunity } from './exchange/exchange.js';
import { backupEmbedded, installUploads, readExportArchive, restoreEmbedded, writeExportArchive } from './exchange/archive.js';
import { createApiToken } from './accounts/tokens.js';
import { sql } from 'kysely';

const HELP = `Usage: convene <command> [options]

Commands:
  start                         run the web server (default); it also runs background jobs
                                unless CONVENE_WORKERS=off
  worker                        run background jobs only (email, digests, reminders, rollups,
                                data downloads, deletions, retention), for deployments that
                                separate web and job processes
  migrate                       apply pending database migrations
  seed                          load the demo community into an empty database
  create-admin --email E --password P --name N
                                create an instance admin (or promote an existing account)
  demo-code                     print the current two-factor code of the demo facilitator and
                                admin accounts (demo data only)
  export --out FILE [--with-credentials]
                                write the whole community and its uploaded files as one
                                archive (.tar.gz), from one consistent snapshot; with
                                --with-credentials it also holds password hashes, API tokens
                                and identity-provider secrets (keep it like a password store)
  import --in FILE              load an export into an empty database (and its files)
  backup --out FILE             a complete backup of the embedded database, the uploads and
                                the secrets, taken while Convene runs (embedded database only)
  restore --in FILE [--force]   put a backup back into CONVENE_DATA_DIR (stop Convene first;
                                --force keeps an existing database aside and restores anyway)
  create-token --email E [--name N]
                                print a personal API token for that account (for deployment
                                scripts; it does not ask for a second factor)

Every command can run while "convene start" runs on the same data directory: it uses
that server's database and never stops it.

Configuration comes from environment variables; see README.md.`;

/** Prints a one-line progress bar on a terminal, plain lines otherwise. */
export function progress(label: string) {
  const tty = process.stderr.isTTY;
  return (done: number, total: number, what = '') => {
    const pct = total ? Math.round((done / total) * 100) : 100;
    if (tty) {
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${what}`.padEnd(100));
      if (done >= total) process.stderr.write('\n');
    } else {
      process.stderr.write(`${label}: ${done}/${total} ${what}\n`);
    }
  };
}

async function withDb<T>(fn: (h: DatabaseHandle) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }, (m) => console.error(m));
  try {
    const bar = progress('migrate');
    await migrate(handle.url, (_name, i, n) => bar(i, n));
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command = 'start', ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
      in: { type: 'string' },
      'with-credentials': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values.help || command === 'help' || command === '--help') {
    console.log(HELP);
    return 0;
  }
  switch (command) {
    case 'start': {
      const running = await startServer();
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`${signal} received: stopping`);
        running.stop().then(
          () => process.exit(0),
          (err) => {
            console.error(`error while stopping: ${(err as Error).message}`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      return -1; // keep running
    }
    case 'worker': {
      const config = loadConfig();
      const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, supervise: true }, (m) => console.error(m));
      await migrate(handle.url);
      const mailer = createMailer({ smtpUrl: config.smtpUrl, dataDir: config.dataDir, from: mailFrom(config) });
      const jobs = new Jobs(handle.db, { work: true, onError: (err) => console.error(`job queue: ${err.message}`) });
      // The same handlers as the web process (src/jobs.ts): every queued job has its worker here.
      registerJobs({ db: handle.db, jobs, mailer, config });
      await jobs.start();
      console.log(`Convene worker running (mail: ${mailer.describe()})`);
      const stop = async () => {
        await jobs.stop();
        mailer.close();
        await handle.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
      return -1;
    }
    case 'demo-code':
      console.log(currentCode(DEMO_TOTP_SECRET));
      return 0;
    case 'migrate': {
      const config = loadConfig();
      const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }, (m) => console.error(m));
      try {
        const bar = progress('migrate');
        const r = await migrate(handle.url, (name, i, n) => bar(i, n, name));
        console.log(r.applied.length ? `applied ${r.applied.length} migration(s)` : 'the database is up to date');
      } finally {
        await handle.close();
      }
      return 0;
    }
    case 'seed':
      return withDb(async ({ db }) => {
        const existing = await db.selectFrom('community').select('id').executeTakeFirst();
        if (existing) {
          console.error('the database already holds a community; seed only loads into an empty one');
          return 1;
        }
        await seedDemo(db, progress('seed'));
        console.log('loaded the demo community');
        return 0;
      });
    case 'create-admin': {
      const { email, password, name } = values;
      if (!email || !password || !name) {
        console.error('create-admin needs --email, --password and --name');
        return 2;
      }
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
        console.error('--email is not an email address');
        return 2;
      }
      if (password.length < 10) {
        console.error('--password must be at least 10 characters');
        return 2;
      }
      return withDb(async ({ db }) => {
        const existing = await db.selectFrom('users').select('id').where(sql<string>`lower(email)`, '=', email.toLowerCase()).executeTakeFirst();
        if (existing) {
          await db.updateTable('users').set({ role: 'admin', updated_at: new Date() }).where('id', '=', existing.id).execute();
          console.log(`${email} is now an admin`);
        } else {
          await createAccount(db, { email, password, name, role: 'admin' });
          console.log(`created admin ${email}`);
        }
        return 0;
      });
    }
    case 'export': {
      if (!values.out) {
        console.error('export needs --out FILE');
        return 2;
      }
      const config = loadConfig();
      return withDb(async ({ db }) => {
        const data = await exportCommunity(db, { withCredentials: values['with-credentials'] ?? false, onProgress: progress('export'), secret: config.sessionSecret });
        if (values.out!.endsWith('.json')) {
          writeFileSync(values.out!, JSON.stringify(data, null, 2), { mode: 0o600 });
          console.log(`wrote ${values.out} (the community only: name the file .tar.gz to include uploaded files)`);
        } else {
          const { files } = await writeExportArchive(values.out!, data, config.dataDir);
          console.log(`wrote ${values.out} (${Object.keys(data.tables).length} tables, ${files} uploaded files)`);
        }
        return 0;
      });
    }
    case 'import': {
      if (!values.in) {
        console.error('import needs --in FILE');
        return 2;
      }
      let archive: Awaited<ReturnType<typeof readExportArchive>>;
      try {
        archive = await readExportArchive(values.in);
      } catch (err) {
        console.error(`cannot read ${values.in}: ${(err as Error).message}`);
        return 2;
      }
      const config = loadConfig();
      try {
        return await withDb(async ({ db }) => {
          const counts = await importCommunity(db, archive.data, progress('import'), config.sessionSecret);
          const files = archive.uploads ? installUploads(archive.uploads, config.dataDir) : 0;
          console.log(`imported: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}; ${files} uploaded files`);
          return 0;
        });
      } finally {
        archive.cleanup();
      }
    }
    case 'backup': {
      if (!values.out) {
        console.error('backup needs --out FILE');
        return 2;
      }
      const config = loadConfig();
      if (config.databaseUrl) {
        console.error('backup copies the embedded database; with DATABASE_URL use your PostgreSQL backups (pg_dump or pg_basebackup) and copy the uploads folder (see docs/DEPLOYMENT.md)');
        return 2;
      }
      const handle = await openDatabase({ dataDir: config.dataDir }, (m) => console.error(m));
      try {
        const r = await backupEmbedded(config.dataDir, handle.url, values.out, (m) => console.error(m));
        console.log(`wrote ${values.out} (${Math.round(r.bytes / 1024)} KiB)`);
        return 0;
      } finally {
        await handle.close();
      }
    }
    case 'restore': {
      if (!values.in) {
        console.error('restore needs --in FILE');
        return 2;
      }
      const config = loadConfig();
      if (config.databaseUrl) {
        console.error('restore puts back an embedded database; with DATABASE_URL restore with your PostgreSQL tools');
        return 2;
      }
      if (existsSync(path.join(config.dataDir, 'pg', 'PG_VERSION')) && !values.force) {
        console.error(`${config.dataDir} already holds a database: stop Convene and add --force to keep it aside and restore`);
        return 2;
      }
      const { keptAside } = await restoreEmbedded(config.dataDir, values.in, { owner: ensureOsUser(), log: (m) => console.error(m) });
      // Start once, so PostgreSQL replays the backup's log now, and check that it answers.
      const handle = await openDatabase({ dataDir: config.dataDir }, (m) => console.error(m));
      try {
        const n = await handle.db.selectFrom('users').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        console.log(`restored into ${config.dataDir} (${Number(n.n)} accounts)${keptAside ? `; the database that was there is in ${keptAside}` : ''}`);
      } finally {
        await handle.close();
      }
      return 0;
    }
    case 'create-token': {
      const { email, name } = values;
      if (!email) {
        console.error('create-token needs --email');
        return 2;
      }
      return withDb(async ({ db }) => {
        const user = await db.selectFrom('users').select(['id', 'deactivated_at']).where(sql<string>`lower(email)`, '=', email.toLowerCase()).executeTakeFirst();
        if (!user || user.deactivated_at) {
          console.error(`no active account has the address ${email}`);
          return 1;
        }
        const created = await createApiToken(db, user.id, name ?? 'created with convene create-token', 'cli');
        await db.insertInto('audit_log').values({ actor_id: user.id, action: 'token.create_cli', subject_type: 'user', subject_id: String(user.id), data: JSON.stringify({ token_id: created.id }) }).execute();
        // The token alone on stdout, so a script can capture it.
        console.log(created.token);
        return 0;
      });
    }
    default:
      console.error(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    // A clear message, never "undefined".
    const known = err instanceof ConfigError || err instanceof EmbeddedStartError;
    const msg = err instanceof Error ? err.message : String(err ?? 'unknown error');
    console.error(`convene: ${known ? '' : 'could not start: '}${msg}`);
    if (!known && err instanceof Error && process.env.LOG_LEVEL === 'debug') console.error(err.stack);
    process.exit(1);
  },
);
