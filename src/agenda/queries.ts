import { memoPerDb } from '../platform/db/memo.js';
import { sql, type SqlBool } from 'kysely';
import type { Db } from '../platform/db/db.js';
import type { Actor } from '../platform/auth/actor.js';
import { can } from '../platform/auth/policy.js';
import './policy.js';
import { PERSPECTIVES } from '../community/vocab.js';
import { threadReadableBy } from '../discussions/policy.js';
import { resourceReadableBy } from '../resources/policy.js';
import type { Translations } from '../platform/i18n/content.js';


export const AGENDA_STATUSES = ['proposed', 'active', 'achieved', 'paused'] as const;
export const DEPTH_LEVELS = ['informing', 'networking', 'collaborating', 'transforming'] as const;
export interface AgendaRow {
  id: number;
  slug: string;
  title: string;
  description: string;
  language: 'en' | 'es';
  translations: Translations;
  status: (typeof AGENDA_STATUSES)[number];
  updated_at: Date;
  progress: number | null;
}

/** Items with their overall progress (the mean of their milestones). */
export async function listAgenda(db: Db): Promise<(AgendaRow & { owners: string[]; milestones: number })[]> {
  const rows = await sql<AgendaRow & { owners: string[]; milestones: number }>`
    SELECT a.id, a.slug, a.title, a.description, a.language, a.translations, a.status, a.updated_at,
           (SELECT round(avg(m.percent))::int FROM agenda_milestones m WHERE m.item_id = a.id) AS progress,
           (SELECT count(*)::int FROM agenda_milestones m WHERE m.item_id = a.id) AS milestones,
           coalesce((SELECT array_agg(o.name ORDER BY o.name) FROM agenda_owners ao JOIN organizations o ON o.id = ao.organization_id WHERE ao.item_id = a.id), '{}') AS owners
      FROM agenda_items a
     ORDER BY CASE a.status WHEN 'active' THEN 0 WHEN 'proposed' THEN 1 WHEN 'paused' THEN 2 ELSE 3 END, a.position, a.title`.execute(db);
  return rows.rows;
}

export async function getAgendaItem(db: Db, key: { slug?: string; id?: number }) {
  let q = db.selectFrom('agenda_items').selectAll();
  q = key.id !== undefined ? q.where('id', '=', key.id) : q.where('slug', '=', key.slug ?? '');
  return q.executeTakeFirst();
}

/** Everything an item's page shows, limited to what the viewer may read. */
export async function agendaDetails(db: Db, viewer: Actor, itemId: number) {
  const [why, owners, milestones, updates, priorities, threads, resources] = await Promise.all([
    db.selectFrom('agenda_why').select(['perspective', 'reason', 'translations']).where('item_id', '=', itemId).execute(),
    db.selectFrom('agenda_owners as ao').innerJoin('organizations as o', 'o.id', 'ao.organization_id').select(['o.id', 'o.slug', 'o.name']).where('ao.item_id', '=', itemId).orderBy('o.name').execute(),
    db.selectFrom('agenda_milestones').select(['id', 'title', 'translations', 'due_on', 'percent']).where('item_id', '=', itemId).orderBy(sql`due_on NULLS LAST`).orderBy('id').execute(),
    db.selectFrom('agenda_updates as u').leftJoin('users as p', 'p.id', 'u.author_id').select(['u.id', 'u.body', 'u.language', 'u.translations', 'u.created_at', 'u.decision_id', 'p.name as author']).where('u.item_id', '=', itemId).orderBy('u.created_at', 'desc').limit(50).execute(),
    db
      .selectFrom('agenda_priorities as ap')
      .innerJoin('practice_groups as g', 'g.id', 'ap.group_id')
      .leftJoin('group_priorities as gp', (j) => j.onRef('gp.group_id', '=', 'ap.group_id').onRef('gp.position', '=', 'ap.position'))
      .select(['g.slug', 'g.name', 'g.visibility', 'g.id as group_id', 'g.language', 'g.translations', 'ap.position', 'gp.text', 'gp.translations as text_translations'])
      .where('ap.item_id', '=', itemId)
      .orderBy('g.name')
      .execute(),
    db
      .selectFrom('agenda_links as l')
      .innerJoin('threads as t', 't.id', 'l.thread_id')
      .leftJoin('practice_groups as g', 'g.id', 't.group_id')
      .select(['t.id', 't.title', 't.reply_count'])
      .where('l.item_id', '=', itemId)
      .where(threadReadableBy(viewer))
      .orderBy('t.last_activity_at', 'desc')
      .execute(),
    db
      .selectFrom('agenda_links as l')
      .innerJoin('resources as r', 'r.id', 'l.resource_id')
      .select(['r.slug', 'r.title', 'r.kind'])
      .where('l.item_id', '=', itemId)
      .where(resourceReadableBy(viewer))
      .orderBy('r.title')
      .execute(),
  ]);
  // Priorities of groups the viewer cannot see are counted, not named.
  const visiblePriorities = priorities.filter((p) => can(viewer, 'agenda.see_priority', p));
  return { why, owners, milestones, updates, priorities: visiblePriorities, hiddenPriorities: priorities.length - visiblePriorities.length, threads, resources };
}

// ---- "Who isn't here?" ----------------------------------------------------------------------------

export interface PerspectiveGap {
  perspective: string;
  here: number;
  share: number;
  communityShare: number;
  state: 'missing' | 'thin' | 'present';
}

/**
 * Which perspectives are present among a set of people (their stated
 * perspectives, counted once per person), compared with the community as a
 * whole: missing (none here) or thin (less than half their community share).
 * Hidden and deactivated people are left out of both sides.
 */
/** The community's own mix changes slowly: it is counted at most once a minute per database. */
const communityMix = memoPerDb(60_000, async (db) =>
  (
    await sql<{ perspective: string; n: number }>`
    SELECT p AS perspective, count(*)::int AS n FROM users u, unnest(u.perspectives) p
     WHERE u.deactivated_at IS NULL AND NOT u.hidden GROUP BY p`.execute(db)
  ).rows,
);

export async function perspectiveGaps(db: Db, people: ReturnType<typeof sql<SqlBool>> | { userIds: number[] }): Promise<PerspectiveGap[]> {
  const community = { rows: await communityMix(db) };
  const cond = 'userIds' in people ? (people.userIds.length ? sql<SqlBool>`u.id = ANY(${people.userIds}::bigint[])` : sql<SqlBool>`false`) : people;
  const here = await sql<{ perspective: string; n: number }>`
    SELECT p AS perspective, count(DISTINCT u.id)::int AS n FROM users u, unnest(u.perspectives) p
     WHERE u.deactivated_at IS NULL AND NOT u.hidden AND ${cond} GROUP BY p`.execute(db);
  const cTotal = community.rows.reduce((s, r) => s + r.n, 0) || 1;
  const hTotal = here.rows.reduce((s, r) => s + r.n, 0) || 1;
  return PERSPECTIVES.filter((p) => p !== 'other').map((p) => {
    const h = here.rows.find((r) => r.perspective === p)?.n ?? 0;
    const c = community.rows.find((r) => r.perspective === p)?.n ?? 0;
    const share = h / hTotal;
    const communityShare = c / cTotal;
    return { perspective: p, here: h, share, communityShare, state: h === 0 ? 'missing' : share < communityShare / 2 ? 'thin' : 'present' };
  });
}

/** People taking part in an item: members of owner organizations, of groups whose priorities advance it, and authors in linked threads. */
export function agendaParticipants(itemId: number) {
  return sql<SqlBool>`(
    u.id IN (SELECT uo.user_id FROM user_organizations uo JOIN agenda_owners ao ON ao.organization_id = uo.organization_id WHERE ao.item_id = ${itemId})
    OR u.id IN (SELECT m.user_id FROM group_memberships m JOIN agenda_priorities ap ON ap.group_id = m.group_id WHERE ap.item_id = ${itemId} AND m.status = 'active')
    OR u.id IN (SELECT p.author_id FROM posts p JOIN agenda_links l ON l.thread_id = p.thread_id WHERE l.item_id = ${itemId} AND p.deleted_at IS NULL))`;
}

export const groupMembersCond = (groupId: number) => sql<SqlBool>`u.id IN (SELECT m.user_id FROM group_memberships m WHERE m.group_id = ${groupId} AND m.status = 'active')`;

