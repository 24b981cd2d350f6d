import { sql, type SqlBool } from 'kysely';
import { PREPARED, jsonRows, type Db } from '../platform/db/db.js';
import type { UserActor } from '../platform/auth/actor.js';
import type { NotificationKind } from '../platform/db/schema.js';
import { threadReadableBy, threadReadableByMember } from '../discussions/policy.js';
import { excerpt } from '../discussions/markdown.js';

export const NOTIFICATIONS_PAGE = 30;

export interface NotificationItem {
  id: number;
  kind: NotificationKind;
  thread_id: number | null;
  post_id: number | null;
  thread_title: string | null;
  group_name: string | null;
  actor_name: string | null;
  action: string | null;
  excerpt: string;
  created_at: Date;
  read_at: Date | null;
}

/**
 * The person's notifications whose thread and post they may still read (a
 * notification about a private group they left, or a post since deleted or
 * hidden, is not shown and does not count as unread).
 */
function visible(db: Db, viewer: UserActor) {
  return db
    .selectFrom('notifications as n')
    .leftJoin('threads as t', 't.id', 'n.thread_id')
    .leftJoin('practice_groups as g', 'g.id', 't.group_id')
    .leftJoin('posts as p', 'p.id', 'n.post_id')
    .where('n.user_id', '=', viewer.id)
    .where('t.id', 'is not', null)
    .where(threadReadableBy(viewer))
    .where(POST_STILL_SHOWN);
}

/** A notification's post (alias p, notification n) still shows: not deleted, and not hidden unless the notice is about its moderation. */
const POST_STILL_SHOWN = sql<SqlBool>`(p.id IS NULL OR (p.deleted_at IS NULL AND (p.hidden_at IS NULL OR n.kind = 'moderation')))`;

/**
 * `unreadCount` as a subquery for the person in alias `u`, so the session
 * lookup brings the count for the page's header with it (one statement fewer
 * on every signed-in page). Facilitators and admins read every thread, as in
 * `threadReadableBy`; a test checks both counts agree.
 */
export function unreadCountSubquery() {
  return sql<number>`(SELECT count(*)::int FROM notifications n
      JOIN threads t ON t.id = n.thread_id
      LEFT JOIN practice_groups g ON g.id = t.group_id
      LEFT JOIN posts p ON p.id = n.post_id
     WHERE n.user_id = u.id AND n.read_at IS NULL
       AND (u.role IN ('facilitator', 'admin') OR ${threadReadableByMember(sql.ref('u.id'))})
       AND ${POST_STILL_SHOWN})`;
}

function itemsOf(db: Db, viewer: UserActor) {
  return visible(db, viewer)
    .leftJoin('users as a', 'a.id', 'n.actor_id')
    .select([
      'n.id',
      'n.kind',
      'n.thread_id',
      'n.post_id',
      't.title as thread_title',
      'g.name as group_name',
      'a.name as actor_name',
      sql<string | null>`n.data->>'action'`.as('action'),
      'p.body',
      'n.created_at',
      'n.read_at',
    ])
    .orderBy('n.created_at', 'desc')
    .orderBy('n.id', 'desc');
}

const toItem = ({ body, ...r }: { body: string | null } & Omit<NotificationItem, 'excerpt'>): NotificationItem => ({
  ...r,
  excerpt: body && r.kind !== 'moderation' ? excerpt(body, 160) : '',
});

export async function listNotifications(db: Db, viewer: UserActor, page = 1): Promise<{ items: NotificationItem[]; more: boolean }> {
  const rows = await itemsOf(db, viewer)
    .limit(NOTIFICATIONS_PAGE + 1)
    .offset((page - 1) * NOTIFICATIONS_PAGE)
    .execute();
  return { items: rows.slice(0, NOTIFICATIONS_PAGE).map(toItem), more: rows.length > NOTIFICATIONS_PAGE };
}

/**
 * The person's unread replies and mentions, newest first, as one JSON array
 * (a column of the home page's statement); `addressedFromJson` reads it.
 */
export function addressedJson(db: Db, viewer: UserActor, limit: number) {
  const q = itemsOf(db, viewer).where('n.read_at', 'is', null).where('n.kind', 'in', ['reply', 'mention']).limit(sql.lit(limit));
  return jsonRows(q, sql`s.created_at DESC, s.id DESC`);
}

export function addressedFromJson(rows: unknown[]): NotificationItem[] {
  return rows.map((raw) => {
    const r = raw as Record<string, unknown>;
    const row = r as unknown as Parameters<typeof toItem>[0];
    return toItem({ ...row, created_at: new Date(r.created_at as string), read_at: r.read_at ? new Date(r.read_at as string) : null });
  });
}

export async function unreadCount(db: Db, viewer: UserActor): Promise<number> {
  const r = await visible(db, viewer)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('n.read_at', 'is', null)
    .modifyEnd(PREPARED)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Marks some (or all) of a person's notifications read. */
export async function markRead(db: Db, userId: number, ids?: number[]): Promise<number> {
  let q = db.updateTable('notifications').set({ read_at: new Date() }).where('user_id', '=', userId).where('read_at', 'is', null);
  if (ids) {
    if (ids.length === 0) return 0;
    q = q.where('id', 'in', ids);
  }
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * Opening a thread reads its notifications and records when the person last
 * read it. The thread page loads what this needs with the thread
 * (`getThreadForViewer`), so a view of an unchanged thread with no unread
 * notification writes nothing (no row lock, no WAL, no commit to flush).
 */
export async function readThread(db: Db, userId: number, threadId: number, known: { lastActivityAt: Date; readAt: Date | null; unreadNotifications: boolean }): Promise<void> {
  if (known.unreadNotifications) await db.updateTable('notifications').set({ read_at: new Date() }).where('user_id', '=', userId).where('thread_id', '=', threadId).where('read_at', 'is', null).execute();
  if (known.readAt && known.readAt >= known.lastActivityAt) return;
  await db
    .insertInto('thread_reads')
    .values({ user_id: userId, thread_id: threadId, read_at: new Date() })
    .onConflict((oc) => oc.columns(['user_id', 'thread_id']).doUpdateSet({ read_at: new Date() }))
    .execute();
}
