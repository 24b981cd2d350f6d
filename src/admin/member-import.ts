import { Type } from '@sinclair/typebox';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import type { Db } from '../platform/db/db.js';
import type { Actor } from '../platform/auth/actor.js';
import { authorize } from '../platform/auth/policy.js';
import { AppError, msg, type MessageKey } from '../platform/http/errors.js';
import { Line } from '../platform/http/schema-helpers.js';
import { compile } from '../platform/http/validation.js';
import { audit } from '../platform/db/tx.js';
import { QUEUES, type Jobs } from '../platform/jobs/jobs.js';
import { DEFAULT_VISIBILITY, PERSPECTIVES, STATE_CODES } from '../community/vocab.js';
import { sendInvitation } from '../accounts/commands.js';
import type { Mailer } from '../platform/mail/mailer.js';
import type { Config } from '../platform/config.js';

/** At most this many people in one file, and this many bytes. */
export const IMPORT_MAX_ROWS = 5000;
export const IMPORT_MAX_BYTES = 2 * 1024 * 1024;

/** The columns, by their English or Spanish header (any case; spaces and accents as written). */
const HEADERS: Record<string, Column> = {
  name: 'name',
  nombre: 'name',
  email: 'email',
  'e-mail': 'email',
  correo: 'email',
  'correo electrónico': 'email',
  perspectives: 'perspectives',
  perspectivas: 'perspectives',
  state: 'state',
  estado: 'state',
  organization: 'organization',
  organización: 'organization',
  organizacion: 'organization',
  groups: 'groups',
  grupos: 'groups',
  youth: 'youth',
  joven: 'youth',
};
type Column = 'name' | 'email' | 'perspectives' | 'state' | 'organization' | 'groups' | 'youth';

export interface ImportProblem {
  /** The file's line number of the row (the header is line 1), or 0 for the file itself. */
  line: number;
  field: string;
  message: MessageKey;
}

export interface ImportRow {
  line: number;
  name: string;
  email: string;
  perspectives: string[];
  state: string | null;
  organizationId: number | null;
  groupIds: number[];
  /** The person already has an account: nothing is created; missing groups become invitations. */
  existingId: number | null;
}

export interface ImportPlan {
  rows: ImportRow[];
  problems: ImportProblem[];
}

export interface ImportReport {
  created: number;
  existing: number;
  groupsAdded: number;
  rows: { line: number; email: string; outcome: 'created' | 'existing' }[];
}

const EmailCheck = compile(Type.String({ minLength: 3, maxLength: 254, format: 'email' }));
const NameCheck = compile(Line(200));
const list = (v: string) =>
  v
    .split(/[;|,]/)
    .map((x) => x.trim())
    .filter(Boolean);
const YES = /^(?:yes|y|true|1|sí|si)$/i;

/**
 * Reads a members CSV and checks every row against the community as it is
 * now: required name and email, known perspectives, state, organization
 * (slug or name) and groups (slugs), no address twice, no youth accounts.
 * Nothing is written. Rows with a problem are listed with their line.
 */
export async function planImport(db: Db, text: string): Promise<ImportPlan> {
  const problems: ImportProblem[] = [];
  if (Buffer.byteLength(text) > IMPORT_MAX_BYTES) return { rows: [], problems: [{ line: 0, field: 'file', message: msg('member_import.too_large', { mb: IMPORT_MAX_BYTES / 1024 / 1024 }) }] };
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: true, trim: true, max_record_size: 64 * 1024, to: IMPORT_MAX_ROWS + 2 }) as string[][];
  } catch {
    return { rows: [], problems: [{ line: 0, field: 'file', message: msg('member_import.not_csv') }] };
  }
  const [header, ...body] = records;
  if (!header) return { rows: [], problems: [{ line: 0, field: 'file', message: msg('member_import.empty') }] };
  const columns = header.map((h) => HEADERS[h.trim().toLowerCase()]);
  for (const needed of ['name', 'email'] as const) {
    if (!columns.includes(needed)) problems.push({ line: 1, field: needed, message: msg('member_import.missing_column', { column: needed }) });
  }
  if (body.length > IMPORT_MAX_ROWS) problems.push({ line: 0, field: 'file', message: msg('member_import.too_many', { max: IMPORT_MAX_ROWS }) });
  if (problems.length) return { rows: [], problems };

  const [orgs, groups, users] = await Promise.all([
    db.selectFrom('organizations').select(['id', 'slug', 'name']).execute(),
    db.selectFrom('practice_groups').select(['id', 'slug', 'archived_at']).execute(),
    db
      .selectFrom('users')
      .select(['id', sql<string>`lower(email)`.as('email'), 'is_youth'])
      .where(
        sql<string>`lower(email)`,
        'in',
        body.length ? body.map((r) => (r[columns.indexOf('email')] ?? '').trim().toLowerCase()).filter(Boolean) : ['-'],
      )
      .execute(),
  ]);
  const orgBy = new Map<string, number>();
  for (const o of orgs) {
    orgBy.set(o.slug.toLowerCase(), o.id);
    orgBy.set(o.name.trim().toLowerCase(), o.id);
  }
  const groupBy = new Map(groups.filter((g) => !g.archived_at).map((g) => [g.slug.toLowerCase(), g.id]));
  const userBy = new Map(users.map((u) => [u.email, u]));
  const seen = new Map<string, number>();
  const rows: ImportRow[] = [];
  body.forEach((record, i) => {
    const line = i + 2;
    const cell = (c: Column) => {
      const at = columns.indexOf(c);
      return at < 0 ? '' : (record[at] ?? '').trim();
    };
    const before = problems.length;
    const problem = (field: string, key: string, params?: Record<string, unknown>) => problems.push({ line, field, message: msg(key, params) });
    const name = cell('name');
    const email = cell('email').toLowerCase();
    if (!name || !NameCheck(name)) problem('name', 'member_import.bad_name');
    if (!EmailCheck(email)) problem('email', 'member_import.bad_email');
    else if (seen.has(email)) problem('email', 'member_import.duplicate', { line: seen.get(email) });
    else seen.set(email, line);
    const perspectives = list(cell('perspectives')).map((p) => p.toLowerCase());
    for (const p of perspectives) if (!(PERSPECTIVES as readonly string[]).includes(p)) problem('perspectives', 'member_import.bad_perspective', { value: p });
    if (perspectives.includes('youth') || YES.test(cell('youth'))) problem('youth', 'member_import.no_youth');
    const stateRaw = cell('state').toUpperCase();
    if (stateRaw && !STATE_CODES.includes(stateRaw)) problem('state', 'member_import.bad_state', { value: stateRaw });
    const orgRaw = cell('organization');
    const organizationId = orgRaw ? (orgBy.get(orgRaw.toLowerCase()) ?? null) : null;
    if (orgRaw && organizationId === null) problem('organization', 'member_import.bad_organization', { value: orgRaw });
    const groupIds: number[] = [];
    for (const slug of list(cell('groups'))) {
      const id = groupBy.get(slug.toLowerCase());
      if (id === undefined) problem('groups', 'member_import.bad_group', { value: slug });
      else if (!groupIds.includes(id)) groupIds.push(id);
    }
    const existing = userBy.get(email);
    if (existing?.is_youth && groupIds.length) problem('email', 'member_import.existing_youth');
    if (problems.length === before) {
      rows.push({ line, name, email, perspectives: [...new Set(perspectives)], state: stateRaw || null, organizationId, groupIds, existingId: existing?.id ?? null });
    }
  });
  return { rows, problems };
}

/**
 * Imports the members of a checked file in one transaction: an account for
 * each new address (no password, unconfirmed until they follow their
 * invitation), their organization and groups; people who already have an
 * account get only invitations to groups they are not in. Refused whole when
 * any row has a problem. Running the same file again creates nothing new.
 */
export async function runImport(db: Db, jobs: Jobs, actor: Actor, text: string): Promise<ImportReport> {
  authorize(actor, 'members.import', undefined);
  const plan = await planImport(db, text);
  if (plan.problems.length) throw new AppError('validation_failed', { fields: { file: msg('member_import.has_problems', { count: plan.problems.length }) } });
  return db.transaction().execute(async (tx) => {
    const report: ImportReport = { created: 0, existing: 0, groupsAdded: 0, rows: [] };
    const now = new Date();
    for (const r of plan.rows) {
      let userId = r.existingId;
      let outcome: 'created' | 'existing' = 'existing';
      if (userId === null) {
        // Another import may have made the account since the plan was read: then it is an existing one.
        const made = await tx
          .insertInto('users')
          .values({
            email: r.email,
            password_hash: null,
            name: r.name,
            role: 'member',
            perspectives: r.perspectives,
            state_code: r.state,
            is_youth: false,
            visibility: JSON.stringify(DEFAULT_VISIBILITY),
            email_verified_at: null,
          })
          .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (made) {
          userId = made.id;
          outcome = 'created';
          if (r.organizationId) await tx.insertInto('user_organizations').values({ user_id: userId, organization_id: r.organizationId }).onConflict((oc) => oc.doNothing()).execute();
          await jobs.send(tx, QUEUES.memberInvite, { userId }, { key: `invite:${userId}` });
        } else {
          userId = (await tx.selectFrom('users').select('id').where(sql<string>`lower(email)`, '=', r.email).executeTakeFirstOrThrow()).id;
        }
      }
      report[outcome]++;
      report.rows.push({ line: r.line, email: r.email, outcome });
      const created = outcome === 'created';
      for (const groupId of r.groupIds) {
        // New accounts join their groups; people who had an account are invited and decide.
        const added = await tx
          .insertInto('group_memberships')
          .values({ group_id: groupId, user_id: userId, role: 'member', status: created ? 'active' : 'invited', created_at: now, decided_by: actor.id ?? null, decided_at: now })
          .onConflict((oc) => oc.doNothing())
          .returning('group_id')
          .executeTakeFirst();
        if (added) report.groupsAdded++;
      }
    }
    // Member counts follow the memberships just added.
    await tx
      .updateTable('practice_groups as g')
      .set({ member_count: sql`(SELECT count(*) FROM group_memberships m WHERE m.group_id = g.id AND m.status = 'active')` })
      .where('g.id', 'in', [...new Set(plan.rows.flatMap((r) => r.groupIds)), 0])
      .execute();
    await audit(tx, actor.id ?? null, 'members.import', { type: 'community', id: 1 }, { created: report.created, existing: report.existing, groups_added: report.groupsAdded });
    return report;
  });
}

/** Registers the invitation job: one email per account an import made, re-checked when sent. */
export function registerImportJobs(deps: { db: Db; jobs: Jobs; mailer: Mailer; config: Config }): void {
  deps.jobs.handle(QUEUES.memberInvite, async (d) => {
    const userId = Number(d.userId);
    if (!Number.isSafeInteger(userId) || userId < 1) throw new Error('job data has no valid userId');
    const [community, providers] = await Promise.all([
      deps.db.selectFrom('community').select(['name']).executeTakeFirst(),
      deps.db.selectFrom('oidc_providers').select('name').where('enabled', '=', true).orderBy('name').execute(),
    ]);
    await sendInvitation(deps.db, { mailer: deps.mailer, baseUrl: deps.config.baseUrl, secret: deps.config.sessionSecret }, userId, community?.name ?? 'Convene', providers.map((p) => p.name));
  });
}
