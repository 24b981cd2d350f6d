import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { loadConfig, type Config } from './platform/config.js';
import { connect, openDatabase, type DatabaseHandle } from './platform/db/db.js';
import { migrate } from './platform/db/migrate.js';
import { createMailer, mailFrom } from './platform/mail/mailer.js';
import { seedIfEmpty } from './seed/seed.js';
import { enrollDemoAccounts } from './accounts/two-factor.js';
import { Jobs } from './platform/jobs/jobs.js';
import { warmPrivacyGuard } from './trust/privacy-guard.js';

export interface Running {
  app: FastifyInstance;
  handle: DatabaseHandle;
  config: Config;
  url: string;
  stop(): Promise<void>;
}

export { mailFrom };

/**
 * Starts Convene: opens the database (embedded unless DATABASE_URL is set),
 * migrates, loads the demo community on first start, and listens.
 */
export async function startServer(config: Config = loadConfig(), log: (m: string) => void = (m) => console.log(m)): Promise<Running> {
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize, supervise: true }, log);
  let replica: DatabaseHandle | undefined;
  try {
    const m = await migrate(handle.url, (name, i, n) => log(`migrating ${i}/${n}: ${name}`));
    if (m.applied.length) log(`applied ${m.applied.length} migration(s)`);
    if (config.seed === 'demo') {
      const seeded = await seedIfEmpty(handle.db, log);
      if (seeded) log('loaded the demo community');
      const enrolled = await enrollDemoAccounts(handle.db, config.sessionSecret, config.twoFactorRoles);
      if (enrolled) log(`demo facilitators and admins use two-factor sign-in: run "npm run convene -- demo-code" for a code`);
    }
    // The privacy guard's word list is loaded once here, not by the first person to post.
    warmPrivacyGuard();
    const mailer = createMailer({ smtpUrl: config.smtpUrl, dataDir: config.dataDir, from: mailFrom(config) });
    // CONVENE_WORKERS=off: a web-only process (jobs are still queued; `convene worker` runs them).
    const work = process.env.CONVENE_WORKERS !== 'off';
    const jobs = new Jobs(handle.db, { work, onError: (err) => log(`job queue: ${err.message}`) });
    replica = config.replicaUrl ? connect(config.replicaUrl, 'postgres') : undefined;
    const app = await buildApp({ config, db: handle.db, readDb: replica?.db, engine: handle.engine, mailer, jobs, databaseUrl: handle.url });
    await app.listen({ port: config.port, host: config.host });
    if (work) await jobs.start();
    const addr = app.server.address();
    const port = addr && typeof addr === 'object' ? addr.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    log(`Convene is running at ${url} (database: ${handle.engine}${replica ? ', heavy reads on a replica' : ''}; mail: ${mailer.describe()})`);
    if (app.mailListener && config.inboundSmtp) log(`receiving mail for ${config.inboundDomain} by ${config.inboundSmtp.lmtp ? 'LMTP' : 'SMTP'} on ${config.inboundSmtp.host}:${app.mailListener.port}`);
    let stopping: Promise<void> | undefined;
    return {
      app,
      handle,
      config,
      url,
      stop: () =>
        (stopping ??= (async () => {
          await jobs.stop();
          await app.close();
          mailer.close();
          await replica?.close();
          await handle.close();
        })()),
    };
  } catch (err) {
    await replica?.close().catch(() => {});
    await handle.close().catch(() => {});
    throw err;
  }
}
