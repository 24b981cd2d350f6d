import { sql } from 'kysely';
import { rollupEngagement } from '../analytics/engagement.js';
import type { Db } from '../platform/db/db.js';
import { seal, unseal } from '../platform/auth/secrets.js';

export const EXPORT_FORMAT = 'convene-export';
export const EXPORT_VERSION = 1;
/** Every table name, for the completeness test. */
export const exportedTables = (): string[] => TABLES.map((t) => t.name);

/**
 * Tables that make up "the community", in an order where every reference
 * points backwards. What stays behind, and why, is in NOT_EXPORTED.
 */
const TABLES = [
  { name: 'community', order: 'id', identity: false },
  { name: 'organizations', order: 'id', identity: true },
  { name: 'community_roles', order: 'position', identity: false },
  { name: 'users', order: 'id', identity: true },
  { name: 'user_organizations', order: 'user_id, organization_id', identity: false },
  // Profile photos travel as hex in the JSON (already small: 320 px WebP).
  { name: 'user_photos', order: 'user_id', identity: false },
  { name: 'state_initiatives', order: 'id', identity: true },
  { name: 'state_initiative_contacts', order: 'state_initiative_id, user_id', identity: false },
  { name: 'practice_groups', order: 'id', identity: true },
  { name: 'group_priorities', order: 'id', identity: true },
  { name: 'group_memberships', order: 'group_id, user_id', identity: false },
  { name: 'group_watches', order: 'group_id, user_id', identity: false },
  { name: 'list_subscriptions', order: 'user_id, group_id', identity: false },
  { name: 'threads', order: 'id', identity: true },
  { name: 'dialogue_questions', order: 'id', identity: true },
  { name: 'posts', order: 'id', identity: true },
  { name: 'post_revisions', order: 'post_id, version', identity: false },
  // Their bytes live in the data dir (uploads/), like resource files.
  { name: 'post_attachments', order: 'id', identity: true },
  { name: 'post_reactions', order: 'post_id, user_id, kind', identity: false },
  { name: 'post_flags', order: 'id', identity: true },
  { name: 'thread_watches', order: 'thread_id, user_id', identity: false },
  { name: 'thread_links', order: 'from_post_id, to_thread_id', identity: false },
  { name: 'bookmarks', order: 'user_id, post_id', identity: false },
  { name: 'conversations', order: 'id', identity: true },
  { name: 'conversation_members', order: 'conversation_id, user_id', identity: false },
  { name: 'conversation_messages', order: 'id', identity: true },
  { name: 'conversation_reports', order: 'id', identity: true },
  // Resource files' bytes live in the data dir (uploads/); copy that folder alongside the export.
  { name: 'resources', order: 'id', identity: true },
  { name: 'resource_organizations', order: 'resource_id, organization_id', identity: false },
  { name: 'resource_groups', order: 'resource_id, group_id', identity: false },
  { name: 'resource_files', order: 'id', identity: true },
  { name: 'collections', order: 'id', identity: true },
  { name: 'collection_items', order: 'collection_id, position', identity: false },
  { name: 'share_links', order: 'id', identity: true },
  { name: 'dissemination_reports', order: 'id', identity: true },
  // Daily rollups carry the reach history; raw view events (hashed, short-lived) stay behind.
  { name: 'reach_daily', order: 'day, resource_id', identity: false },
  { name: 'reach_daily_links', order: 'day, link_id', identity: false },
  { name: 'reach_monthly', order: 'month, resource_id', identity: false },
  { name: 'reach_monthly_links', order: 'month, link_id', identity: false },
  { name: 'glossary_terms', order: 'id', identity: true },
  { name: 'glossary_definitions', order: 'term_id, discipline', identity: false },
  { name: 'agenda_items', order: 'id', identity: true },
  { name: 'agenda_why', order: 'item_id, perspective', identity: false },
  { name: 'agenda_owners', order: 'item_id, organization_id', identity: false },
  { name: 'agenda_milestones', order: 'id', identity: true },
  // Polls and proposals (threads, agenda items) before the agenda updates that carry their outcomes.
  { name: 'decisions', order: 'id', identity: true },
  { name: 'decision_options', order: 'id', identity: true },
  { name: 'decision_votes', order: 'decision_id, user_id', identity: false },
  { name: 'agenda_updates', order: 'id', identity: true },
  { name: 'agenda_priorities', order: 'item_id, group_id, position', identity: false },
  { name: 'agenda_links', order: 'id', identity: true },
  { name: 'group_reviews', order: 'id', identity: true },
  // Convenings; engagement rollups are rebuilt from these and the rest (`rollupEngagement({ all: true })`),
  // private calendar-feed secrets are per installation, like sessions.
  { name: 'event_series', order: 'id', identity: true },
  { name: 'events', order: 'id', identity: true },
  { name: 'event_registrations', order: 'event_id, user_id', identity: false },
  { name: 'event_resources', order: 'event_id, resource_id', identity: false },
  // Use reports name a resource or a convening; follow-ups point at the report they produced.
  { name: 'use_reports', order: 'id', identity: true },
  { name: 'use_followups', order: 'id', identity: true },
  { name: 'value_stories', order: 'id', identity: true },
  { name: 'value_story_links', order: 'story_id, kind, target_id', identity: false },
  // Members' translations of posts and resources, their earlier versions, and who asked for which.
  { name: 'member_translations', order: 'id', identity: true },
  { name: 'member_translation_revisions', order: 'translation_id, version', identity: false },
  { name: 'translation_requests', order: 'id', identity: true },
  { name: 'audit_log', order: 'id', identity: true },
  // What each person would miss: their notifications and read positions, private calendar
  // feeds, reminders already sent (so none is sent twice), messages to the facilitators,
  // sign-in with their organization (providers and account links).
  { name: 'notifications', order: 'id', identity: true },
  { name: 'thread_reads', order: 'user_id, thread_id', identity: false },
  { name: 'read_horizons', order: 'user_id', identity: false },
  { name: 'calendar_feeds', order: 'user_id', identity: false },
  { name: 'event_reminders_sent', order: 'event_id, user_id, kind, starts_at', identity: false },
  { name: 'contact_requests', order: 'id', identity: true },
  { name: 'oidc_providers', order: 'id', identity: true },
  { name: 'user_identities', order: 'provider_id, subject', identity: false },
  // Personal API tokens (hashes) travel only with --with-credentials, like password hashes.
  { name: 'api_tokens', order: 'id', identity: true, credentials: true },
] as const satisfies readonly { name: string; order: string; identity: boolean; credentials?: boolean }[];

/** Every table that is deliberately not exported, with the reason; a test checks that no table is forgotten. */
export const NOT_EXPORTED: Record<string, string> = {
  sessions: 'sign-ins are per installation; people sign in again',
  email_tokens: 'one-time links expire within hours',
  rate_limits: 'counters of the last minutes',
  idempotency_keys: 'double-submit guards of the last hours',
  daily_salts: 'rotate daily; reach is kept in the daily rollups',
  view_events: 'raw, hashed view events; reach is kept in the daily rollups',
  engagement_daily: 'rebuilt from the rest on import',
  engagement_first: 'rebuilt from the rest on import',
  recent_post_search: 'the newest posts’ search vectors, rebuilt by triggers as posts are imported',
  totp_recovery_codes: 'two-factor secrets are sealed with this installation’s secret; people enroll again',
  account_requests: 'data downloads and deletions in progress are per installation',
  inbound_messages: 'a record of mail already received (kept 90 days), so a message is handled once',
  held_posts: 'messages held from email wait 30 days for their authors; they hold text the privacy guard flagged',
  list_deliveries: 'a record of mailing-list email already sent',
  webhook_endpoints: 'signing secrets are sealed with this installation’s secret; partners register again',
  webhook_deliveries: 'a log of deliveries to partners’ systems',
  push_subscriptions: 'devices subscribe to this installation’s push keys; people turn push on again',
};

/** Columns a table stores itself (generated ones, like search vectors, are rebuilt by PostgreSQL). */
async function storedColumns(db: Db, table: string): Promise<string[]> {
  const r = await sql<{ column_name: string }>`SELECT column_name FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ${table} AND is_generated = 'NEVER' ORDER BY ordinal_position`.execute(db);
  return r.rows.map((x) => x.column_name);
}

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
export async function exportCommunity(
  db: Db,
  opts: { withCredentials?: boolean; onProgress?: (done: number, total: number, what?: string) => void; /** This installation's secret: identity providers' client secrets are unsealed with it (with credentials only). */ secret?: string } = {},
): Promise<ExportFile> {
  // One consistent snapshot of every table, while the site keeps serving and writing.
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(async (tx) => exportSnapshot(tx as unknown as Db, opts));
}

async function exportSnapshot(db: Db, opts: { withCredentials?: boolean; onProgress?: (done: number, total: number, what?: string) => void; secret?: string }): Promise<ExportFile> {
  const tables: Record<string, unknown[]> = {};
  for (const [i, t] of TABLES.entries()) {
    opts.onProgress?.(i, TABLES.length, t.name);
    if ('credentials' in t && t.credentials && !opts.withCredentials) continue;
    // Two-factor seeds are sealed with this instance's secret and cannot move; people set it up again.
    const cols = (await storedColumns(db, t.name)).filter((c) => !(t.name === 'users' && ((c === 'password_hash' && !opts.withCredentials) || ['totp_secret', 'totp_pending', 'totp_enabled_at'].includes(c))));
    const r = await sql<{ rows: unknown[] }>`SELECT coalesce(json_agg(json_build_object(${sql.join(cols.flatMap((c) => [sql.lit(c), sql.ref(`x.${c}`)]))}) ORDER BY ${sql.raw(t.order)}), '[]'::json) AS rows FROM ${sql.table(t.name)} x`.execute(db);
    tables[t.name] = r.rows[0]!.rows;
  }
  // Client secrets are sealed with this installation's secret: carried in the clear only with
  // credentials (and sealed again on import); otherwise providers arrive switched off.
  tables.oidc_providers = (tables.oidc_providers as { client_secret: string; enabled: boolean }[]).map((p) => {
    const plain = opts.withCredentials && opts.secret ? unseal(opts.secret, p.client_secret) : undefined;
    return plain !== undefined ? { ...p, client_secret: '', client_secret_plain: plain } : { ...p, client_secret: '', enabled: false };
  });
  opts.onProgress?.(TABLES.length, TABLES.length, 'done');
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, exported_at: new Date().toISOString(), with_credentials: !!opts.withCredentials, tables };
}

export class ImportError extends Error {}

/**
 * Loads an export into an empty database in one transaction (all or nothing),
 * keeping ids so every reference still holds. Returns the row count per table.
 */
export async function importCommunity(db: Db, data: unknown, onProgress?: (done: number, total: number, what?: string) => void, secret?: string): Promise<Record<string, number>> {
  const file = data as Partial<ExportFile>;
  if (!file || file.format !== EXPORT_FORMAT || typeof file.tables !== 'object' || file.tables === null) throw new ImportError('this file is not a Convene export');
  if (file.version !== EXPORT_VERSION) throw new ImportError(`unsupported export version ${String(file.version)}`);
  const counts: Record<string, number> = {};
  await db.transaction().execute(async (tx) => {
    const existing = await sql<{ n: number }>`SELECT (SELECT count(*) FROM community) + (SELECT count(*) FROM users) + (SELECT count(*) FROM organizations) AS n`.execute(tx);
    if (Number(existing.rows[0]!.n) > 0) throw new ImportError('the database already holds a community; import only loads into an empty one');
    for (const [i, t] of TABLES.entries()) {
      onProgress?.(i, TABLES.length, t.name);
      let rows = file.tables![t.name];
      if (rows === undefined) continue;
      if (!Array.isArray(rows)) throw new ImportError(`"${t.name}" must be a list`);
      if (t.name === 'oidc_providers') {
        rows = (rows as { client_secret_plain?: string; client_secret?: string; enabled?: boolean }[]).map(({ client_secret_plain, ...p }) =>
          typeof client_secret_plain === 'string' && secret ? { ...p, client_secret: seal(secret, client_secret_plain) } : { ...p, client_secret: p.client_secret ?? '', enabled: false },
        );
      }
      counts[t.name] = rows.length;
      if (rows.length === 0) continue;
      // Columns a row leaves out take their defaults, as in a fresh insert.
      const cols = sql.join((await storedColumns(tx as unknown as Db, t.name)).map((c) => sql.ref(c)));
      await sql`INSERT INTO ${sql.table(t.name)} (${cols}) ${t.identity ? sql`OVERRIDING SYSTEM VALUE` : sql``}
        SELECT ${cols} FROM json_populate_recordset(NULL::${sql.table(t.name)}, ${JSON.stringify(rows)}::json)`.execute(tx);
      if (t.identity) {
        await sql`SELECT setval(pg_get_serial_sequence(${t.name}, 'id'), (SELECT max(id) FROM ${sql.table(t.name)}))`.execute(tx);
      }
    }
    // Visibility is jsonb; a missing one would be NULL, not {}.
    await sql`UPDATE users SET visibility = '{}' WHERE visibility IS NULL`.execute(tx);
    // Engagement figures are derived: rebuild them from what was imported.
    await rollupEngagement(tx, { all: true });
  });
  onProgress?.(TABLES.length, TABLES.length, 'done');
  return counts;
}
