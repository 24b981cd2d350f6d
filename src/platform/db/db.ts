import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, sql, type Expression, type RawBuilder, type Transaction } from 'kysely';
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

/**
 * Marks a statement as one to prepare: the hottest ones (session, thread page,
 * unread count, rate limits) are looked up by keys whose best plan does not
 * depend on the values, and planning them cost more than running them (0.55
 * ms planning against 0.07 ms executing for the thread page's statement). Such
 * a statement is parsed and planned once per connection (a named prepared
 * statement; PostgreSQL keeps the plan, re-planning after schema changes).
 * Statements whose best plan depends on the values (a large group against a
 * small one, common words against rare ones) are left unmarked.
 *   builder.modifyEnd(PREPARED)   or   sql`... ${PREPARED}`
 */
export const PREPARED = sql.raw('/* convene:prepared */');

/**
 * A query's rows as one JSON array, in the given order (over alias `s`): a
 * column of a larger statement, so several short lists for one page come in
 * one round trip. JSON has no dates: the caller turns times back into dates.
 */
export function jsonRows<T = unknown>(query: Expression<unknown> | RawBuilder<unknown>, order: RawBuilder<unknown>) {
  return sql<T[]>`(SELECT coalesce(json_agg(s ORDER BY ${order}), '[]'::json) FROM (${query}) s)`;
}
const PREPARED_MARK = '/* convene:prepared */';

/** Distinct statements one connection may keep prepared (the marked ones are a few dozen). */
const MAX_PREPARED_PER_CONNECTION = 500;
const statementNames = new Map<string, string>();

function statementName(text: string, generation: number): string {
  let name = statementNames.get(text);
  if (!name) {
    name = 'cv_' + createHash('sha1').update(text).digest('base64url').slice(0, 24);
    if (statementNames.size > 10_000) statementNames.clear();
    statementNames.set(text, name);
  }
  return generation ? `${name}_${generation}` : name;
}

/**
 * Sends marked statements (see PREPARED) as named prepared statements on this
 * connection. A prepared statement whose result columns changed under it (a
 * migration while this process runs) fails once with "cached plan must not
 * change result type"; the next use prepares it afresh under a new name.
 */
function prepareMarked(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  const prepared = new Set<string>();
  const generations = new Map<string, number>();
  (client as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (args.length !== 2 || typeof text !== 'string' || !Array.isArray(values) || !text.includes(PREPARED_MARK)) return query(...args);
    const name = statementName(text, generations.get(text) ?? 0);
    if (!prepared.has(name) && prepared.size >= MAX_PREPARED_PER_CONNECTION) return query(...args);
    prepared.add(name);
    return query({ name, text, values }).catch((err: unknown) => {
      if (err instanceof Error && /cached plan must not change result type/.test(err.message)) generations.set(text, (generations.get(text) ?? 0) + 1);
      throw err;
    });
  };
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
  if (process.env.CONVENE_PREPARED_STATEMENTS !== 'off') pool.on('connect', prepareMarked);
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
export async function openDatabase(
  cfg: { databaseUrl?: string; dataDir: string; poolSize?: number; /** Restart the embedded server after a crash (the web server). */ supervise?: boolean },
  log: (m: string) => void = () => {},
): Promise<DatabaseHandle> {
  if (cfg.databaseUrl) return connect(cfg.databaseUrl, 'postgres', { max: cfg.poolSize });
  // A server already running on this data directory is used as it is, never stopped.
  const embedded = await startEmbedded({ dataDir: cfg.dataDir, log, supervise: cfg.supervise });
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
