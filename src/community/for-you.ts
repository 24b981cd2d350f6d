import { sql } from 'kysely';
import { PREPARED, jsonRows, type Db } from '../platform/db/db.js';
import { ANONYMOUS, type Actor, type UserActor } from '../platform/auth/actor.js';
import { can } from '../platform/auth/policy.js';
import { trackedFromJson, trackedJson, trackedThreads, type TrackedThread } from '../discussions/tracking.js';
import { addressedFromJson, addressedJson, type NotificationItem } from '../notifications/queries.js';
import { listEvents, type EventRow } from '../events/queries.js';
import { perPersonStatement } from '../platform/db/per-person.js';
import { resourceReadableBy } from '../resources/policy.js';
import { eventReadableBy } from '../events/policy.js';
import { firstOf, type GroupRow } from '../groups/queries.js';

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

/** A convening as the home lists it. */
export interface HomeEvent {
  id: number;
  title: string;
  language: string;
  translations: Record<string, Record<string, string>> | null;
  starts_at: Date;
  online_url: string | null;
  status: string;
  registration: string | null;
}

export interface ForYou {
  unread: TrackedThread[];
  fresh: TrackedThread[];
  /** Replies and mentions addressed to the person, not yet read. */
  forMe: NotificationItem[];
  /** Upcoming convenings the person registered for, with their registration status (the join link needs "confirmed"). */
  events: HomeEvent[];
  resources: HomeResource[];
  /** Milestones of agenda items the person's organizations own, not done, due within 30 days or overdue. */
  milestones: { id: number; title: string; due_on: string; percent: number; item_slug: string; item_title: string }[];
  /** Open groups the person may join, busiest first. */
  suggestions: GroupRow[];
  /** Questions about use waiting for the person (the newest three, and how many in all). */
  followups: { items: { id: number; trigger: string; title: string }[]; total: number };
}

/** New resources: filed under (or kept for) the member's groups (or, for a visitor, public ones), newest first (a statement, not run). */
function newResourcesQuery(db: Db, viewer: Actor, member: UserActor | undefined) {
  // The person's groups are read here rather than passed in: with the person as the only parameter,
  // PostgreSQL keeps one plan for the statement instead of planning it for each list of groups.
  const mine = member ? sql`(SELECT m.group_id FROM group_memberships m WHERE m.user_id = ${member.id} AND m.status = 'active')` : undefined;
  let q = db
    .selectFrom('resources as r')
    .select(['r.id', 'r.created_at', 'r.slug', 'r.title', 'r.kind', 'r.language'])
    .select(
      mine
        ? sql<string | null>`(SELECT g.name FROM practice_groups g WHERE g.id IN ${mine}
            AND (g.id = r.group_id OR EXISTS (SELECT 1 FROM resource_groups rg WHERE rg.resource_id = r.id AND rg.group_id = g.id)) ORDER BY g.name LIMIT 1)`.as('group_name')
        : sql<string | null>`NULL::text`.as('group_name'),
    )
    .where('r.deleted_at', 'is', null)
    .where(resourceReadableBy(viewer));
  // Filed under one of the groups, or kept for one of them.
  // (Found from the groups' side: both lists are indexed by group.)
  if (mine)
    q = q.where(sql<boolean>`r.id IN (SELECT x.id FROM resources x WHERE x.group_id IN ${mine}
      UNION SELECT rg.resource_id FROM resource_groups rg WHERE rg.group_id IN ${mine})`);
  return q.orderBy('r.created_at', 'desc').orderBy('r.id', 'desc').limit(sql.lit(SHORT));
}

const asHomeResource = ({ slug, title, kind, language, group_name }: HomeResource): HomeResource => ({ slug, title, kind, language, group_name });

/** Milestones of agenda items the person's organizations own, not done, due within 30 days or overdue. */
const milestonesQuery = (viewer: UserActor) => sql`SELECT m.id, m.title, to_char(m.due_on, 'YYYY-MM-DD') AS due_on, m.percent, i.slug AS item_slug, i.title AS item_title
      FROM agenda_milestones m JOIN agenda_items i ON i.id = m.item_id
      WHERE m.percent < 100 AND m.due_on IS NOT NULL AND m.due_on <= current_date + 30
        AND EXISTS (SELECT 1 FROM agenda_owners o JOIN user_organizations uo ON uo.organization_id = o.organization_id WHERE o.item_id = i.id AND uo.user_id = ${viewer.id})
      ORDER BY m.due_on, m.id LIMIT ${sql.lit(SHORT)}`;

/** Questions about use waiting for the person, about what they may still see (value/followups.ts asks them). */
const followupsJson = (viewer: UserActor) => sql`(SELECT json_build_object('total', count(*), 'items', coalesce((array_agg(json_build_object('id', x.id, 'trigger', x.trigger, 'title', x.title) ORDER BY x.asked_at DESC, x.id DESC))[1:3], '{}'))
    FROM (SELECT f.id, f.trigger, f.asked_at, coalesce(r.title, e.title) AS title
            FROM use_followups f
            LEFT JOIN resources r ON r.id = f.resource_id
            LEFT JOIN events e ON e.id = f.event_id
            LEFT JOIN practice_groups g ON g.id = e.group_id
           WHERE f.user_id = ${viewer.id} AND f.asked_at IS NOT NULL AND f.answered_at IS NULL AND f.outcome IS NULL
             AND ((f.resource_id IS NOT NULL AND r.deleted_at IS NULL AND ${resourceReadableBy(viewer)})
               OR (f.event_id IS NOT NULL AND e.status <> 'cancelled' AND ${eventReadableBy(viewer)}))) x)`;

/**
 * The person's next convenings (those they said they are going to or might go to, readable to
 * them), with their registration status: the same rules as the events page's "registered" filter.
 */
const myEventsQuery = (viewer: UserActor) => sql`SELECT e.id, e.title, e.language, e.translations, e.starts_at, e.online_url, e.status,
      (SELECT r.status FROM event_registrations r WHERE r.event_id = e.id AND r.user_id = ${viewer.id}) AS registration
    FROM events e LEFT JOIN practice_groups g ON g.id = e.group_id
   WHERE ${eventReadableBy(viewer)} AND e.ends_at >= now()
     AND EXISTS (SELECT 1 FROM event_registrations r WHERE r.event_id = e.id AND r.user_id = ${viewer.id} AND r.response IN ('going', 'maybe'))
   ORDER BY e.starts_at, e.id LIMIT ${sql.lit(3)}`;

type ListsRow = {
  unread: unknown[];
  fresh: unknown[];
  for_me: unknown[];
  resources: HomeResource[];
  milestones: ForYou['milestones'];
  followups: { total: number; items: ForYou['followups']['items'] };
  events: (Omit<HomeEvent, 'starts_at'> & { starts_at: string })[];
};

/**
 * Everything for the person in one statement (the lists as JSON columns,
 * prepared), its text built once per role (`perPersonStatement`). Measured at
 * scale 1, each round trip to the database cost more than these small queries
 * (eight statements gave 145–213 pages a second, three about 250).
 */
export const forYouLists = perPersonStatement<ListsRow>(
  (db, viewer) => sql<ListsRow>`SELECT
        ${trackedJson(db, viewer, 'unread', 1, SHORT)} AS unread,
        ${trackedJson(db, viewer, 'new', 1, SHORT)} AS fresh,
        ${addressedJson(db, viewer, SHORT)} AS for_me,
        ${jsonRows(newResourcesQuery(db, viewer, viewer), sql`s.created_at DESC, s.id DESC`)} AS resources,
        ${jsonRows(milestonesQuery(viewer), sql`s.due_on, s.id`)} AS milestones,
        ${followupsJson(viewer)} AS followups,
        ${jsonRows(myEventsQuery(viewer), sql`s.starts_at, s.id`)} AS events
        ${PREPARED}`,
);

/** The person's sections; `groups` are the groups they may see, largest first (`cachedGroupsBySize`). */
export async function forYou(db: Db, viewer: UserActor, groups: Iterable<GroupRow>): Promise<ForYou> {
  const row = (await forYouLists.execute(db, viewer)).rows[0]!;
  return {
    unread: trackedFromJson(row.unread).slice(0, SHORT),
    fresh: trackedFromJson(row.fresh).slice(0, SHORT),
    forMe: addressedFromJson(row.for_me),
    events: row.events.map((e) => ({ ...e, starts_at: new Date(e.starts_at) })),
    resources: row.resources.map(asHomeResource),
    milestones: row.milestones,
    followups: { total: Number(row.followups.total), items: row.followups.items },
    suggestions: firstOf(groups, 3, (g) => !viewer.memberships.has(g.id) && !g.archived_at && can(viewer, 'group.join', g)),
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
    newResourcesQuery(db, ANONYMOUS, undefined).modifyEnd(PREPARED).execute().then((rows) => rows.map(asHomeResource)),
  ]);
  return { events: events.rows, threads: threads.threads, resources };
}
