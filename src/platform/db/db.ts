import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { startEmbedded, type EmbeddedServer } from './embedded.js';

// int8 (ids, counts) as JS numbers: Convene's ids and counters stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
// Calendar dates (no time of day) stay 'YYYY-MM-DD' strings: no time-zone shifts.
pg.types.setTypeParser(1082, (v) => v);

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type Engine = 'embedded' | 'postgres';

export interface DatabaseHandle {
  db: Db;
  pool: pg.Pool;
  engine: Engine;
  url: string;
  /** Closes the pool, then stops the embedded server when there is one. */
  close(): Promise<void>;
}

/** Opens a pool on `url` and wraps it in Kysely. */
export function connect(url: string, engine: Engine, opts: { max?: number; embedded?: EmbeddedServer } = {}): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 20,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    application_name: 'convene',
  });
  // A dropped idle connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    pool,
    engine,
    url,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      await opts.embedded?.stop();
    },
  };
}

/**
 * Opens Convene's database: `DATABASE_URL` when set, otherwise the embedded
 * PostgreSQL in the data dir (started here, stopped by `close()`).
 */
export async function openDatabase(cfg: { databaseUrl?: string; dataDir: string; poolSize?: number }, log: (m: string) => void = () => {}): Promise<DatabaseHandle> {
  if (cfg.databaseUrl) return connect(cfg.databaseUrl, 'postgres', { max: cfg.poolSize });
  const embedded = await startEmbedded({ dataDir: cfg.dataDir, log });
  return connect(embedded.url, 'embedded', { max: cfg.poolSize, embedded });
}

/** True when the database answers a trivial query within the timeout. */
export async function ping(db: Db, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      sql`SELECT 1`.execute(db),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
