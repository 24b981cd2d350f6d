import { sql } from 'kysely';
import { PREPARED, type Db } from '../platform/db/db.js';
import type { Actor, UserActor } from '../platform/auth/actor.js';
import { authorize, can } from '../platform/auth/policy.js';
import { AppError } from '../platform/http/errors.js';
import type { PageCache } from '../platform/http/page-cache.js';
import { resultCache } from '../platform/http/result-cache.js';
import { PERSON_COLUMNS, canListPerson, presentPerson, type PersonRow } from '../community/queries.js';
import type { WatchLevel } from '../platform/db/schema.js';
import type { Translations } from '../platform/i18n/content.js';

export const GROUP_COLUMNS = [
  'id',
  'slug',
  'name',
  'short_name',
  'mission',
  'led_by',
  'visibility',
  'join_policy',
  'member_count',
  'created_at',
  'updated_at',
  'archived_at',
  'language',
  'translations',
] as const;

export async function getGroup(db: Db, slug: string) {
  return db.selectFrom('practice_groups').select(GROUP_COLUMNS).where('slug', '=', slug).modifyEnd(PREPARED).executeTakeFirst();
}
export type GroupRow = NonNullable<Awaited<ReturnType<typeof getGroup>>>;

/** A group the actor may see, or a 404 (also when it exists but is hidden from them). */
export async function getVisibleGroup(db: Db, actor: Actor, slug: string): Promise<GroupRow> {
  const group = await getGroup(db, slug);
  if (!group) throw new AppError('not_found');
  authorize(actor, 'group.view', group);
  return group;
}

/** Groups the viewer may see, ordered by name. */
export async function listGroups(db: Db, viewer: Actor, opts: { includeArchived?: boolean } = {}) {
  const rows = await groupRows(db, { includeArchived: opts.includeArchived, publicOnly: viewer.kind === 'anonymous' });
  return rows.filter((g) => can(viewer, 'group.view', g));
}

/** Groups by name before any viewer's policy is applied (callers filter with `group.view`). */
export async function groupRows(db: Db, opts: { includeArchived?: boolean; publicOnly?: boolean } = {}) {
  let q = db.selectFrom('practice_groups').select(GROUP_COLUMNS).orderBy(sql`lower(name)`);
  if (!opts.includeArchived) q = q.where('archived_at', 'is', null);
  // Filter in SQL what policy would filter anyway, so lists stay cheap for large communities.
  if (opts.publicOnly) q = q.where('visibility', '=', 'public');
  return q.execute();
}

/** The shared results cache of every group's row (all, or the public ones), one per app (its page cache). */
function sharedGroupRows(pageCache: PageCache | undefined): (db: Db, viewer: Actor) => Promise<GroupRow[]> {
  const shared = pageCache && groupRowCaches.get(pageCache);
  if (shared) return shared;
  const cache = resultCache<GroupRow[]>(pageCache, 4);
  const rows = (db: Db, viewer: Actor) => {
    const publicOnly = viewer.kind === 'anonymous';
    return cache(publicOnly ? 'public' : 'all', () => groupRows(db, { publicOnly }));
  };
  if (pageCache) groupRowCaches.set(pageCache, rows);
  return rows;
}
const groupRowCaches = new WeakMap<PageCache, (db: Db, viewer: Actor) => Promise<GroupRow[]>>();

/**
 * `listGroups` for busy pages (search, discussions, reach): the rows come from the shared
 * results cache (cleared on any write, so a new group or member count shows
 * at once), the viewer's policy is applied to them on each request.
 */
export function cachedGroupList(pageCache: PageCache | undefined): (db: Db, viewer: Actor) => Promise<GroupRow[]> {
  const rowsFor = sharedGroupRows(pageCache);
  return async (db, viewer) => (await rowsFor(db, viewer)).filter((g) => can(viewer, 'group.view', g));
}

/**
 * The groups the viewer may see, largest first (by name among equals), from the same
 * shared rows as `cachedGroupList`, each checked against the viewer's policy only when
 * it is reached: the home shows the busiest dozen and suggests three to join, and
 * checking all 512 groups of a national community for each of those on every visit
 * (then sorting them) was about a tenth of the signed-in home's server time. The
 * order is worked out once per cached list. Take from it with `firstOf`.
 */
export function cachedGroupsBySize(pageCache: PageCache | undefined): (db: Db, viewer: Actor) => Promise<Iterable<GroupRow>> {
  const rowsFor = sharedGroupRows(pageCache);
  return async (db, viewer) => {
    const rows = await rowsFor(db, viewer);
    let sorted = sizeOrders.get(rows);
    if (!sorted) {
      sorted = [...rows].sort((a, b) => b.member_count - a.member_count);
      sizeOrders.set(rows, sorted);
    }
    const order = sorted;
    return {
      *[Symbol.iterator]() {
        for (const g of order) if (can(viewer, 'group.view', g)) yield g;
      },
    };
  };
}
const sizeOrders = new WeakMap<GroupRow[], GroupRow[]>();

/** The first `n` items that `keep` accepts, in order, reading no further than needed. */
export function firstOf<T>(items: Iterable<T>, n: number, keep: (item: T) => boolean = () => true): T[] {
  const out: T[] = [];
  if (n <= 0) return out;
  for (const item of items) {
    if (!keep(item)) continue;
    out.push(item);
    if (out.length >= n) break;
  }
  return out;
}

export interface PriorityRow {
  position: number;
  text: string;
  translations: Translations;
}

export async function priorities(db: Db, groupIds: number[]) {
  if (groupIds.length === 0) return new Map<number, PriorityRow[]>();
  const rows = await db
    .selectFrom('group_priorities')
    .select(['group_id', 'position', 'text', 'translations'])
    .where('group_id', 'in', groupIds)
    .orderBy('group_id')
    .orderBy('position')
    .modifyEnd(PREPARED)
    .execute();
  const map = new Map<number, PriorityRow[]>();
  for (const r of rows) {
    const list = map.get(r.group_id) ?? [];
    list.push({ position: r.position, text: r.text, translations: r.translations });
    map.set(r.group_id, list);
  }
  return map;
}

/**
 * Active members as the viewer may see them, by name (leads are listed apart on
 * the group page); `leadsFirst` puts leads and co-leads ahead (the API's order).
 * By name alone, a page of a large group walks `users_name_idx` and stops.
 */
export async function groupMembers(db: Db, viewer: Actor, groupId: number, opts: { limit?: number; offset?: number; leadsFirst?: boolean } = {}) {
  return presentMembers(viewer, await groupMemberRows(db, groupId, opts));
}

/** `groupMembers` before the viewer's policy: the same rows for everyone (the group page shares them). */
export async function groupMemberRows(db: Db, groupId: number, opts: { limit?: number; offset?: number; leadsFirst?: boolean } = {}) {
  return activeMembers(db, groupId)
    .$if(opts.leadsFirst === true, (q) => q.orderBy(sql`CASE m.role WHEN 'lead' THEN 0 WHEN 'co_lead' THEN 1 ELSE 2 END`))
    .orderBy('u.name')
    .orderBy('u.id')
    .limit(opts.limit ?? 500)
    .offset(opts.offset ?? 0)
    // Not prepared: a page of all members is planned per group (its size decides the plan).
    .execute();
}
export type MemberRow = PersonRow & { group_role: string; joined_at: Date };

/** Members as this viewer may see them: people they may not list left out, fields they may not see removed. */
export function presentMembers(viewer: Actor, rows: MemberRow[]) {
  return rows.filter((p) => canListPerson(viewer, p)).map((p) => ({ ...presentPerson(viewer, p), group_role: p.group_role, joined_at: p.joined_at }));
}

/** One active member of a group as the viewer may see them, or undefined. */
export async function groupMember(db: Db, viewer: Actor, groupId: number, userId: number) {
  const row = await activeMembers(db, groupId).where('m.user_id', '=', userId).executeTakeFirst();
  return row ? presentMembers(viewer, [row])[0] : undefined;
}

/** A group's active members with their profile columns, role and joining date. */
function activeMembers(db: Db, groupId: number) {
  return db
    .selectFrom('group_memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(PERSON_COLUMNS.map((c) => `u.${c}` as const))
    .select(['m.role as group_role', 'm.created_at as joined_at'])
    .where('m.group_id', '=', groupId)
    .where('m.status', '=', 'active');
}

/** Leads of many groups at once (for lists), as the viewer may see them. */
export async function leadsOf(db: Db, viewer: Actor, groupIds: number[]) {
  const map = new Map<number, { id: number; name: string; role: string }[]>();
  if (groupIds.length === 0) return map;
  const rows = await db
    .selectFrom('group_memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(PERSON_COLUMNS.map((c) => `u.${c}` as const))
    .select(['m.group_id', 'm.role as group_role'])
    .where('m.group_id', 'in', groupIds)
    .where('m.status', '=', 'active')
    .where('m.role', 'in', ['lead', 'co_lead'])
    .orderBy('m.role')
    .orderBy('u.name')
    .execute();
  for (const r of rows) {
    if (!canListPerson(viewer, r)) continue;
    const list = map.get(r.group_id) ?? [];
    list.push({ id: r.id, name: r.name, role: r.group_role });
    map.set(r.group_id, list);
  }
  return map;
}

type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

/**
 * The group page's small lists that are the same for every viewer, in one
 * round trip: its numbered priorities, its leads and co-leads (leads first,
 * then by name; present them per viewer with `presentMembers`), its latest
 * depth reviews and the agenda items its priorities advance.
 */
export async function groupPageLists(db: Db, groupId: number) {
  const r = await sql<{
    priorities: PriorityRow[];
    leads: Json<MemberRow>[];
    reviews: { id: number; level: string; notes: string; created_at: string; reviewer: string | null }[];
    agenda: { position: number; slug: string; title: string; language: string; translations: Translations }[];
  }>`
    SELECT
      (SELECT coalesce(json_agg(json_build_object('position', p.position, 'text', p.text, 'translations', p.translations) ORDER BY p.position), '[]')
         FROM group_priorities p WHERE p.group_id = ${groupId}) AS priorities,
      (SELECT coalesce(json_agg(x ORDER BY x.lead_order, x.name, x.id), '[]') FROM (
         SELECT ${sql.join(PERSON_COLUMNS.map((c) => sql.ref(`u.${c}`)))}, m.role AS group_role, m.created_at AS joined_at,
                CASE m.role WHEN 'lead' THEN 0 ELSE 1 END AS lead_order
           FROM group_memberships m JOIN users u ON u.id = m.user_id
          WHERE m.group_id = ${groupId} AND m.status = 'active' AND m.role IN ('lead', 'co_lead')
          ORDER BY lead_order, u.name, u.id LIMIT 50) x) AS leads,
      (SELECT coalesce(json_agg(x ORDER BY x.created_at DESC), '[]') FROM (
         SELECT r.id, r.level, r.notes, r.created_at, u.name AS reviewer
           FROM group_reviews r LEFT JOIN users u ON u.id = r.reviewed_by
          WHERE r.group_id = ${groupId} ORDER BY r.created_at DESC LIMIT 24) x) AS reviews,
      (SELECT coalesce(json_agg(json_build_object('position', ap.position, 'slug', a.slug, 'title', a.title, 'language', a.language, 'translations', a.translations) ORDER BY ap.position), '[]')
         FROM agenda_priorities ap JOIN agenda_items a ON a.id = ap.item_id WHERE ap.group_id = ${groupId}) AS agenda
    ${PREPARED}`.execute(db);
  const row = r.rows[0]!;
  const date = (v: string) => new Date(v);
  return {
    priorities: row.priorities,
    leads: row.leads.map((l): MemberRow => ({ ...l, created_at: date(l.created_at), deactivated_at: l.deactivated_at === null ? null : date(l.deactivated_at), joined_at: date(l.joined_at) })),
    reviews: row.reviews.map((x) => ({ ...x, created_at: date(x.created_at) })),
    agendaLinks: row.agenda,
  };
}

/**
 * What the group page shows only this person, in one round trip: their watch
 * level for the group, the read marks of the listed threads they watch or
 * track, and, when they manage the group, pending requests and invitations
 * (oldest first).
 */
export async function groupViewerState(db: Db, viewer: UserActor, groupId: number, opts: { pending: boolean; threadIds: number[] }) {
  const r = await sql<{
    watch: WatchLevel | null;
    marks: { thread_id: number; read_at: string | null }[];
    pending: { id: number; name: string; status: string; message: string; created_at: string }[];
  }>`
    SELECT
      (SELECT w.level FROM group_watches w WHERE w.user_id = ${viewer.id} AND w.group_id = ${groupId}) AS watch,
      (SELECT coalesce(json_agg(json_build_object('thread_id', w.thread_id, 'read_at', r.read_at)), '[]')
         FROM thread_watches w LEFT JOIN thread_reads r ON r.thread_id = w.thread_id AND r.user_id = w.user_id
        WHERE w.user_id = ${viewer.id} AND w.level IN ('watching', 'tracking') AND w.thread_id = ANY(${opts.threadIds}::bigint[])) AS marks,
      CASE WHEN ${opts.pending} THEN (SELECT coalesce(json_agg(x ORDER BY x.created_at), '[]') FROM (
         SELECT u.id, u.name, m.status, m.message, m.created_at
           FROM group_memberships m JOIN users u ON u.id = m.user_id
          WHERE m.group_id = ${groupId} AND m.status IN ('requested', 'invited')) x) ELSE '[]' END AS pending
    ${PREPARED}`.execute(db);
  const row = r.rows[0]!;
  return {
    watchLevel: row.watch ?? ('normal' as WatchLevel),
    marks: row.marks.map((m) => ({ thread_id: m.thread_id, read_at: m.read_at === null ? null : new Date(m.read_at) })),
    pending: row.pending.map((x) => ({ ...x, created_at: new Date(x.created_at) })),
  };
}

/** The groups a person takes part in that the viewer may see. */
export async function groupsOfPerson(db: Db, viewer: Actor, userId: number) {
  const rows = await db
    .selectFrom('group_memberships as m')
    .innerJoin('practice_groups as g', 'g.id', 'm.group_id')
    .select(['g.id', 'g.slug', 'g.name', 'g.visibility', 'g.join_policy', 'g.archived_at', 'm.role'])
    .where('m.user_id', '=', userId)
    .where('m.status', '=', 'active')
    .orderBy('g.name')
    .execute();
  return rows.filter((g) => can(viewer, 'group.view', g));
}
