import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadConfig, ConfigError } from './platform/config.js';
import { openDatabase, type DatabaseHandle } from './platform/db/db.js';
import { migrate } from './platform/db/migrate.js';
import { EmbeddedStartError } from './platform/db/embedded.js';
import { mailFrom, startServer } from './server.js';
import { Jobs } from './platform/jobs/jobs.js';
import { createMailer } from './platform/mail/mailer.js';
import { registerNotificationJobs } from './notifications/notify.js';
import { registerResourceJobs } from './resources/jobs.js';
import { registerEventJobs } from './events/jobs.js';
import { registerTrustJobs } from './trust/data.js';
import { DEMO_TOTP_SECRET, currentCode } from './accounts/two-factor.js';
import { seedDemo } from './seed/seed.js';
import { createAccount } from './accounts/commands.js';
import { exportCommunity, importCommunity } from './exchange/exchange.js';
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
  export --out FILE             write the whole community as JSON
  import --in FILE              load a community exported by "export" into an empty database

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
      const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }, (m) => console.error(m));
      await migrate(handle.url);
      const mailer = createMailer({ smtpUrl: config.smtpUrl, dataDir: config.dataDir, from: mailFrom(config) });
      const jobs = new Jobs(handle.db, { work: true, onError: (err) => console.error(`job queue: ${err.message}`) });
      registerNotificationJobs({ db: handle.db, jobs, mailer, config });
      registerResourceJobs({ db: handle.db, jobs, config });
      registerEventJobs({ db: handle.db, jobs, mailer, config });
      registerTrustJobs({ db: handle.db, jobs, mailer, config });
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
      return withDb(async ({ db }) => {
        const data = await exportCommunity(db, { withCredentials: values['with-credentials'] ?? false, onProgress: progress('export') });
        writeFileSync(values.out!, JSON.stringify(data, null, 2), { mode: 0o600 });
        console.log(`wrote ${values.out}`);
        return 0;
      });
    }
    case 'import': {
      if (!values.in) {
        console.error('import needs --in FILE');
        return 2;
      }
      let data: unknown;
      try {
        data = JSON.parse(readFileSync(values.in, 'utf8'));
      } catch (err) {
        console.error(`cannot read ${values.in}: ${(err as Error).message}`);
        return 2;
      }
      return withDb(async ({ db }) => {
        const counts = await importCommunity(db, data, progress('import'));
        console.log(`imported: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}`);
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
