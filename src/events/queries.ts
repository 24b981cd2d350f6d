import { sql, type SqlBool } from 'kysely';
import { PREPARED, type Db, type Tx } from '../platform/db/db.js';
import type { EventsTable } from '../platform/db/schema.js';
import type { Selectable } from 'kysely';
import type { Actor, UserActor } from '../platform/auth/actor.js';
import { eventReadableBy, type EventSubject } from './policy.js';
import { stewardedGroups } from '../groups/policy.js';
import { can } from '../platform/auth/policy.js';
import { AppError } from '../platform/http/errors.js';
import { resourceReadableBy } from '../resources/policy.js';
import { utcToLocal } from './time.js';

export const EVENT_KINDS = ['group_call', 'webinar', 'training', 'state_convening', 'annual_meeting', 'other'] as const;
export const RESPONSES = ['going', 'maybe', 'not_going'] as const;
export const ACCOMMODATIONS = ['captioning', 'sign_language', 'interpretation', 'other'] as const;
export const MATERIAL_ROLES = ['recording', 'slides', 'notes', 'other'] as const;

export type EventRow = Selectable<EventsTable> & { group_slug: string | null; group_name: string | null; group_visibility: 'public' | 'members' | 'private' | null; group_join_policy: 'open' | 'request' | 'invite' | null; group_archived_at: Date | null; state_name: string | null; rrule: string | null };

// ---- reading ----------------------------------------------------------------------------------------

const EVENT_SELECT = sql`e.*, g.slug AS group_slug, g.name AS group_name, g.visibility AS group_visibility, g.join_policy AS group_join_policy,
  g.archived_at AS group_archived_at, s.name AS state_name, es.rrule`;
const EVENT_FROM = sql`events e LEFT JOIN practice_groups g ON g.id = e.group_id LEFT JOIN state_initiatives s ON s.state_code = e.state_code LEFT JOIN event_series es ON es.id = e.series_id`;

export async function getEvent(db: Db | Tx, id: number): Promise<EventRow | undefined> {
  const r = await sql<EventRow>`SELECT ${EVENT_SELECT} FROM ${EVENT_FROM} WHERE e.id = ${id}`.execute(db);
  return r.rows[0];
}

/** A series and its occurrences (for the whole series as one calendar entry); the caller checks who may see them. */
export async function getSeries(db: Db, seriesId: number) {
  const series = await db.selectFrom('event_series').select(['id', 'rrule', 'time_zone', 'duration_minutes']).where('id', '=', seriesId).executeTakeFirst();
  if (!series) return undefined;
  const r = await sql<EventRow>`SELECT ${EVENT_SELECT} FROM ${EVENT_FROM} WHERE e.series_id = ${seriesId} ORDER BY e.recurrence_id, e.id`.execute(db);
  return { series, rows: r.rows };
}

export const groupSubjectOf = (e: Pick<EventRow, 'group_id' | 'group_visibility' | 'group_join_policy' | 'group_archived_at'>) =>
  e.group_id ? { id: e.group_id, visibility: e.group_visibility!, join_policy: e.group_join_policy!, archived_at: e.group_archived_at } : null;

export function eventSubject(e: Pick<EventRow, 'group_id' | 'group_visibility' | 'group_join_policy' | 'group_archived_at' | 'state_code' | 'created_by'>): EventSubject {
  return { group: groupSubjectOf(e), state_code: e.state_code?.trim() || null, created_by: e.created_by };
}

export const canViewEvent = (viewer: Actor, e: EventRow) => can(viewer, 'event.view', eventSubject(e));

/** An event the viewer may see, else 404 (private groups' events do not exist for outsiders). */
export async function getVisibleEvent(db: Db, viewer: Actor, id: number): Promise<EventRow> {
  const e = await getEvent(db, id);
  if (!e || !canViewEvent(viewer, e)) throw new AppError('not_found');
  return e;
}

export interface EventFilters {
  when?: 'upcoming' | 'past';
  group?: number;
  state?: string;
  /** Only events for the whole community (no group, no state). */
  communityOnly?: boolean;
  kind?: string;
  from?: Date;
  to?: Date;
  /** Only events this person registered for (going or maybe); each row also carries their registration's status (`registration`). */
  registeredBy?: number;
  page?: number;
  perPage?: number;
  /** Also count every match (for paging); off for short lists such as a group page's next three. */
  count?: boolean;
}

export async function listEvents(db: Db, viewer: Actor, f: EventFilters = {}): Promise<{ rows: (EventRow & { registration?: string | null })[]; total: number }> {
  const where = [eventReadableBy(viewer)];
  // The database's clock, not a parameter: a time given as a parameter makes PostgreSQL plan the
  // prepared statement afresh on every use (it cannot estimate how many events lie ahead of it).
  if (f.when === 'past') where.push(sql<SqlBool>`e.ends_at < now()`);
  else if (f.when === 'upcoming') where.push(sql<SqlBool>`e.ends_at >= now()`);
  if (f.from) where.push(sql<SqlBool>`e.starts_at >= ${f.from}`);
  if (f.to) where.push(sql<SqlBool>`e.starts_at < ${f.to}`);
  if (f.group) where.push(sql<SqlBool>`e.group_id = ${f.group}`);
  if (f.state) where.push(sql<SqlBool>`e.state_code = ${f.state}`);
  if (f.communityOnly) where.push(sql<SqlBool>`(e.group_id IS NULL AND e.state_code IS NULL)`);
  if (f.kind) where.push(sql<SqlBool>`e.kind = ${f.kind}`);
  if (f.registeredBy) where.push(sql<SqlBool>`EXISTS (SELECT 1 FROM event_registrations r WHERE r.event_id = e.id AND r.user_id = ${f.registeredBy} AND r.response IN ('going','maybe'))`);
  const cond = sql.join(where, sql` AND `);
  const perPage = f.perPage ?? 25;
  const offset = ((f.page ?? 1) - 1) * perPage;
  const order = f.when === 'past' ? sql`e.starts_at DESC, e.id DESC` : sql`e.starts_at, e.id`;
  const [rows, total] = await Promise.all([
    sql<EventRow & { registration?: string | null }>`SELECT ${EVENT_SELECT}${
      f.registeredBy ? sql`, (SELECT r.status FROM event_registrations r WHERE r.event_id = e.id AND r.user_id = ${f.registeredBy}) AS registration` : sql``
    } FROM ${EVENT_FROM} WHERE ${cond} ORDER BY ${order} LIMIT ${perPage} OFFSET ${offset} ${PREPARED}`.execute(db),
    f.count === false ? Promise.resolve(undefined) : sql<{ n: number }>`SELECT count(*)::int AS n FROM events e LEFT JOIN practice_groups g ON g.id = e.group_id WHERE ${cond}`.execute(db),
  ]);
  return { rows: rows.rows, total: total ? total.rows[0]!.n : rows.rows.length };
}

export async function registrationOf(db: Db | Tx, eventId: number, userId: number) {
  return db.selectFrom('event_registrations').selectAll().where('event_id', '=', eventId).where('user_id', '=', userId).executeTakeFirst();
}

/** Who registered (organizers only): with accommodation requests, perspectives and state for attendance counts. */
export async function registrationsOf(db: Db, eventId: number) {
  return db
    .selectFrom('event_registrations as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['r.user_id', 'u.name', 'u.email', 'u.state_code', 'u.perspectives', 'r.response', 'r.status', 'r.waitlisted_at', 'r.accommodations', 'r.interpretation_language', 'r.accommodation_notes', 'r.attended', 'r.created_at'])
    .where('r.event_id', '=', eventId)
    .orderBy(sql`CASE r.status WHEN 'confirmed' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END`)
    .orderBy(sql`r.waitlisted_at NULLS FIRST`)
    .orderBy('u.name')
    .execute();
}

/** Attendance counted by perspective and by state (a person with two perspectives counts in both). */
export async function attendanceBreakdown(db: Db, eventId: number) {
  const [byPerspective, byState] = await Promise.all([
    sql<{ key: string; n: number }>`SELECT p AS key, count(*)::int AS n FROM event_registrations r JOIN users u ON u.id = r.user_id, unnest(CASE WHEN cardinality(u.perspectives) = 0 THEN ARRAY['unstated'] ELSE u.perspectives END) p
      WHERE r.event_id = ${eventId} AND r.attended GROUP BY p ORDER BY 2 DESC, 1`.execute(db),
    sql<{ key: string; n: number }>`SELECT coalesce(u.state_code, '--') AS key, count(*)::int AS n FROM event_registrations r JOIN users u ON u.id = r.user_id
      WHERE r.event_id = ${eventId} AND r.attended GROUP BY 1 ORDER BY 2 DESC, 1`.execute(db),
  ]);
  return { byPerspective: byPerspective.rows, byState: byState.rows };
}

export async function materialsOf(db: Db, viewer: Actor, eventId: number) {
  return db
    .selectFrom('event_resources as er')
    .innerJoin('resources as r', 'r.id', 'er.resource_id')
    .select(['r.id', 'r.slug', 'r.title', 'r.kind', 'er.role'])
    .where('er.event_id', '=', eventId)
    .where(resourceReadableBy(viewer))
    .orderBy('r.title')
    .execute();
}

// ---- who organizes ------------------------------------------------------------------------------------

export interface OrganizerScopes {
  community: boolean;
  groups: { id: number; slug: string; name: string }[];
  states: { code: string; name: string }[];
}

/** Where a person may create events: facilitators anywhere; group leads in their groups; state contacts in their state. */
export async function organizerScopes(db: Db, actor: Actor): Promise<OrganizerScopes> {
  if (actor.kind !== 'user' || !actor.emailVerified) return { community: false, groups: [], states: [] };
  const fac = can(actor, 'event.organize_anywhere', undefined);
  const stewarded = stewardedGroups(actor);
  const leadIds = stewarded === 'all' ? [] : stewarded;
  const [groups, states] = await Promise.all([
    fac || leadIds.length
      ? db
          .selectFrom('practice_groups')
          .select(['id', 'slug', 'name'])
          .where('archived_at', 'is', null)
          .$if(!fac, (q) => q.where('id', 'in', leadIds))
          .orderBy(sql`lower(name)`)
          .execute()
      : Promise.resolve([]),
    db
      .selectFrom('state_initiatives as s')
      .select(['s.state_code as code', 's.name'])
      .$if(!fac, (q) => q.where((eb) => eb.exists(eb.selectFrom('state_initiative_contacts as c').select('c.user_id').whereRef('c.state_initiative_id', '=', 's.id').where('c.user_id', '=', actor.id))))
      .orderBy('s.name')
      .execute(),
  ]);
  return { community: fac, groups, states: states.map((s) => ({ code: s.code.trim(), name: s.name })) };
}

/** event.organize, with the one fact the rule needs from the database: is the actor a contact of the event's state initiative? */
export async function canOrganize(db: Db | Tx, actor: Actor, e: Pick<EventRow, 'group_id' | 'group_visibility' | 'group_join_policy' | 'group_archived_at' | 'state_code' | 'created_by'>): Promise<boolean> {
  const subject = eventSubject(e);
  let stateContact = false;
  if (actor.kind === 'user' && subject.group === null && subject.state_code !== null && !can(actor, 'event.organize', { ...subject, stateContact: false })) {
    const c = await db
      .selectFrom('state_initiative_contacts as c')
      .innerJoin('state_initiatives as s', 's.id', 'c.state_initiative_id')
      .select('c.user_id')
      .where('s.state_code', '=', subject.state_code)
      .where('c.user_id', '=', actor.id)
      .executeTakeFirst();
    stateContact = !!c;
  }
  return can(actor, 'event.organize', { ...subject, stateContact });
}

export async function requireOrganizer(db: Db | Tx, actor: Actor, e: EventRow): Promise<UserActor> {
  if (actor.kind !== 'user') throw new AppError('unauthenticated');
  if (!(await canOrganize(db, actor, e))) throw new AppError('forbidden');
  return actor;
}


export const scopeKey = (e: Pick<EventRow, 'group_id' | 'state_code'>) => (e.group_id ? `group:${e.group_id}` : e.state_code ? `state:${e.state_code.trim()}` : 'community');


/** The form's values for an existing event, in its own time zone. */
export function formValuesOf(e: EventRow): Record<string, unknown> {
  const s = utcToLocal(e.starts_at, e.time_zone);
  const en = utcToLocal(e.ends_at, e.time_zone);
  const d = e.registration_deadline ? utcToLocal(e.registration_deadline, e.time_zone) : undefined;
  return {
    title: e.title,
    kind: e.kind,
    scope: scopeKey(e),
    description: e.description,
    agenda: e.agenda,
    language: e.language,
    start_date: s.date,
    start_time: s.time,
    end_date: en.date === s.date ? '' : en.date,
    end_time: en.time,
    time_zone: e.time_zone,
    location: e.location,
    online_url: e.online_url ?? '',
    capacity: e.capacity ?? '',
    deadline_date: d?.date ?? '',
    deadline_time: d?.time ?? '',
    apply_to: 'this',
  };
}

/** What a seat count says: "12 of 40 seats taken", or no limit. */
export const seatsLeft = (e: Pick<EventRow, 'capacity' | 'going_count'>) => (e.capacity === null ? null : Math.max(0, e.capacity - e.going_count));
