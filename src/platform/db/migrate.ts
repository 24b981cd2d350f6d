import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { installJobs } from '../jobs/jobs.js';

/** Where the plain-SQL migrations live: the project's `migrations/`, found from src/ or dist/src/. */
export const MIGRATIONS_DIR = findUp('migrations');

function findUp(name: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, name, '.'))) return path.join(dir, name);
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the ${name} folder`);
}

/** An arbitrary constant that names Convene's migration lock among advisory locks. */
const MIGRATION_LOCK = 724_115_001;

export interface MigrationResult {
  applied: string[];
  total: number;
}

/**
 * Applies every migration not yet recorded in `schema_migrations`, each in its
 * own transaction, while holding a PostgreSQL advisory lock: several processes
 * starting at once migrate exactly once (the others wait, then find nothing to do).
 */
export async function migrate(
  connectionString: string,
  onProgress: (name: string, index: number, total: number) => void = () => {},
): Promise<MigrationResult> {
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{14}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  const client = new pg.Client({ connectionString });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    const pending = files.filter((f) => !done.has(f));
    for (const [i, file] of pending.entries()) {
      onProgress(file, i + 1, pending.length);
      const text = readFileSync(path.join(MIGRATIONS_DIR, file), 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(text);
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed: ${(err as Error).message}`);
      }
      applied.push(file);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    await client.end();
  }
  // The job queue's own tables (pg-boss migrates them under its own lock).
  await installJobs(connectionString);
  return { applied, total: files.length };
}
