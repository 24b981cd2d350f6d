import { sql } from 'kysely';
import { PREPARED, type Db } from '../platform/db/db.js';
import { ANONYMOUS, type Actor, type UserActor } from '../platform/auth/actor.js';
import { can } from '../platform/auth/policy.js';
import { trackedThreads, type TrackedThread } from '../discussions/tracking.js';
import { listNotifications, type NotificationItem } from '../notifications/queries.js';
import { listEvents, type EventRow } from '../events/queries.js';
import { resourceReadableBy } from '../resources/policy.js';
import type { GroupRow } from '../groups/queries.js';

/**
 * The home page's own sections: for a signed-in person, what is waiting for
 * them ("for you"); for a visitor, what is happening in public. Every list
 * goes through the same readability rules as its full view (each links there).
 */

const SHORT = 5;

export interface HomeResource {
  slug: string;
  title: string;
  kind: string;
  language: string;
  group_name: string | null;
}

export interface ForYou {
  unread: TrackedThread[];
  fresh: TrackedThread[];
  /** Replies and mentions addressed to the person, not yet read. */
  forMe: NotificationItem[];
  /** Upcoming convenings the person registered for, with their registration status (the join link needs "confirmed"). */
  events: (EventRow & { registration: string | null })[];
  resources: HomeResource[];
  /** Milestones of agenda items the person's organizations own, not done, due within 30 days or overdue. */
  milestones: { id: number; title: string; due_on: string; percent: number; item_slug: string; item_title: string }[];
  /** Open groups the person may join, busiest first. */
  suggestions: GroupRow[];
}

/** New resources: filed under (or kept for) the person's groups (or, for a visitor, public ones), newest first. */
async function newResources(db: Db, viewer: Actor, groupIds: number[] | undefined): Promise<HomeResource[]> {
  if (groupIds && groupIds.length === 0) return [];
  let q = db
    .selectFrom('resources as r')
    .select(['r.slug', 'r.title', 'r.kind', 'r.language'])
    .select(
      groupIds
        ? sql<string | null>`(SELECT g.name FROM practice_groups g WHERE g.id = ANY(${groupIds}::bigint[])
            AND (g.id = r.group_id OR EXISTS (SELECT 1 FROM resource_groups rg WHERE rg.resource_id = r.id AND rg.group_id = g.id)) ORDER BY g.name LIMIT 1)`.as('group_name')
        : sql<string | null>`NULL::text`.as('group_name'),
    )
    .where('r.deleted_at', 'is', null)
    .where(resourceReadableBy(viewer));
  // Filed under one of the groups, or kept for one of them.
  // (Found from the groups' side: both lists are indexed by group.)
  if (groupIds)
    q = q.where(sql<boolean>`r.id IN (SELECT x.id FROM resources x WHERE x.group_id = ANY(${groupIds}::bigint[])
      UNION SELECT rg.resource_id FROM resource_groups rg WHERE rg.group_id = ANY(${groupIds}::bigint[]))`);
  return q.orderBy('r.created_at', 'desc').orderBy('r.id', 'desc').limit(SHORT).modifyEnd(PREPARED).execute();
}

export async function forYou(db: Db, viewer: UserActor, groups: GroupRow[]): Promise<ForYou> {
  const mine = [...viewer.memberships.entries()].filter(([, m]) => m.status === 'active').map(([id]) => id);
  const [unread, fresh, notes, events, resources, milestones] = await Promise.all([
    trackedThreads(db, viewer, 'unread', 1, SHORT),
    trackedThreads(db, viewer, 'new', 1, SHORT),
    listNotifications(db, viewer, 1),
    listEvents(db, viewer, { when: 'upcoming', registeredBy: viewer.id, perPage: 3, count: false }),
    newResources(db, viewer, mine),
    sql<ForYou['milestones'][number]>`SELECT m.id, m.title, to_char(m.due_on, 'YYYY-MM-DD') AS due_on, m.percent, i.slug AS item_slug, i.title AS item_title
      FROM agenda_milestones m JOIN agenda_items i ON i.id = m.item_id
      WHERE m.percent < 100 AND m.due_on IS NOT NULL AND m.due_on <= current_date + 30
        AND EXISTS (SELECT 1 FROM agenda_owners o JOIN user_organizations uo ON uo.organization_id = o.organization_id WHERE o.item_id = i.id AND uo.user_id = ${viewer.id})
      ORDER BY m.due_on, m.id LIMIT ${SHORT} ${PREPARED}`.execute(db),
  ]);
  const statuses = events.rows.length
    ? await db.selectFrom('event_registrations').select(['event_id', 'status']).where('user_id', '=', viewer.id).where('event_id', 'in', events.rows.map((e) => e.id)).execute()
    : [];
  const statusOf = new Map<number, string>(statuses.map((s) => [Number(s.event_id), s.status]));
  return {
    unread: unread.threads,
    fresh: fresh.threads,
    forMe: notes.items.filter((n) => !n.read_at && (n.kind === 'reply' || n.kind === 'mention')).slice(0, SHORT),
    events: events.rows.map((e) => ({ ...e, registration: statusOf.get(Number(e.id)) ?? null })),
    resources,
    milestones: milestones.rows,
    suggestions: groups
      .filter((g) => !viewer.memberships.has(g.id) && !g.archived_at && can(viewer, 'group.join', g))
      .sort((a, b) => b.member_count - a.member_count)
      .slice(0, 3),
  };
}

export interface VisitorHome {
  events: EventRow[];
  threads: TrackedThread[];
  resources: HomeResource[];
}

/** What a visitor sees happening: upcoming public convenings, recent public discussions, new public resources. */
export async function visitorHome(db: Db): Promise<VisitorHome> {
  const [events, threads, resources] = await Promise.all([
    listEvents(db, ANONYMOUS, { when: 'upcoming', perPage: 3, count: false }),
    trackedThreads(db, ANONYMOUS, 'latest', 1, SHORT),
    newResources(db, ANONYMOUS, undefined),
  ]);
  return { events: events.rows, threads: threads.threads, resources };
}
