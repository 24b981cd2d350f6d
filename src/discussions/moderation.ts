import { Type, type Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Db, Tx } from '../platform/db/db.js';
import type { Actor } from '../platform/auth/actor.js';
import { authorize, can } from '../platform/auth/policy.js';
import { hit } from '../platform/auth/rate-limit.js';
import { audit } from '../platform/db/tx.js';
import { Enum, OptionalText, RequiredText } from '../platform/http/schema-helpers.js';
import { RENDER_VERSION, excerpt, renderMarkdown } from './markdown.js';
import { type ThreadRow, postSubject } from './queries.js';
import type { DiscussionDeps } from './commands.js';
import { createNotification } from '../notifications/notify.js';

/** Tells a post's author what a moderator did with it (in the moderator's transaction). */
async function tellAuthor(tx: Tx, deps: DiscussionDeps, actor: Actor, thread: ThreadRow, post: PostRef, action: 'hide' | 'restore' | 'redact') {
  if (!post.author_id || post.author_id === actor.id) return;
  await createNotification(tx, deps.jobs, { user_id: post.author_id, kind: 'moderation', thread_id: thread.id, post_id: post.id, actor_id: actor.id, data: { action } });
}

export const FLAG_REASONS = ['student_privacy', 'harassment', 'spam', 'off_topic', 'other'] as const;

export const FlagInput = Type.Object({ reason: Enum(FLAG_REASONS), note: OptionalText(1000) });
export const RedactInput = Type.Object({ body: RequiredText(50_000) });

type PostRef = { id: number; author_id: number | null; deleted_at: Date | null; hidden_at?: Date | null };

/** A member reports a post; one open report per person per post. */
export async function flagPost(db: Db, actor: Actor, thread: ThreadRow, post: PostRef, input: Static<typeof FlagInput>) {
  authorize(actor, 'post.flag', postSubject(post, thread));
  await hit(db, `flag:${actor.id}`, { max: 20, windowSeconds: 3600 });
  await db
    .insertInto('post_flags')
    .values({ post_id: post.id, flagger_id: actor.id, reason: input.reason, note: (input.note ?? '').trim(), created_at: new Date() })
    .onConflict((oc) => oc.columns(['post_id', 'flagger_id']).where('resolved_at', 'is', null).doNothing())
    .execute();
}

async function resolveFlags(tx: Db | Tx, postId: number, actorId: number, resolution: 'hidden' | 'dismissed' | 'redacted') {
  await tx.updateTable('post_flags').set({ resolved_at: new Date(), resolved_by: actorId, resolution }).where('post_id', '=', postId).where('resolved_at', 'is', null).execute();
}

/** Hides a post from everyone but moderators (or shows it again), resolving its open reports. */
export async function setHidden(deps: DiscussionDeps, actor: Actor, thread: ThreadRow, post: PostRef, hidden: boolean) {
  authorize(actor, 'post.hide', postSubject(post, thread));
  await deps.db.transaction().execute(async (tx) => {
    await tellAuthor(tx, deps, actor, thread, post, hidden ? 'hide' : 'restore');
    await tx.updateTable('posts').set({ hidden_at: hidden ? new Date() : null, hidden_by: hidden ? actor.id : null }).where('id', '=', post.id).execute();
    if (hidden) await resolveFlags(tx, post.id, actor.id!, 'hidden');
    await audit(tx, actor.id, hidden ? 'post.hide' : 'post.restore', { type: 'post', id: post.id }, { thread_id: thread.id });
  });
}

/** Closes a post's open reports without action. */
export async function dismissFlags(db: Db, actor: Actor, thread: ThreadRow, post: PostRef) {
  authorize(actor, 'post.hide', postSubject(post, thread));
  await db.transaction().execute(async (tx) => {
    await resolveFlags(tx, post.id, actor.id!, 'dismissed');
    await audit(tx, actor.id, 'post.flags.dismiss', { type: 'post', id: post.id });
  });
}

/**
 * Replaces a post's text to remove identifying details. Unlike an edit, the
 * earlier versions are purged from the history, since they hold what had to go.
 */
export async function redactPost(deps: DiscussionDeps, actor: Actor, thread: ThreadRow, post: PostRef, body: string) {
  authorize(actor, 'post.hide', postSubject(post, thread));
  await deps.db.transaction().execute(async (tx) => {
    await tellAuthor(tx, deps, actor, thread, post, 'redact');
    const text = body.replace(/\r\n?/g, '\n');
    await tx
      .updateTable('posts')
      .set({ body: text, body_html: renderMarkdown(text), render_version: RENDER_VERSION, version: sql`version + 1`, edited_at: new Date() })
      .where('id', '=', post.id)
      .execute();
    await tx.deleteFrom('post_revisions').where('post_id', '=', post.id).execute();
    await resolveFlags(tx, post.id, actor.id!, 'redacted');
    await audit(tx, actor.id, 'post.redact', { type: 'post', id: post.id }, { thread_id: thread.id });
  });
}

/**
 * Open reports the actor may act on: every one for facilitators, those in
 * their own groups for leads. One row per reported post.
 */
export async function moderationQueue(db: Db, actor: Actor) {
  authorize(actor, 'moderation.queue', undefined);
  let q = db
    .selectFrom('post_flags as f')
    .innerJoin('posts as p', 'p.id', 'f.post_id')
    .innerJoin('threads as t', 't.id', 'p.thread_id')
    .leftJoin('practice_groups as g', 'g.id', 't.group_id')
    .leftJoin('users as u', 'u.id', 'p.author_id')
    .select([
      'p.id as post_id',
      'p.body',
      'p.hidden_at',
      't.id as thread_id',
      't.title',
      'g.name as group_name',
      'u.name as author_name',
      sql<string[]>`array_agg(DISTINCT f.reason)`.as('reasons'),
      sql<string[]>`array_remove(array_agg(f.note), '')`.as('notes'),
      sql<number>`count(*)::int`.as('reports'),
      sql<Date>`min(f.created_at)`.as('first_reported'),
    ])
    .where('f.resolved_at', 'is', null)
    .where('p.deleted_at', 'is', null)
    .groupBy(['p.id', 't.id', 'g.name', 'u.name'])
    .orderBy(sql`count(*)`, 'desc')
    .orderBy(sql`min(f.created_at)`)
    .limit(200);
  if (!can(actor, 'moderation.queue_all', undefined)) {
    q = q.where(
      't.group_id',
      'in',
      db.selectFrom('group_memberships').select('group_id').where('user_id', '=', actor.id!).where('status', '=', 'active').where('role', 'in', ['lead', 'co_lead']),
    );
  }
  const rows = await q.execute();
  return rows.map((r) => ({ ...r, excerpt: excerpt(r.body, 300) }));
}
