import { sql, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { PREPARED, jsonRows, type Db } from '../platform/db/db.js';
import { perPersonStatement, type PerPersonStatement } from '../platform/db/per-person.js';
import type { Actor, UserActor } from '../platform/auth/actor.js';
import { threadReadableBy } from './policy.js';
import { PAGE_SIZE, threadSelect, threadsFromJson, type ThreadRow } from './queries.js';

/**
 * What is new to a person across every space they may read: Latest (every
 * readable thread by last activity), New (threads started lately they have
 * not opened) and Unread (threads they opened that have replies since), with
 * per-thread counts of new replies and the first of them to jump to.
 *
 * A person's read mark for a thread is when they last opened it
 * (`thread_reads`); "mark everything read" sets one horizon per person
 * (`read_horizons`) before which nothing counts. Replies by the person
 * themselves, deleted and hidden posts never count; muted threads and
 * threads in muted groups are left out of New and Unread.
 */

/** How far back a thread counts as New for someone who has never opened it. */
export const NEW_FOR_DAYS = 14;
/** Counts shown in the tabs stop here ("99+"). */
export const COUNT_CAP = 99;

export type TrackedView = 'latest' | 'new' | 'unread';

export interface TrackedThread extends ThreadRow {
  /** Signed in only: never opened and started within NEW_FOR_DAYS. */
  is_new?: boolean;
  /** Signed in only: replies by others since the person last read it. */
  new_replies?: number;
  /** The first of those replies (jump target). */
  first_unread_id?: number | null;
}

/**
 * The person, as a one-row subquery rather than a bare parameter: the planner then
 * estimates their read marks, watches and horizon from the tables' averages in every
 * plan, never from this person's own statistics. With a bare parameter, one heavy
 * reader (a facilitator with 81,000 read marks) skewed `thread_reads`' statistics
 * until the per-value plans looked cheaper than the generic one, and PostgreSQL
 * planned these statements afresh on every use: the home and Unread fell by half for
 * everyone (scale 1: 398 → 206 and 505 → 336 req/s; with this, 420 and 534).
 */
const uid = (viewer: UserActor) => sql`(SELECT ${viewer.id}::bigint)`;

/*
 * How these statements are written: each is prepared (parsed and planned once
 * per connection), and PostgreSQL keeps one generic plan for it only when that
 * plan's estimate matches a per-value plan's. So the person is their only
 * parameter: the window for New is written in (a parameter there made the
 * generic plan guess a third of all threads), the first page's limit is written
 * in (later pages are unprepared), and the person's read mark and horizon are
 * joined once (`r`, `h`) rather than looked up in each place they are used.
 * Measured at scale 1, the lists went from a new plan on every use (2–8 ms) to
 * one per connection.
 */

/** The person's effective read mark for thread t (`r`: their read mark, `h`: their horizon): the later of the two; null if never opened. */
const MARK = sql<Date | null>`CASE WHEN r.thread_id IS NULL THEN NULL ELSE greatest(r.read_at, h.cleared_at) END`;

/** Posts in thread t that count as new for this person after their mark. */
const newPosts = (viewer: UserActor) =>
  sql`FROM posts p WHERE p.thread_id = t.id AND p.created_at > greatest(r.read_at, h.cleared_at) AND p.deleted_at IS NULL AND p.hidden_at IS NULL AND p.author_id IS DISTINCT FROM ${uid(viewer)}`;

/**
 * Thread t is muted by this person: the thread itself, or its group unless the person set a level
 * for the thread. Written as membership in the person's own few watches (which PostgreSQL reads
 * once per statement and hashes) rather than a lookup per thread: New's count and list test every
 * recent thread, and a probe of thread_watches for each cost about two buffers a thread (scale 1:
 * 200 of the 1,200 buffers Unread's statement read once the table held rows). A community-space
 * thread has no group: `NULL IN (…)` is unknown, and NOT of unknown would drop the thread, hence
 * the explicit test.
 */
const muted = (viewer: UserActor) => sql<SqlBool>`(t.id IN (SELECT w.thread_id FROM thread_watches w WHERE w.user_id = ${uid(viewer)} AND w.level = 'muted')
    OR (t.group_id IS NOT NULL AND t.group_id IN (SELECT gw.group_id FROM group_watches gw WHERE gw.user_id = ${uid(viewer)} AND gw.level = 'muted')
      AND t.id NOT IN (SELECT w.thread_id FROM thread_watches w WHERE w.user_id = ${uid(viewer)})))`;

/** Never opened (no `r`), not the person's own, started after NEW_FOR_DAYS ago and after their horizon. */
const isNew = (viewer: UserActor) => sql<SqlBool>`(r.thread_id IS NULL
    AND t.author_id IS DISTINCT FROM ${uid(viewer)}
    AND t.created_at > now() - ${sql.raw(`interval '${NEW_FOR_DAYS} days'`)}
    AND t.created_at > coalesce(h.cleared_at, '-infinity'::timestamptz))`;

/** Opened before (an `r` row), and others have replied since the person's read mark or horizon. */
const hasUnread = (viewer: UserActor) => sql<SqlBool>`(r.thread_id IS NOT NULL
    AND t.last_activity_at > greatest(r.read_at, h.cleared_at)
    AND EXISTS (SELECT 1 ${newPosts(viewer)}))`;

function baseQuery(db: Db, viewer: Actor) {
  return threadSelect(db).where('t.deleted_at', 'is', null).where(threadReadableBy(viewer));
}

/**
 * Joins this person's read mark (`r`) and horizon (`h`) to the readable
 * threads `t`: Unread is driven from the person's read marks (an inner join),
 * the other views keep every thread (outer joins).
 */
function withMarks<QB extends SelectQueryBuilder<any, any, any>>(qb: QB, viewer: UserActor, view: TrackedView): QB {
  const me = uid(viewer);
  const base = qb.leftJoin('read_horizons as h', (j) => j.on(sql<SqlBool>`h.user_id = ${me}`));
  return (
    view === 'unread'
      ? base.innerJoin('thread_reads as r', (j) => j.onRef('r.thread_id', '=', 't.id').on(sql<SqlBool>`r.user_id = ${me}`))
      : base.leftJoin('thread_reads as r', (j) => j.onRef('r.thread_id', '=', 't.id').on(sql<SqlBool>`r.user_id = ${me}`))
  ) as QB;
}

/** The statement for one page of a view (not run), newest activity first (New: newest started first); one row more than the page, to tell whether there is more. */
export function trackedQuery(db: Db, viewer: Actor, view: TrackedView, page = 1, perPage = PAGE_SIZE) {
  let q = viewer.kind === 'user' ? withMarks(baseQuery(db, viewer), viewer, view) : baseQuery(db, viewer);
  if (viewer.kind === 'user' && view === 'unread') {
    // The new replies are counted once per thread, in the join that keeps only threads that have some.
    q = q
      .innerJoin(sql`LATERAL (SELECT count(*)::int AS c, min(p.id) AS first ${newPosts(viewer)})`.as('n'), (j) => j.on(sql<SqlBool>`n.c > 0`))
      .select([sql<boolean>`false`.as('is_new'), sql<number>`n.c`.as('new_replies'), sql<number | null>`n.first`.as('first_unread_id')])
      .where(sql<SqlBool>`t.last_activity_at > greatest(r.read_at, h.cleared_at)`)
      .where(sql<SqlBool>`NOT ${muted(viewer)}`);
  } else if (viewer.kind === 'user') {
    q = q.select([
      isNew(viewer).as('is_new'),
      sql<number>`CASE WHEN ${MARK} IS NULL THEN 0 ELSE (SELECT count(*)::int ${newPosts(viewer)}) END`.as('new_replies'),
      sql<number | null>`CASE WHEN ${MARK} IS NULL THEN NULL ELSE (SELECT min(p.id) ${newPosts(viewer)}) END`.as('first_unread_id'),
    ]);
    if (view === 'new') q = q.where(isNew(viewer)).where(sql<SqlBool>`NOT ${muted(viewer)}`);
  }
  const ordered = view === 'new' ? q.orderBy('t.created_at', 'desc') : q.orderBy('t.last_activity_at', 'desc');
  return ordered
    .orderBy('t.id', 'desc')
    .limit(sql.lit(perPage + 1))
    .$if(page > 1, (b) => b.offset((page - 1) * perPage));
}

/** The order of a view's rows, for aggregating them (alias s). */
const trackedOrder = (view: TrackedView) => (view === 'new' ? sql`s.created_at DESC, s.id DESC` : sql`s.last_activity_at DESC, s.id DESC`);

/** A view's threads as one JSON array (a column of a larger statement), in the view's order. */
export function trackedJson(db: Db, viewer: Actor, view: TrackedView, page = 1, perPage = PAGE_SIZE) {
  return jsonRows(trackedQuery(db, viewer, view, page, perPage), trackedOrder(view));
}

/** Rows of `trackedJson`, with their times as dates again. */
export function trackedFromJson(rows: unknown[]): TrackedThread[] {
  return threadsFromJson(rows) as TrackedThread[];
}

/** How many threads a view holds for this person, at most COUNT_CAP + 1 (a column of a larger statement). */
function countOf(db: Db, viewer: UserActor, view: 'new' | 'unread') {
  const inner = withMarks(db.selectFrom('threads as t').leftJoin('practice_groups as g', 'g.id', 't.group_id'), viewer, view)
    .select(sql`1`.as('x'))
    .where('t.deleted_at', 'is', null)
    .where(threadReadableBy(viewer))
    .where(view === 'new' ? isNew(viewer) : hasUnread(viewer))
    .where(sql<SqlBool>`NOT ${muted(viewer)}`)
    // New is counted from the newest thread down, so the count stops at the cap after reading about
    // as many threads: unordered, PostgreSQL's choice of path followed the statistics, and once
    // thread_watches held rows (the realistic bench's signed-in thread pages make some) it read
    // every thread of the last 14 days into a bitmap first (scale 1: 43,000 threads, 1.8 ms, and
    // Unread fell from about 600 to 350 pages a second). Unread is driven by the person's marks.
    .$if(view === 'new', (b) => b.orderBy('t.created_at', 'desc'))
    .limit(sql.lit(COUNT_CAP + 1));
  return sql<number>`(SELECT count(*)::int FROM (${inner}) c)`;
}

export interface TrackedPage {
  threads: TrackedThread[];
  more: boolean;
  /** Signed in: how many threads are New and Unread (each at most COUNT_CAP + 1), for the tabs. */
  counts?: { new: number; unread: number };
}

/**
 * One page of a view; signed in, with the New and Unread counts. One
 * statement: each round trip to the database costs more than these small
 * queries do (the socket write and a backend's wake-up), and the first page is
 * prepared.
 */
export async function trackedPage(db: Db, viewer: Actor, view: TrackedView, page = 1, perPage = PAGE_SIZE): Promise<TrackedPage> {
  if (view !== 'latest' && viewer.kind !== 'user') return { threads: [], more: false };
  const row =
    viewer.kind === 'user' && page === 1
      ? (await firstPageFor(view, perPage).execute(db, viewer)).rows[0]!
      : (await sql<PageRow>`SELECT ${viewer.kind === 'user' ? countsOf(db, viewer) : sql``} ${trackedJson(db, viewer, view, page, perPage)} AS threads ${page === 1 ? PREPARED : sql``}`.execute(db)).rows[0]!;
  const threads = trackedFromJson(row.threads);
  return {
    threads: threads.slice(0, perPage),
    more: threads.length > perPage,
    ...(viewer.kind === 'user' ? { counts: { new: Number(row.new_count ?? 0), unread: Number(row.unread_count ?? 0) } } : {}),
  };
}

type PageRow = { threads: unknown[]; new_count?: number; unread_count?: number };

const countsOf = (db: Db, viewer: UserActor) => sql`${countOf(db, viewer, 'new')} AS new_count, ${countOf(db, viewer, 'unread')} AS unread_count,`;

/** A signed-in person's first page of a view: the statement's text built once per role (see perPersonStatement). */
export const firstPages = new Map<string, PerPersonStatement<PageRow>>();
function firstPageFor(view: TrackedView, perPage: number): PerPersonStatement<PageRow> {
  const key = `${view}:${perPage}`;
  let s = firstPages.get(key);
  if (!s) {
    s = perPersonStatement((db, viewer) => sql<PageRow>`SELECT ${countsOf(db, viewer)} ${trackedJson(db, viewer, view, 1, perPage)} AS threads ${PREPARED}`);
    firstPages.set(key, s);
  }
  return s;
}

/** One page of a view, without the counts. */
export async function trackedThreads(db: Db, viewer: Actor, view: TrackedView, page = 1, perPage = PAGE_SIZE): Promise<{ threads: TrackedThread[]; more: boolean }> {
  if (view !== 'latest' && viewer.kind !== 'user') return { threads: [], more: false };
  const rows = (await trackedQuery(db, viewer, view, page, perPage)
    .$if(page === 1, (b) => b.modifyEnd(PREPARED))
    .execute()) as TrackedThread[];
  for (const r of rows) {
    if (r.first_unread_id !== undefined && r.first_unread_id !== null) r.first_unread_id = Number(r.first_unread_id);
  }
  return { threads: rows.slice(0, perPage), more: rows.length > perPage };
}

/** "Mark everything read": from now on, only what arrives later is new or unread. */
export async function markEverythingRead(db: Db, viewer: UserActor): Promise<void> {
  const now = new Date();
  await db
    .insertInto('read_horizons')
    .values({ user_id: viewer.id, cleared_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ cleared_at: now }))
    .execute();
}

/** The first post in a list that is new to this person since `readAt` (for "jump to the first new reply"). */
export function firstNewPost<P extends { id: number; author_id: number | null; created_at: Date; deleted_at: Date | null; hidden: boolean }>(posts: P[], viewer: Actor, readAt: Date | null): { first: P; count: number } | undefined {
  if (viewer.kind !== 'user' || !readAt) return undefined;
  const fresh = posts.filter((p) => p.created_at > readAt && p.author_id !== viewer.id && !p.deleted_at && !p.hidden);
  return fresh.length ? { first: fresh[0]!, count: fresh.length } : undefined;
}
