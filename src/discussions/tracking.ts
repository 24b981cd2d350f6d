import { sql, type SqlBool } from 'kysely';
import { PREPARED, type Db } from '../platform/db/db.js';
import type { Actor, UserActor } from '../platform/auth/actor.js';
import { threadReadableBy } from './policy.js';
import { PAGE_SIZE, threadSelect, type ThreadRow } from './queries.js';

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

const uid = (viewer: UserActor) => sql`${viewer.id}::bigint`;

/** The time before which nothing is new or unread to this person: their horizon (set by "mark everything read"), if any. */
const horizon = (viewer: UserActor) => sql<Date | null>`(SELECT h.cleared_at FROM read_horizons h WHERE h.user_id = ${uid(viewer)})`;

/** The person's effective read mark for thread t: their last read, or their horizon when later; null if never opened. */
const readMark = (viewer: UserActor) =>
  sql<Date | null>`(SELECT greatest(r.read_at, ${horizon(viewer)}) FROM thread_reads r WHERE r.user_id = ${uid(viewer)} AND r.thread_id = t.id)`;

/** Posts in thread t that count as new for this person after `since`. */
const newPostsAfter = (viewer: UserActor, since: ReturnType<typeof readMark>) =>
  sql`FROM posts p WHERE p.thread_id = t.id AND p.created_at > ${since} AND p.deleted_at IS NULL AND p.hidden_at IS NULL AND p.author_id IS DISTINCT FROM ${uid(viewer)}`;

/** Thread t is muted by this person (the thread itself, or its group unless the thread says otherwise). */
const muted = (viewer: UserActor) => sql<SqlBool>`coalesce(
    (SELECT w.level FROM thread_watches w WHERE w.user_id = ${uid(viewer)} AND w.thread_id = t.id),
    (SELECT CASE WHEN gw.level = 'muted' THEN 'muted' END FROM group_watches gw WHERE gw.user_id = ${uid(viewer)} AND gw.group_id = t.group_id),
    'normal'
  ) = 'muted'`;

/** Never opened, not the person's own, started after NEW_FOR_DAYS ago and after their horizon. */
const isNew = (viewer: UserActor) => sql<SqlBool>`(NOT EXISTS (SELECT 1 FROM thread_reads r WHERE r.user_id = ${uid(viewer)} AND r.thread_id = t.id)
    AND t.author_id IS DISTINCT FROM ${uid(viewer)}
    AND t.created_at > now() - make_interval(days => ${NEW_FOR_DAYS})
    AND t.created_at > coalesce(${horizon(viewer)}, '-infinity'::timestamptz))`;

/** Opened before, and others have replied since (the person's read mark or horizon). Driven from the person's read marks. */
const hasUnread = (viewer: UserActor) => sql<SqlBool>`(t.id IN (SELECT r.thread_id FROM thread_reads r WHERE r.user_id = ${uid(viewer)})
    AND t.last_activity_at > ${readMark(viewer)}
    AND EXISTS (SELECT 1 ${newPostsAfter(viewer, readMark(viewer))}))`;

function baseQuery(db: Db, viewer: Actor) {
  return threadSelect(db).where('t.deleted_at', 'is', null).where(threadReadableBy(viewer));
}

/** One page of a view, newest activity first (New: newest started first). */
export async function trackedThreads(db: Db, viewer: Actor, view: TrackedView, page = 1, perPage = PAGE_SIZE): Promise<{ threads: TrackedThread[]; more: boolean }> {
  if (view !== 'latest' && viewer.kind !== 'user') return { threads: [], more: false };
  let q = baseQuery(db, viewer);
  if (viewer.kind === 'user') {
    const mark = readMark(viewer);
    q = q.select([
      isNew(viewer).as('is_new'),
      sql<number>`CASE WHEN ${mark} IS NULL THEN 0 ELSE (SELECT count(*)::int ${newPostsAfter(viewer, mark)}) END`.as('new_replies'),
      sql<number | null>`CASE WHEN ${mark} IS NULL THEN NULL ELSE (SELECT min(p.id) ${newPostsAfter(viewer, mark)}) END`.as('first_unread_id'),
    ]);
    if (view === 'new') q = q.where(isNew(viewer)).where(sql<SqlBool>`NOT ${muted(viewer)}`);
    if (view === 'unread') q = q.where(hasUnread(viewer)).where(sql<SqlBool>`NOT ${muted(viewer)}`);
  }
  const ordered = view === 'new' ? q.orderBy('t.created_at', 'desc') : q.orderBy('t.last_activity_at', 'desc');
  const rows = (await ordered
    .orderBy('t.id', 'desc')
    .limit(perPage + 1)
    .offset((page - 1) * perPage)
    // Prepared: these statements take longer to plan (2 ms) than to run.
    .modifyEnd(PREPARED)
    .execute()) as TrackedThread[];
  for (const r of rows) {
    if (r.first_unread_id !== undefined && r.first_unread_id !== null) r.first_unread_id = Number(r.first_unread_id);
  }
  return { threads: rows.slice(0, perPage), more: rows.length > perPage };
}

/** How many threads are New and Unread for this person (each at most COUNT_CAP + 1). */
export async function trackedCounts(db: Db, viewer: UserActor): Promise<{ new: number; unread: number }> {
  const count = async (where: ReturnType<typeof isNew>) => {
    const inner = baseQuery(db, viewer).clearSelect().select(sql`1`.as('x')).where(where).where(sql<SqlBool>`NOT ${muted(viewer)}`).limit(COUNT_CAP + 1);
    const r = await db.selectFrom(inner.as('c')).select((eb) => eb.fn.countAll<number>().as('n')).modifyEnd(PREPARED).executeTakeFirst();
    return Number(r?.n ?? 0);
  };
  const [n, u] = await Promise.all([count(isNew(viewer)), count(hasUnread(viewer))]);
  return { new: n, unread: u };
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
