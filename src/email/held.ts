import type { Db } from '../platform/db/db.js';
import type { UserActor } from '../platform/auth/actor.js';
import { AppError, translateFields, type FieldErrors } from '../platform/http/errors.js';
import { authorize } from '../platform/auth/policy.js';
import type { GlossaryService } from '../glossary/service.js';
import type { Jobs } from '../platform/jobs/jobs.js';
import { checkJargon } from '../glossary/jargon.js';
import { privacyCheck } from '../trust/privacy-guard.js';
import { getThread } from '../discussions/queries.js';
import { createThread, reply } from '../discussions/commands.js';

/** Held messages are kept this long for their author, then removed by the retention pass. */
export const HELD_DAYS = 30;

export type HeldRow = NonNullable<Awaited<ReturnType<typeof getHeld>>>;

/** One held message with where it was going, for its author only (anyone else: not found). */
export async function getHeld(db: Db, actor: UserActor, id: number) {
  const row = await db
    .selectFrom('held_posts as h')
    .leftJoin('threads as t', 't.id', 'h.thread_id')
    .leftJoin('practice_groups as g', (j) => j.on((eb) => eb.or([eb('g.id', '=', eb.ref('h.group_id')), eb('g.id', '=', eb.ref('t.group_id'))])))
    .select(['h.id', 'h.user_id', 'h.thread_id', 'h.reply_to_id', 'h.group_id', 'h.title', 'h.body', 'h.language', 'h.reason', 'h.created_at', 't.title as thread_title', 'g.name as group_name', 'g.slug as group_slug', 'g.led_by'])
    .where('h.id', '=', id)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found');
  authorize(actor, 'email.held', row);
  return row;
}

/** The person's own held messages (the SQL twin of email.held). */
export async function listHeld(db: Db, actor: UserActor) {
  return db
    .selectFrom('held_posts as h')
    .leftJoin('threads as t', 't.id', 'h.thread_id')
    .leftJoin('practice_groups as g', 'g.id', 'h.group_id')
    .select(['h.id', 'h.title', 'h.body', 'h.reason', 'h.created_at', 't.title as thread_title', 'g.name as group_name'])
    .where('h.user_id', '=', actor.id)
    .orderBy('h.created_at', 'desc')
    .limit(100)
    .execute();
}

/** The warnings the held text raises now, in the reader's words, as a form shows them. */
export async function heldWarnings(glossary: GlossaryService, held: HeldRow, t: (k: string, p?: Record<string, unknown>) => string): Promise<Record<string, string>> {
  const fields: FieldErrors = {};
  const collect = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      if (err instanceof AppError && err.fields) Object.assign(fields, err.fields);
      else throw err;
    }
  };
  collect(() => privacyCheck(undefined, held.title, held.body));
  if (held.led_by === 'family' || held.led_by === 'youth') {
    const annotator = await glossary.current();
    collect(() => checkJargon(annotator, undefined, held.title ?? undefined, held.body));
  }
  return translateFields(fields, t);
}

/**
 * Publishes a held message as its author now sends it (edited, and with the
 * warnings answered), through the same commands as any post, then forgets
 * it. A double submit publishes once.
 */
export async function publishHeld(
  deps: { db: Db; jobs: Jobs; glossary: GlossaryService },
  actor: UserActor,
  held: HeldRow,
  input: { title?: string; body: string; acknowledge_privacy?: boolean; acknowledge_jargon?: boolean },
): Promise<{ threadId: number; postId: number }> {
  const key = `held-post-${held.id}`;
  let out: { threadId: number; postId: number };
  if (held.thread_id !== null) {
    const thread = await getThread(deps.db, held.thread_id);
    if (!thread) throw new AppError('not_found');
    const r = await reply(deps, actor, thread, { body: input.body, reply_to: held.reply_to_id ?? undefined, language: held.language as 'en' | 'es', acknowledge_privacy: input.acknowledge_privacy, acknowledge_jargon: input.acknowledge_jargon }, key);
    out = { threadId: thread.id, postId: r.id };
  } else {
    const group = await deps.db.selectFrom('practice_groups').select(['id', 'visibility', 'join_policy', 'archived_at', 'led_by']).where('id', '=', held.group_id!).executeTakeFirst();
    if (!group) throw new AppError('not_found');
    const r = await createThread(deps, actor, group, { title: input.title ?? held.title ?? '', body: input.body, language: held.language as 'en' | 'es', acknowledge_privacy: input.acknowledge_privacy, acknowledge_jargon: input.acknowledge_jargon }, key);
    out = { threadId: r.id, postId: r.post_id };
  }
  await deps.db.deleteFrom('held_posts').where('id', '=', held.id).where('user_id', '=', actor.id).execute();
  return out;
}

export async function discardHeld(db: Db, actor: UserActor, id: number): Promise<void> {
  const held = await db.selectFrom('held_posts').select(['id', 'user_id']).where('id', '=', id).executeTakeFirst();
  if (!held) throw new AppError('not_found');
  authorize(actor, 'email.held', held);
  await db.deleteFrom('held_posts').where('id', '=', held.id).execute();
}

/** Retention: held messages nobody published within HELD_DAYS. */
export async function pruneHeld(db: Db, now = new Date()): Promise<number> {
  const r = await db.deleteFrom('held_posts').where('created_at', '<', new Date(now.getTime() - HELD_DAYS * 86_400_000)).executeTakeFirst();
  return Number(r.numDeletedRows);
}
