import { Type, type Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import type { Db } from '../platform/db/db.js';
import { loadActor, type Actor, type UserActor } from '../platform/auth/actor.js';
import { authorize, can } from '../platform/auth/policy.js';
import { AppError, msg } from '../platform/http/errors.js';
import { QUEUES, type Jobs } from '../platform/jobs/jobs.js';
import { OptionalLine, clean } from '../platform/http/schema-helpers.js';
import { zonedToUtc } from '../events/time.js';
import { createNotification } from '../notifications/notify.js';
import { excerpt } from './markdown.js';
import { threadReadableBy } from './policy.js';
import { getThread, postSubject, threadSubject, type ThreadRow } from './queries.js';

export const NOTE_MAX = 500;
/** A reminder further ahead than this is a typing mistake more often than a plan. */
const REMIND_MAX_DAYS = 2 * 366;
export const BOOKMARKS_PAGE = 30;

/** Quick choices for a reminder, as people pick them; `custom` takes a date and time. */
export const REMIND_PRESETS = ['', 'later_today', 'tomorrow', 'next_week', 'custom'] as const;
export type RemindPreset = (typeof REMIND_PRESETS)[number];

/** The bookmark form: a note, and a reminder as a preset or a local date and time (in the reader's time zone). */
export const BookmarkForm = Type.Object({
  note: OptionalLine(NOTE_MAX),
  remind: Type.Optional(Type.Union(REMIND_PRESETS.map((p) => Type.Literal(p)))),
  remind_at: Type.Optional(Type.String({ maxLength: 40 })),
});

/** The same through the API: `remind_at` an ISO 8601 instant, or null to clear it. */
export const BookmarkInput = Type.Object({
  note: OptionalLine(NOTE_MAX),
  remind_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
});

/** When a preset falls, for a person in `zone`: mornings at 9, "later today" three hours on. */
export function presetTime(preset: Exclude<RemindPreset, '' | 'custom'>, zone: string, now = new Date()): Date {
  const local = DateTime.fromJSDate(now, { zone });
  if (preset === 'later_today') return local.plus({ hours: 3 }).startOf('minute').toJSDate();
  const days = preset === 'tomorrow' ? 1 : 7;
  return local.plus({ days }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 }).toJSDate();
}

/** The reminder a form asks for: undefined for none; a field error for a date that is unreadable, past or too far. */
export function reminderFromForm(input: Static<typeof BookmarkForm>, zone: string, now = new Date()): Date | null {
  const preset = input.remind ?? '';
  if (preset === '') return null;
  if (preset !== 'custom') return presetTime(preset, zone, now);
  const local = (input.remind_at ?? '').trim();
  if (!local) throw new AppError('validation_failed', { fields: { remind_at: msg('bookmarks.remind_at_missing') } });
  const at = zonedToUtc(local.slice(0, 16), zone);
  if (!at) throw new AppError('validation_failed', { fields: { remind_at: msg('bookmarks.remind_at_invalid') } });
  return checkedReminder(at, now, 'remind_at');
}

function checkedReminder(at: Date, now: Date, field: string): Date {
  if (at.getTime() <= now.getTime()) throw new AppError('validation_failed', { fields: { [field]: msg('bookmarks.remind_at_past') } });
  if (at.getTime() - now.getTime() > REMIND_MAX_DAYS * 86_400_000) throw new AppError('validation_failed', { fields: { [field]: msg('bookmarks.remind_at_far') } });
  return at;
}

/** The API's reminder: null clears it, undefined leaves it as it is. */
export function reminderFromApi(value: string | null | undefined, now = new Date()): Date | null | undefined {
  if (value === undefined || value === null) return value;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new AppError('validation_failed', { fields: { remind_at: msg('bookmarks.remind_at_invalid') } });
  return checkedReminder(at, now, 'remind_at');
}

/**
 * Keeps a post in the person's bookmarks, or changes its note and reminder
 * (`remindAt` undefined leaves the reminder alone). One bookmark per person
 * and post: saving twice changes one row. A reminder is queued for its time;
 * the job checks the bookmark still asks for it then.
 */
export async function saveBookmark(deps: { db: Db; jobs: Jobs }, actor: Actor, thread: ThreadRow, postId: number, input: { note?: string; remindAt?: Date | null }): Promise<void> {
  const note = input.note === undefined ? undefined : clean(input.note);
  await deps.db.transaction().execute(async (tx) => {
    const post = await tx.selectFrom('posts').select(['id', 'author_id', 'deleted_at', 'hidden_at']).where('id', '=', postId).where('thread_id', '=', thread.id).executeTakeFirst();
    if (!post || (post.hidden_at && !can(actor, 'thread.moderate', threadSubject(thread)))) throw new AppError('not_found');
    authorize(actor, 'post.bookmark', postSubject(post, thread));
    const userId = actor.id!;
    const reminder = input.remindAt === undefined ? {} : { remind_at: input.remindAt, reminded_at: null };
    await tx
      .insertInto('bookmarks')
      .values({ user_id: userId, post_id: post.id, note: note ?? '', remind_at: input.remindAt ?? null, created_at: new Date() })
      .onConflict((oc) => {
        const changes = { ...(note === undefined ? {} : { note }), ...reminder };
        // Bookmarking again with nothing to change keeps the bookmark as it is.
        return Object.keys(changes).length ? oc.columns(['user_id', 'post_id']).doUpdateSet(changes) : oc.columns(['user_id', 'post_id']).doNothing();
      })
      .execute();
    if (input.remindAt) {
      await deps.jobs.send(tx, QUEUES.bookmarkReminder, { userId, postId: post.id, remindAt: input.remindAt.toISOString() }, { key: `bm:${userId}:${post.id}:${input.remindAt.getTime()}`, startAfter: input.remindAt });
    }
  });
}

export async function removeBookmark(db: Db, actor: Actor, postId: number): Promise<boolean> {
  if (actor.kind !== 'user') throw new AppError('unauthenticated');
  const r = await db.deleteFrom('bookmarks').where('user_id', '=', actor.id).where('post_id', '=', postId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function getBookmark(db: Db, userId: number, postId: number) {
  return db.selectFrom('bookmarks').select(['note', 'remind_at', 'reminded_at', 'created_at']).where('user_id', '=', userId).where('post_id', '=', postId).executeTakeFirst();
}

export interface BookmarkRow {
  post_id: number;
  thread_id: number;
  thread_title: string;
  is_opening: boolean;
  group_name: string | null;
  author_name: string | null;
  excerpt: string;
  language: string;
  note: string;
  remind_at: Date | null;
  reminded_at: Date | null;
  created_at: Date;
}

/**
 * A person's bookmarks that they can still read, reminders still to come
 * first (soonest first), then the rest newest first. A bookmark on a post
 * that was deleted, hidden, or in a group they left is not shown (and comes
 * back if they regain access).
 */
export async function listBookmarks(db: Db, viewer: UserActor, page = 1): Promise<{ items: BookmarkRow[]; more: boolean }> {
  const rows = await db
    .selectFrom('bookmarks as b')
    .innerJoin('posts as p', 'p.id', 'b.post_id')
    .innerJoin('threads as t', 't.id', 'p.thread_id')
    .leftJoin('practice_groups as g', 'g.id', 't.group_id')
    .leftJoin('users as u', 'u.id', 'p.author_id')
    .select(['b.post_id', 't.id as thread_id', 't.title as thread_title', 'p.is_opening', 'g.name as group_name', 'u.name as author_name', 'p.body', 'p.language', 'b.note', 'b.remind_at', 'b.reminded_at', 'b.created_at'])
    .where('b.user_id', '=', viewer.id)
    .where('p.deleted_at', 'is', null)
    .where('p.hidden_at', 'is', null)
    .where(threadReadableBy(viewer))
    .orderBy(sql`(b.remind_at IS NOT NULL AND b.reminded_at IS NULL)`, 'desc')
    .orderBy(sql`CASE WHEN b.reminded_at IS NULL THEN b.remind_at END`, (ob) => ob.asc().nullsLast())
    .orderBy('b.created_at', 'desc')
    .orderBy('b.post_id', 'desc')
    .limit(BOOKMARKS_PAGE + 1)
    .offset((page - 1) * BOOKMARKS_PAGE)
    .execute();
  return {
    items: rows.slice(0, BOOKMARKS_PAGE).map(({ body, ...r }) => ({ ...r, excerpt: excerpt(body, 200) })),
    more: rows.length > BOOKMARKS_PAGE,
  };
}

/**
 * Job: a bookmark's reminder is due. Sends it once, as a notification (mailed
 * as the person's settings say), only when the bookmark still asks for this
 * reminder and the person can still read the post.
 */
export async function bookmarkReminder(deps: { db: Db; jobs: Jobs }, data: { userId: number; postId: number; remindAt: string }): Promise<'sent' | 'skipped'> {
  const { db } = deps;
  return db.transaction().execute(async (tx) => {
    const b = await tx
      .selectFrom('bookmarks')
      .select(['note', 'remind_at', 'reminded_at'])
      .where('user_id', '=', data.userId)
      .where('post_id', '=', data.postId)
      .forUpdate()
      .executeTakeFirst();
    if (!b || !b.remind_at || b.reminded_at || b.remind_at.getTime() !== new Date(data.remindAt).getTime()) return 'skipped';
    await tx.updateTable('bookmarks').set({ reminded_at: new Date() }).where('user_id', '=', data.userId).where('post_id', '=', data.postId).execute();
    const post = await tx.selectFrom('posts').select(['thread_id', 'deleted_at', 'hidden_at']).where('id', '=', data.postId).executeTakeFirst();
    const thread = post && !post.deleted_at && !post.hidden_at ? await getThread(tx, post.thread_id) : undefined;
    const reader = await loadActor(tx, data.userId, 'session');
    if (!thread || reader.kind !== 'user' || !can(reader, 'thread.view', threadSubject(thread))) return 'skipped';
    await createNotification(tx, deps.jobs, { user_id: data.userId, kind: 'reminder', thread_id: thread.id, post_id: data.postId, actor_id: null, data: b.note ? { note: b.note } : {} });
    return 'sent';
  });
}

export function registerBookmarkJobs(deps: { db: Db; jobs: Jobs }): void {
  deps.jobs.handle(QUEUES.bookmarkReminder, async (d) => {
    const userId = Number(d.userId);
    const postId = Number(d.postId);
    if (!Number.isSafeInteger(userId) || !Number.isSafeInteger(postId) || typeof d.remindAt !== 'string') throw new Error('job data has no valid bookmark');
    await bookmarkReminder(deps, { userId, postId, remindAt: d.remindAt });
  });
}
