import { Type, type Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import { PREPARED, type Db, type Tx } from '../platform/db/db.js';
import type { Actor } from '../platform/auth/actor.js';
import { authorize, can } from '../platform/auth/policy.js';
import { AppError, msg, type FieldErrors } from '../platform/http/errors.js';
import { hitAll } from '../platform/auth/rate-limit.js';
import { audit, once } from '../platform/db/tx.js';
import { Enum, Line, OptionalLine, OptionalText, RequiredText, Url, clean } from '../platform/http/schema-helpers.js';
import { QUEUES, type Jobs } from '../platform/jobs/jobs.js';
import type { WatchLevel } from '../platform/db/schema.js';
import type { GlossaryService } from '../glossary/service.js';
import { checkJargon } from '../glossary/jargon.js';
import { MARKDOWN_LIMITS, RENDER_VERSION, linkCount, markdownOverLimit, mentionedHandles, renderMarkdown } from './markdown.js';
import { threadSubject, type ThreadRow, postSubject } from './queries.js';
import { checkStudentPrivacy, privacyCheck } from '../trust/privacy-guard.js';
import type { FileStore } from '../resources/storage.js';
import { recordAttachment, stageAttachment, type PreparedAttachment } from './attachments.js';

/** Field every posting form and API call may send after reading the privacy warning. */
const Acknowledge = () => Type.Optional(Type.Boolean({ description: 'Set after the author has checked a privacy warning and chooses to publish' }));

const Body = () => RequiredText(50_000);

/** A message whose Markdown would cost seconds to render is refused with a clear field message. */
function markdownLimits(field: string, ...texts: (string | undefined)[]) {
  for (const text of texts) {
    const over = text ? markdownOverLimit(text) : undefined;
    if (over) throw new AppError('validation_failed', { fields: { [field]: msg(`discussions.markdown_limit.${over}`, { max: MARKDOWN_LIMITS[over] }) } });
  }
}

/** What posting commands need besides the database: the job queue that carries notifications. */
export interface DiscussionDeps {
  db: Db;
  jobs: Jobs;
  /** For the jargon check in family- and youth-led groups. */
  glossary?: GlossaryService;
  /** Where attachments' bytes go (needed only to post one). */
  files?: FileStore;
}

/** Posts in groups led by families or youth get the jargon check. */
async function jargon(deps: DiscussionDeps, ledBy: string | null | undefined, acknowledged: boolean | undefined, ...texts: (string | undefined)[]) {
  if (!deps.glossary || (ledBy !== 'family' && ledBy !== 'youth')) return;
  checkJargon(await deps.glossary.current(), acknowledged, ...texts);
}

export const ThreadInput = Type.Object({
  title: Line(200),
  body: Body(),
  language: Type.Optional(Enum(['en', 'es'] as const)),
  acknowledge_privacy: Acknowledge(),
  acknowledge_jargon: Type.Optional(Type.Boolean()),
  kind: Type.Optional(Enum(['discussion', 'dialogue_guide'] as const)),
  // Dialogue Guides: the shared text or resource, and the two sets of questions (one per line).
  source_title: OptionalLine(200),
  source_url: Type.Optional(Url()),
  reaction_questions: OptionalText(5000),
  application_questions: OptionalText(5000),
}, { examples: [{ title: 'Morning check-ins that work', body: 'What do your first ten minutes look like? We start with a short mood check.', language: 'en' }] });
export type ThreadInput = Static<typeof ThreadInput>;

export const ReplyInput = Type.Object({
  body: Body(),
  reply_to: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Literal('')])),
  question_id: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Literal('')])),
  acknowledge_jargon: Type.Optional(Type.Boolean()),
  language: Type.Optional(Enum(['en', 'es'] as const)),
  acknowledge_privacy: Acknowledge(),
}, { examples: [{ body: 'We do the same, with a question of the day.' }] });
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

/** Everyone's brakes on writing: a few posts a minute, more an hour (translations count too). */
export async function postingLimit(db: Db, userId: number) {
  await hitAll(db, [
    { key: `post:min:${userId}`, limit: POSTS_PER_MINUTE },
    { key: `post:hour:${userId}`, limit: POSTS_PER_HOUR },
  ]);
}

/** New members' limits per post, until they have taken part for a while. */
export const NEW_MEMBER = { days: 3, posts: 3, links: 2, mentions: 3 };

/**
 * Spam and pile-on brakes for people who just joined: at most a few links and
 * @mentions per post until their account is a few days old and has a few posts.
 * Facilitators are exempt.
 */
export async function newMemberLimits(db: Db, actor: Actor, html: string) {
  const links = linkCount(html);
  const mentions = mentionedHandles(html).length;
  if ((links <= NEW_MEMBER.links && mentions <= NEW_MEMBER.mentions) || can(actor, 'post.skip_new_member_limits', undefined)) return;
  const row = await db
    .selectFrom('users')
    .select(['created_at', (eb) => eb.selectFrom('posts').select((e) => e.fn.countAll<number>().as('n')).where('author_id', '=', actor.id!).where('deleted_at', 'is', null).as('posts')])
    .where('id', '=', actor.id!)
    .executeTakeFirstOrThrow();
  const established = Date.now() - row.created_at.getTime() >= NEW_MEMBER.days * 86_400_000 && Number(row.posts) >= NEW_MEMBER.posts;
  if (established) return;
  const fields: FieldErrors = {};
  if (links > NEW_MEMBER.links) fields.body = msg('discussions.new_member_links', { max: NEW_MEMBER.links, days: NEW_MEMBER.days, posts: NEW_MEMBER.posts });
  else fields.body = msg('discussions.new_member_mentions', { max: NEW_MEMBER.mentions, days: NEW_MEMBER.days, posts: NEW_MEMBER.posts });
  throw new AppError('validation_failed', { fields });
}

const normalize = (body: string) => body.replace(/\r\n?/g, '\n');

async function insertPost(
  tx: Tx,
  jobs: Jobs,
  threadId: number,
  authorId: number,
  body: string,
  language: string,
  opts: { opening?: boolean; replyTo?: number | null; questionId?: number | null; /** The author's level for the thread unless they chose one (authors watch, repliers track). */ watch: WatchLevel },
) {
  const text = normalize(body);
  const post = await tx
    // In the same statement: the author's default watch level for the thread.
    .with('watch', (db) => db.insertInto('thread_watches').values({ user_id: authorId, thread_id: threadId, level: opts.watch }).onConflict((oc) => oc.doNothing()))
    .insertInto('posts')
    .values({
      thread_id: threadId,
      author_id: authorId,
      is_opening: opts.opening ?? false,
      reply_to_id: opts.replyTo ?? null,
      question_id: opts.questionId ?? null,
      // The author's perspectives as they are when posting, read in the same statement.
      perspectives: sql<string[]>`(SELECT u.perspectives FROM users u WHERE u.id = ${authorId})`,
      body: text,
      language,
      body_html: renderMarkdown(text),
      render_version: RENDER_VERSION,
      created_at: new Date(),
    })
    // LISTEN/NOTIFY in the same statement: open thread pages in every process hear
    // about the post once this transaction commits.
    .returning(['id', sql<string>`pg_notify('convene_posts', json_build_object('thread_id', thread_id, 'post_id', id)::text)`.as('notified')])
    .modifyEnd(PREPARED)
    .executeTakeFirstOrThrow();
  // Notifications are worked out by a job written in this same transaction.
  await jobs.send(tx, QUEUES.postPublished, { postId: post.id }, { key: `post:${post.id}` });
  return { id: post.id };
}

/** Dialogue Guide questions from a textarea: one per line, blank lines ignored, at most 12 of each. */
export function questionLines(text: string | undefined): string[] {
  return (text ?? '')
    .split(/\r?\n/)
    .map((l) => clean(l.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '')))
    .filter((l) => l.length > 0)
    .slice(0, 12);
}

/** Starts a thread in a group (or the community-wide space); the opening post holds the body. */
export async function createThread(
  deps: DiscussionDeps,
  actor: Actor,
  group: { id: number; visibility: 'public' | 'members' | 'private'; join_policy: 'open' | 'request' | 'invite'; archived_at?: Date | null; led_by?: string } | null,
  input: ThreadInput,
  
  idempotencyKey?: string,
  /** A picture or file for the opening post (`prepareAttachment`). */
  attachment?: PreparedAttachment,
): Promise<{ id: number; post_id: number }> {
  const { db, jobs } = deps;
  authorize(actor, 'thread.create', { group });
  const guide = input.kind === 'dialogue_guide';
  const reactions = questionLines(input.reaction_questions);
  const applications = questionLines(input.application_questions);
  if (guide) {
    authorize(actor, 'guide.create', { group });
    const fields: FieldErrors = {};
    if (reactions.length === 0) fields.reaction_questions = msg('guides.need_reaction');
    if (applications.length === 0) fields.application_questions = msg('guides.need_application');
    if (Object.keys(fields).length) throw new AppError('validation_failed', { fields });
  }
  markdownLimits('body', input.body);
  privacyCheck(input.acknowledge_privacy, input.title, input.body, attachment?.alt, ...reactions, ...applications);
  await jargon(deps, group?.led_by, input.acknowledge_jargon, input.title, input.body);
  await newMemberLimits(db, actor, renderMarkdown(normalize(input.body)));
  await postingLimit(db, actor.id!);
  const language = input.language ?? 'en';
  return onceWithAttachment(deps, actor.id!, idempotencyKey, attachment, (r) => r.post_id, async (tx) => {
    const now = new Date();
    const thread = await tx
      .insertInto('threads')
      .values({
        group_id: group?.id ?? null,
        author_id: actor.id,
        title: clean(input.title),
        language,
        created_at: now,
        last_activity_at: now,
        kind: guide ? 'dialogue_guide' : 'discussion',
        source_title: guide && input.source_title ? clean(input.source_title) : null,
        source_url: guide && input.source_url ? input.source_url : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (guide) {
      const rows = [
        ...reactions.map((prompt, i) => ({ thread_id: thread.id, kind: 'reaction' as const, position: i + 1, prompt })),
        ...applications.map((prompt, i) => ({ thread_id: thread.id, kind: 'application' as const, position: i + 1, prompt })),
      ];
      await tx.insertInto('dialogue_questions').values(rows).execute();
    }
    const post = await insertPost(tx, jobs, thread.id, actor.id!, input.body, language, { opening: true, watch: 'watching' });
    return { id: thread.id, post_id: post.id };
  });
}

/**
 * One idempotent transaction for a new post (`write`), with an attachment's
 * bytes written first under a temporary name and kept only if the post is: a
 * refusal, a failure or a replayed double submit leaves nothing behind.
 */
async function onceWithAttachment<R extends Record<string, unknown>>(
  deps: DiscussionDeps,
  userId: number,
  idempotencyKey: string | undefined,
  attachment: PreparedAttachment | undefined,
  postIdOf: (r: R) => number,
  write: (tx: Tx) => Promise<R>,
): Promise<R> {
  if (!attachment) return once(deps.db, userId, idempotencyKey, write);
  if (!deps.files) throw new Error('no file store for attachments');
  const staged = await stageAttachment(deps.files, attachment);
  let wrote = false;
  try {
    const result = await once(deps.db, userId, idempotencyKey, async (tx) => {
      const r = await write(tx);
      await recordAttachment(tx, postIdOf(r), userId, attachment, staged);
      wrote = true;
      return r;
    });
    await (wrote ? staged.commit() : staged.discard());
    return result;
  } catch (err) {
    await staged.discard();
    throw err;
  }
}

/** Replies to a thread, optionally quoting one earlier post of the same thread. */
export async function reply(
  deps: DiscussionDeps,
  actor: Actor,
  thread: ThreadRow,
  input: ReplyInput,
  
  idempotencyKey?: string,
  /** A picture or file checked by `prepareAttachment`, stored with the reply in its transaction. */
  attachment?: PreparedAttachment,
): Promise<{ id: number }> {
  const { db, jobs } = deps;
  authorize(actor, 'post.create', threadSubject(thread));
  markdownLimits('body', input.body);
  privacyCheck(input.acknowledge_privacy, input.body, attachment?.alt);
  await jargon(deps, thread.group_led_by, input.acknowledge_jargon, input.body);
  await newMemberLimits(db, actor, renderMarkdown(normalize(input.body)));
  await postingLimit(db, actor.id!);
  const replyTo = input.reply_to || null;
  const questionId = input.question_id || null;
  return onceWithAttachment(deps, actor.id!, idempotencyKey, attachment, (r) => r.id, replyIn);

  async function replyIn(tx: Tx): Promise<{ id: number }> {
    if (replyTo) {
      const target = await tx.selectFrom('posts').select('id').where('id', '=', replyTo).where('thread_id', '=', thread.id).executeTakeFirst();
      if (!target) throw new AppError('validation_failed', { fields: { reply_to: msg('discussions.reply_to_missing') } });
    }
    if (questionId) {
      const q = await tx.selectFrom('dialogue_questions').select('id').where('id', '=', questionId).where('thread_id', '=', thread.id).executeTakeFirst();
      if (!q) throw new AppError('validation_failed', { fields: { question_id: msg('guides.question_missing') } });
    }
    // Count the reply first: the update locks the thread row (concurrent replies keep
    // reply_count exact) and returns its live state to authorize against. A refusal
    // rolls the count back with everything else.
    const live = await tx
      .updateTable('threads')
      .set({ reply_count: sql`reply_count + 1`, last_activity_at: new Date() })
      .where('id', '=', thread.id)
      .returning(['closed', 'locked', 'deleted_at'])
      .modifyEnd(PREPARED)
      .executeTakeFirstOrThrow();
    authorize(actor, 'post.create', { ...threadSubject(thread), ...live });
    const post = await insertPost(tx, jobs, thread.id, actor.id!, input.body, input.language ?? thread.language, { replyTo, questionId, watch: 'tracking' });
    return { id: post.id };
  }
}

/**
 * Edits a post. The previous text is kept as a revision the author and the
 * moderators can see, unless it seems to identify a student: an edit after a privacy warning is how authors de-identify, so then
 * every earlier version is erased instead.
 */
export async function editPost(
  { db, jobs }: DiscussionDeps,
  actor: Actor,
  thread: ThreadRow,
  postId: number,
  input: Static<typeof EditInput>,
  
) {
  markdownLimits('body', input.body);
  privacyCheck(input.acknowledge_privacy, input.title, input.body);
  await newMemberLimits(db, actor, renderMarkdown(normalize(input.body)));
  await db.transaction().execute(async (tx) => {
    const post = await tx.selectFrom('posts').select(['id', 'author_id', 'body', 'version', 'deleted_at', 'is_opening']).where('id', '=', postId).where('thread_id', '=', thread.id).forUpdate().executeTakeFirst();
    if (!post) throw new AppError('not_found');
    authorize(actor, 'post.edit', postSubject(post, thread));
    const body = input.body.replace(/\r\n?/g, '\n');
    const titleChanged = post.is_opening && input.title !== undefined && clean(input.title) !== thread.title;
    if (body === post.body && !titleChanged) return;
    if (body !== post.body) {
      // Each stored version was checked when it was replaced, so the text being replaced now is the one to check.
      const identifying = checkStudentPrivacy(post.is_opening ? `${thread.title}\n${post.body}` : post.body).length > 0;
      if (identifying) await tx.deleteFrom('post_revisions').where('post_id', '=', post.id).execute();
      else await tx.insertInto('post_revisions').values({ post_id: post.id, version: post.version, body: post.body, edited_by: actor.id, created_at: new Date() }).execute();
      await tx
        .updateTable('posts')
        .set({ body, version: post.version + 1, body_html: renderMarkdown(body), render_version: RENDER_VERSION, edited_at: new Date() })
        .where('id', '=', post.id)
        .execute();
      // People newly @mentioned by the edit hear about it; everyone else was told already.
      await jobs.send(tx, QUEUES.postPublished, { postId: post.id }, { key: `post:${post.id}:v${post.version + 1}` });
    }
    if (titleChanged) await tx.updateTable('threads').set({ title: clean(input.title), edited_at: new Date() }).where('id', '=', thread.id).execute();
    if (post.author_id !== actor.id) await audit(tx, actor.id, 'post.edit', { type: 'post', id: post.id });
  });
}

/** Erases every earlier version of a post (its author, or a moderator: audited). */
export async function eraseHistory(db: Db, actor: Actor, thread: ThreadRow, postId: number) {
  await db.transaction().execute(async (tx) => {
    const post = await tx.selectFrom('posts').select(['id', 'author_id', 'deleted_at']).where('id', '=', postId).where('thread_id', '=', thread.id).forUpdate().executeTakeFirst();
    if (!post) throw new AppError('not_found');
    authorize(actor, 'post.history', postSubject(post, thread));
    await tx.deleteFrom('post_revisions').where('post_id', '=', post.id).execute();
    if (post.author_id !== actor.id) await audit(tx, actor.id, 'post.erase_history', { type: 'post', id: post.id });
  });
}

/** Soft-deletes a post (its place in the thread stays, marked deleted). Deleting the opening post deletes the thread. */
export async function deletePost(db: Db, actor: Actor, thread: ThreadRow, postId: number) {
  await db.transaction().execute(async (tx) => {
    const post = await tx.selectFrom('posts').select(['id', 'author_id', 'deleted_at', 'is_opening']).where('id', '=', postId).where('thread_id', '=', thread.id).forUpdate().executeTakeFirst();
    if (!post) throw new AppError('not_found');
    authorize(actor, 'post.delete', postSubject(post, thread));
    const now = new Date();
    await tx.updateTable('posts').set({ deleted_at: now }).where('id', '=', post.id).execute();
    if (post.is_opening) await tx.updateTable('threads').set({ deleted_at: now }).where('id', '=', thread.id).execute();
    else await tx.updateTable('threads').set({ reply_count: sql`greatest(reply_count - 1, 0)` }).where('id', '=', thread.id).execute();
    if (post.author_id !== actor.id) await audit(tx, actor.id, post.is_opening ? 'thread.delete' : 'post.delete', { type: 'post', id: post.id });
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

export const GuideSummaryInput = Type.Object({
  common_ground: RequiredText(20_000),
  action_items: RequiredText(20_000),
  close: Type.Optional(Type.Boolean()),
});

/**
 * A facilitator (or the group's lead) writes the Dialogue Guide's closing
 * summary: the common ground found across perspectives and the actions agreed.
 * Writing it again replaces it; the change is audited.
 */
export async function summarizeGuide(db: Db, actor: Actor, thread: ThreadRow & { kind?: string }, input: Static<typeof GuideSummaryInput>) {
  authorize(actor, 'thread.moderate', threadSubject(thread));
  if (thread.kind !== 'dialogue_guide') throw new AppError('not_found');
  privacyCheck(undefined, input.common_ground, input.action_items);
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('threads')
      .set({
        summary_common_ground: normalize(input.common_ground.trim()),
        summary_actions: normalize(input.action_items.trim()),
        summary_by: actor.id,
        summary_at: new Date(),
        ...(input.close ? { closed: true } : {}),
      })
      .where('id', '=', thread.id)
      .execute();
    await audit(tx, actor.id, 'guide.summarize', { type: 'thread', id: thread.id }, { closed: !!input.close });
  });
}

/**
 * Moves a thread to another practice group or to the community space
 * (group null). The moderator must be able to moderate both ends. Audited.
 */
export async function moveThread(
  { db }: DiscussionDeps,
  actor: Actor,
  thread: ThreadRow,
  target: { id: number; visibility: 'public' | 'members' | 'private'; join_policy: 'open' | 'request' | 'invite'; archived_at?: Date | null } | null,
) {
  authorize(actor, 'thread.moderate', threadSubject(thread));
  if ((target?.id ?? null) === thread.group_id) return;
  if (target?.archived_at) throw new AppError('forbidden');
  authorize(actor, 'thread.moderate', { group: target, locked: false, closed: false, deleted_at: null });
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('threads').set({ group_id: target?.id ?? null }).where('id', '=', thread.id).execute();
    await audit(tx, actor.id, 'thread.move', { type: 'thread', id: thread.id }, { from: thread.group_id, to: target?.id ?? null });
  });
}

export const SplitInput = Type.Object({
  title: Line(200),
  // One checked box arrives as a single value; the validator makes it a list.
  post_ids: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 500, 'x-message': 'discussions.split_none' }),
});

/**
 * Moves chosen replies into a new thread in the same space; the earliest of
 * them becomes its opening post. Counts and activity times are recomputed for
 * both threads, and "in reply to" links that would cross threads are dropped.
 */
export async function splitThread({ db }: DiscussionDeps, actor: Actor, thread: ThreadRow, input: Static<typeof SplitInput>): Promise<{ id: number }> {
  authorize(actor, 'thread.moderate', threadSubject(thread));
  const ids = [...new Set(input.post_ids)];
  return db.transaction().execute(async (tx) => {
    await tx.selectFrom('threads').select('id').where('id', '=', thread.id).forUpdate().execute();
    const chosen = await tx
      .selectFrom('posts')
      .select(['id', 'author_id', 'created_at', 'language'])
      .where('thread_id', '=', thread.id)
      .where('is_opening', '=', false)
      .where('deleted_at', 'is', null)
      .where('id', 'in', ids)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    if (chosen.length !== ids.length || chosen.length === 0) throw new AppError('validation_failed', { fields: { post_ids: msg('discussions.split_none') } });
    const first = chosen[0]!;
    const last = chosen[chosen.length - 1]!;
    const created = await tx
      .insertInto('threads')
      .values({ group_id: thread.group_id, author_id: first.author_id, title: clean(input.title), language: first.language, created_at: first.created_at, last_activity_at: last.created_at })
      .returning('id')
      .executeTakeFirstOrThrow();
    const moved = chosen.map((c) => c.id);
    await tx.updateTable('posts').set({ thread_id: created.id, question_id: null }).where('id', 'in', moved).execute();
    await tx.updateTable('posts').set({ is_opening: true, reply_to_id: null }).where('id', '=', first.id).execute();
    // Replies that now point across the split lose their "in reply to".
    await tx
      .updateTable('posts')
      .set({ reply_to_id: null })
      .where((eb) =>
        eb.or([
          eb.and([eb('thread_id', '=', created.id), eb('reply_to_id', 'not in', moved)]),
          eb.and([eb('thread_id', '=', thread.id), eb('reply_to_id', 'in', moved)]),
        ]),
      )
      .execute();
    for (const id of [thread.id, created.id]) {
      await sql`UPDATE threads SET
          reply_count = (SELECT count(*) FROM posts WHERE thread_id = ${id} AND NOT is_opening AND deleted_at IS NULL),
          last_activity_at = coalesce((SELECT max(created_at) FROM posts WHERE thread_id = ${id} AND deleted_at IS NULL), created_at)
        WHERE id = ${id}`.execute(tx);
    }
    await audit(tx, actor.id, 'thread.split', { type: 'thread', id: thread.id }, { new_thread: created.id, posts: moved });
    return { id: created.id };
  });
}
