import { sql } from 'kysely';
import type { Db } from '../platform/db/db.js';

export const EXPORT_FORMAT = 'convene-export';
export const EXPORT_VERSION = 1;

/**
 * Tables that make up "the community", in an order where every reference
 * points backwards. Sessions, tokens, email links, rate-limit counters and
 * idempotency keys are per-installation state and are not exported.
 */
const TABLES = [
  { name: 'community', order: 'id', identity: false },
  { name: 'organizations', order: 'id', identity: true },
  { name: 'community_roles', order: 'position', identity: false },
  { name: 'users', order: 'id', identity: true },
  { name: 'user_organizations', order: 'user_id, organization_id', identity: false },
  { name: 'state_initiatives', order: 'id', identity: true },
  { name: 'state_initiative_contacts', order: 'state_initiative_id, user_id', identity: false },
  { name: 'practice_groups', order: 'id', identity: true },
  { name: 'group_priorities', order: 'id', identity: true },
  { name: 'group_memberships', order: 'group_id, user_id', identity: false },
  { name: 'audit_log', order: 'id', identity: true },
] as const;

export interface ExportFile {
  format: typeof EXPORT_FORMAT;
  version: number;
  exported_at: string;
  with_credentials: boolean;
  tables: Record<string, unknown[]>;
}

/**
 * The whole community as JSON. Password hashes are left out unless asked for
 * (then the file must be handled like a credential store).
 */
export async function exportCommunity(db: Db, opts: { withCredentials?: boolean; onProgress?: (done: number, total: number, what?: string) => void } = {}): Promise<ExportFile> {
  const tables: Record<string, unknown[]> = {};
  for (const [i, t] of TABLES.entries()) {
    opts.onProgress?.(i, TABLES.length, t.name);
    const strip = t.name === 'users' && !opts.withCredentials ? sql`- 'password_hash'` : sql``;
    const r = await sql<{ rows: unknown[] }>`SELECT coalesce(json_agg(to_jsonb(x) ${strip} ORDER BY ${sql.raw(t.order)}), '[]'::json) AS rows FROM ${sql.table(t.name)} x`.execute(db);
    tables[t.name] = r.rows[0]!.rows;
  }
  opts.onProgress?.(TABLES.length, TABLES.length, 'done');
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, exported_at: new Date().toISOString(), with_credentials: !!opts.withCredentials, tables };
}

export class ImportError extends Error {}

/**
 * Loads an export into an empty database in one transaction (all or nothing),
 * keeping ids so every reference still holds. Returns the row count per table.
 */
export async function importCommunity(db: Db, data: unknown, onProgress?: (done: number, total: number, what?: string) => void): Promise<Record<string, number>> {
  const file = data as Partial<ExportFile>;
  if (!file || file.format !== EXPORT_FORMAT || typeof file.tables !== 'object' || file.tables === null) throw new ImportError('this file is not a Convene export');
  if (file.version !== EXPORT_VERSION) throw new ImportError(`unsupported export version ${String(file.version)}`);
  const counts: Record<string, number> = {};
  await db.transaction().execute(async (tx) => {
    const existing = await sql<{ n: number }>`SELECT (SELECT count(*) FROM community) + (SELECT count(*) FROM users) + (SELECT count(*) FROM organizations) AS n`.execute(tx);
    if (Number(existing.rows[0]!.n) > 0) throw new ImportError('the database already holds a community; import only loads into an empty one');
    for (const [i, t] of TABLES.entries()) {
      onProgress?.(i, TABLES.length, t.name);
      const rows = file.tables![t.name];
      if (rows === undefined) continue;
      if (!Array.isArray(rows)) throw new ImportError(`"${t.name}" must be a list`);
      counts[t.name] = rows.length;
      if (rows.length === 0) continue;
      // Columns a row leaves out take their defaults, as in a fresh insert.
      await sql`INSERT INTO ${sql.table(t.name)} ${t.identity ? sql`OVERRIDING SYSTEM VALUE` : sql``}
        SELECT * FROM json_populate_recordset(NULL::${sql.table(t.name)}, ${JSON.stringify(rows)}::json)`.execute(tx);
      if (t.identity) {
        await sql`SELECT setval(pg_get_serial_sequence(${t.name}, 'id'), (SELECT max(id) FROM ${sql.table(t.name)}))`.execute(tx);
      }
    }
    // Visibility is jsonb; a missing one would be NULL, not {}.
    await sql`UPDATE users SET visibility = '{}' WHERE visibility IS NULL`.execute(tx);
  });
  onProgress?.(TABLES.length, TABLES.length, 'done');
  return counts;
}
