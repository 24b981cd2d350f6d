import { Type, type Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Db, Tx } from '../platform/db/db.js';
import type { Actor } from '../platform/auth/actor.js';
import { authorize } from '../platform/auth/policy.js';
import { AppError } from '../platform/http/errors.js';
import { hit } from '../platform/auth/rate-limit.js';
import { audit, once } from '../platform/db/tx.js';
import { Enum, RequiredText, clean } from '../platform/http/schema-helpers.js';
import { RENDER_VERSION, renderMarkdown } from './markdown.js';
import { threadSubject, type ThreadRow } from './queries.js';
import { checkStudentPrivacy } from './privacy-guard.js';

/** Field every posting form and API call may send after reading the privacy warning. */
const Acknowledge = () => Type.Optional(Type.Boolean({ description: 'Set after the author has checked a privacy warning and chooses to publish' }));

/**
 * Warns (422 privacy_warning) when the text seems to describe an identifiable
 * student, unless the author has already seen the warning and chosen to post.
 */
function privacyCheck(t: (k: string, v?: Record<string, unknown>) => string, acknowledged: boolean | undefined, ...texts: (string | undefined)[]) {
  if (acknowledged) return;
  const findings = checkStudentPrivacy(...texts.filter((x): x is string => !!x));
  if (findings.length === 0) return;
  const list = findings.map((f) => t('privacy.finding', { name: f.name, term: f.term })).join('; ');
  throw new AppError('privacy_warning', { fields: { acknowledge_privacy: t('privacy.warning', { list }) } });
}

const Body = () => RequiredText(50_000);

export const ThreadInput = Type.Object({
  title: RequiredText(200),
  body: Body(),
  language: Type.Optional(Enum(['en', 'es'] as const)),
  acknowledge_privacy: Acknowledge(),
});
export type ThreadInput = Static<typeof ThreadInput>;

export const ReplyInput = Type.Object({
  body: Body(),
  reply_to: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Literal('')])),
  language: Type.Optional(Enum(['en', 'es'] as const)),
  acknowledge_privacy: Acknowledge(),
});
export type ReplyInput = Static<typeof ReplyInput>;

export const EditInput = Type.Object({ body: Body(), title: Type.Optional(RequiredText(200)), acknowledge_privacy: Acknowledge() });

export const ModerateInput = Type.Object({
  pinned: Type.Optional(Type.Boolean()),
  locked: Type.Optional(Type.Boolean()),
  closed: Type.Optional(Type.Boolean()),
});

/** Posting limits per person (counted in PostgreSQL, so they hold across processes). */
const POSTS_PER_MINUTE = { max: 10, windowSeconds: 60 };
const POSTS_PER_HOUR = { max: 120, windowSeconds: 3600 };

async function postingLimit(db: Db, userId: number) {
  await hit(db, `post:min:${userId}`, POSTS_PER_MINUTE);
  await hit(db, `post:hour:${userId}`, POSTS_PER_HOUR);
}

async function insertPost(tx: Tx, threadId: number, authorId: number, body: string, language: string, opts: { opening?: boolean; replyTo?: number | null } = {}) {
  const text = body.replace(/\r\n?/g, '\n');
  return tx
    .insertInto('posts')
    .values({
      thread_id: threadId,
      author_id: authorId,
      is_opening: opts.opening ?? false,
      reply_to_id: opts.replyTo ?? null,
      body: text,
      language,
      body_html: renderMarkdown(text),
      render_version: RENDER_VERSION,
      created_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/** Starts a thread in a group (or the community-wide space); the opening post holds the body. */
export async function createThread(
  db: Db,
  actor: Actor,
  group: { id: number; visibility: 'public' | 'members' | 'private'; join_policy: 'open' | 'request' | 'invite'; archived_at?: Date | null } | null,
  input: ThreadInput,
  t: (k: string, v?: Record<string, unknown>) => string,
  idempotencyKey?: string,
): Promise<{ id: number; post_id: number }> {
  authorize(actor, 'thread.create', { group });
  privacyCheck(t, input.acknowledge_privacy, input.title, input.body);
  await postingLimit(db, actor.id!);
  const language = input.language ?? 'en';
  return once(db, actor.id!, idempotencyKey, async (tx) => {
    const now = new Date();
    const thread = await tx
      .insertInto('threads')
      .values({ group_id: group?.id ?? null, author_id: actor.id, title: clean(input.title), language, created_at: now, last_activity_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const post = await insertPost(tx, thread.id, actor.id!, input.body, language, { opening: true });
    return { id: thread.id, post_id: post.id };
  });
}

/** Replies to a thread, optionally quoting one earlier post of the same thread. */
export async function reply(db: Db, actor: Actor, thread: ThreadRow, input: ReplyInput, t: (k: string, v?: Record<string, unknown>) => string, idempotencyKey?: string): Promise<{ id: number }> {
  authorize(actor, 'post.create', threadSubject(thread));
  privacyCheck(t, input.acknowledge_privacy, input.body);
  await postingLimit(db, actor.id!);
  const replyTo = input.reply_to || null;
  return once(db, actor.id!, idempotencyKey, async (tx) => {
    if (replyTo) {
      const target = await tx.selectFrom('posts').select('id').where('id', '=', replyTo).where('thread_id', '=', thread.id).executeTakeFirst();
      if (!target) throw new AppError('validation_failed', { fields: { reply_to: t('discussions.reply_to_missing') } });
    }
    // Lock the thread row so concurrent replies keep reply_count exact.
    const live = await tx.selectFrom('threads').select(['closed', 'locked', 'deleted_at']).where('id', '=', thread.id).forUpdate().executeTakeFirstOrThrow();
    authorize(actor, 'post.create', { ...threadSubject(thread), ...live });
    const post = await insertPost(tx, thread.id, actor.id!, input.body, input.language ?? thread.language, { replyTo });
    await tx
      .updateTable('threads')
      .set({ reply_count: sql`reply_count + 1`, last_activity_at: new Date() })
      .where('id', '=', thread.id)
      .execute();
    return { id: post.id };
  });
}

/** Edits a post, keeping the previous text as a revision anyone who can read the post can see. */
export async function editPost(db: Db, actor: Actor, thread: ThreadRow, postId: number, input: Static<typeof EditInput>, t: (k: string, v?: Record<string, unknown>) => string) {
  privacyCheck(t, input.acknowledge_privacy, input.title, input.body);
  await db.transaction().execute(async (tx) => {
    const post = await tx.selectFrom('posts').select(['id', 'author_id', 'body', 'version', 'deleted_at', 'is_opening']).where('id', '=', postId).where('thread_id', '=', thread.id).forUpdate().executeTakeFirst();
    if (!post) throw new AppError('not_found');
    authorize(actor, 'post.edit', { author_id: post.author_id, thread: threadSubject(thread), deleted_at: post.deleted_at });
    const body = input.body.replace(/\r\n?/g, '\n');
    const titleChanged = post.is_opening && input.title !== undefined && clean(input.title) !== thread.title;
    if (body === post.body && !titleChanged) return;
    if (body !== post.body) {
      await tx.insertInto('post_revisions').values({ post_id: post.id, version: post.version, body: post.body, edited_by: actor.id, created_at: new Date() }).execute();
      await tx
        .updateTable('posts')
        .set({ body, version: post.version + 1, body_html: renderMarkdown(body), render_version: RENDER_VERSION, edited_at: new Date() })
        .where('id', '=', post.id)
        .execute();
    }
    if (titleChanged) await tx.updateTable('threads').set({ title: clean(input.title), edited_at: new Date() }).where('id', '=', thread.id).execute();
    if (post.author_id !== actor.id) await audit(tx, actor.id, 'post.edit', { type: 'post', id: post.id });
  });
}

/** Soft-deletes a post (its place in the thread stays, marked deleted). Deleting the opening post deletes the thread. */
export async function deletePost(db: Db, actor: Actor, thread: ThreadRow, postId: number) {
  await db.transaction().execute(async (tx) => {
    const post = await tx.selectFrom('posts').select(['id', 'author_id', 'deleted_at', 'is_opening']).where('id', '=', postId).where('thread_id', '=', thread.id).forUpdate().executeTakeFirst();
    if (!post) throw new AppError('not_found');
    authorize(actor, 'post.delete', { author_id: post.author_id, thread: threadSubject(thread), deleted_at: post.deleted_at });
    const now = new Date();
    await tx.updateTable('posts').set({ deleted_at: now }).where('id', '=', post.id).execute();
    if (post.is_opening) await tx.updateTable('threads').set({ deleted_at: now }).where('id', '=', thread.id).execute();
    else await tx.updateTable('threads').set({ reply_count: sql`greatest(reply_count - 1, 0)` }).where('id', '=', thread.id).execute();
    if (post.author_id !== actor.id) await audit(tx, actor.id, post.is_opening ? 'thread.delete' : 'post.delete', { type: 'post', id: post.id });
  });
}

/** Marks (or unmarks) a post as helpful; one mark per person. */
export async function toggleHelpful(db: Db, actor: Actor, thread: ThreadRow, postId: number, on: boolean) {
  await db.transaction().execute(async (tx) => {
    const post = await tx.selectFrom('posts').select(['id', 'author_id', 'deleted_at']).where('id', '=', postId).where('thread_id', '=', thread.id).executeTakeFirst();
    if (!post) throw new AppError('not_found');
    authorize(actor, 'post.react', { author_id: post.author_id, thread: threadSubject(thread), deleted_at: post.deleted_at });
    const changed = on
      ? await tx.insertInto('post_reactions').values({ post_id: post.id, user_id: actor.id!, created_at: new Date() }).onConflict((oc) => oc.doNothing()).executeTakeFirst()
      : await tx.deleteFrom('post_reactions').where('post_id', '=', post.id).where('user_id', '=', actor.id!).executeTakeFirst();
    const n = Number('numInsertedOrUpdatedRows' in changed ? changed.numInsertedOrUpdatedRows : changed.numDeletedRows);
    if (n > 0) await tx.updateTable('posts').set({ helpful_count: sql`helpful_count + ${on ? 1 : -1}` }).where('id', '=', post.id).execute();
  });
}

/** Pins, locks or closes a thread (group leads and facilitators). */
export async function moderateThread(db: Db, actor: Actor, thread: ThreadRow, input: Static<typeof ModerateInput>) {
  authorize(actor, 'thread.moderate', threadSubject(thread));
  await db.transaction().execute(async (tx) => {
    const set: Record<string, boolean> = {};
    for (const k of ['pinned', 'locked', 'closed'] as const) if (input[k] !== undefined) set[k] = input[k]!;
    if (Object.keys(set).length === 0) return;
    await tx.updateTable('threads').set(set).where('id', '=', thread.id).execute();
    await audit(tx, actor.id, 'thread.moderate', { type: 'thread', id: thread.id }, set);
  });
}
