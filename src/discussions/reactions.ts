import { sql } from 'kysely';
import type { Db, Tx } from '../platform/db/db.js';
import type { Actor } from '../platform/auth/actor.js';
import { authorize } from '../platform/auth/policy.js';
import { AppError } from '../platform/http/errors.js';
import { postSubject, type ThreadRow } from './queries.js';

/**
 * The reactions a reader can leave on a post: a small set, each one saying
 * something a reply would otherwise say ("this helped", "thank you", "I agree",
 * "I'll try this in my school"). The order is the order they are shown in.
 */
export const REACTIONS = ['helpful', 'thanks', 'agree', 'will_try'] as const;
export type ReactionKind = (typeof REACTIONS)[number];
export type ReactionCounts = Partial<Record<ReactionKind, number>>;

export const isReaction = (kind: unknown): kind is ReactionKind => typeof kind === 'string' && (REACTIONS as readonly string[]).includes(kind);

/** Kinds in display order, without repeats: the same list for the same set, so kept markup can be keyed by it. */
export const inOrder = (kinds: Iterable<string>): ReactionKind[] => {
  const set = new Set(kinds);
  return REACTIONS.filter((k) => set.has(k));
};

/**
 * Adds (`on`) or takes back a reaction of one kind; one of each kind per
 * person. The post's counts change in the same transaction, only when the
 * reaction itself changed, so a double submit counts once.
 */
export async function setReaction(db: Db, actor: Actor, thread: ThreadRow, postId: number, kind: ReactionKind, on: boolean): Promise<ReactionCounts> {
  return db.transaction().execute(async (tx) => {
    const post = await tx.selectFrom('posts').select(['id', 'author_id', 'deleted_at', 'hidden_at']).where('id', '=', postId).where('thread_id', '=', thread.id).forUpdate().executeTakeFirst();
    if (!post || post.hidden_at) throw new AppError('not_found');
    authorize(actor, 'post.react', postSubject(post, thread));
    const changed = on
      ? await tx.insertInto('post_reactions').values({ post_id: post.id, user_id: actor.id!, kind, created_at: new Date() }).onConflict((oc) => oc.doNothing()).executeTakeFirst()
      : await tx.deleteFrom('post_reactions').where('post_id', '=', post.id).where('user_id', '=', actor.id!).where('kind', '=', kind).executeTakeFirst();
    const n = Number('numInsertedOrUpdatedRows' in changed ? changed.numInsertedOrUpdatedRows : changed.numDeletedRows);
    const step = n > 0 ? (on ? 1 : -1) : 0;
    const row = await tx
      .updateTable('posts')
      .set({
        reactions: sql`jsonb_set(reactions, ARRAY[${kind}::text], to_jsonb(greatest(coalesce((reactions ->> ${kind})::int, 0) + ${step}::int, 0)))`,
        ...(kind === 'helpful' && step !== 0 ? { helpful_count: sql`greatest(helpful_count + ${step}::int, 0)` } : {}),
      })
      .where('id', '=', post.id)
      .returning('reactions')
      .executeTakeFirstOrThrow();
    return row.reactions as ReactionCounts;
  });
}

export interface Reactor {
  id: number;
  name: string;
  at: Date;
}

/**
 * Who left each kind of reaction on a post, newest first (at most `limit` a
 * kind), and how many in all. An erased account takes its reactions with it.
 */
export async function whoReacted(db: Db, postId: number, limit = 200): Promise<{ kind: ReactionKind; count: number; people: Reactor[] }[]> {
  const rows = await db
    .selectFrom('post_reactions as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['r.kind', 'u.id', 'u.name', 'r.created_at'])
    .select(sql<number>`row_number() OVER (PARTITION BY r.kind ORDER BY r.created_at DESC, u.id)`.as('n'))
    .select(sql<number>`count(*) OVER (PARTITION BY r.kind)::int`.as('total'))
    .where('r.post_id', '=', postId)
    .orderBy('r.created_at', 'desc')
    .orderBy('u.id')
    .execute();
  const by = new Map<ReactionKind, { count: number; people: Reactor[] }>();
  for (const r of rows) {
    const entry = by.get(r.kind) ?? { count: r.total, people: [] };
    if (Number(r.n) <= limit) entry.people.push({ id: r.id, name: r.name, at: r.created_at });
    by.set(r.kind, entry);
  }
  return REACTIONS.filter((k) => by.has(k)).map((k) => ({ kind: k, ...by.get(k)! }));
}

/** Counts the reactions on these posts again from the reactions themselves (after an account and its reactions are gone). */
export async function recountReactions(tx: Db | Tx, postIds: number[]): Promise<void> {
  if (postIds.length === 0) return;
  await sql`UPDATE posts p
               SET reactions = coalesce((SELECT jsonb_object_agg(x.kind, x.n) FROM (SELECT kind, count(*)::int AS n FROM post_reactions WHERE post_id = p.id GROUP BY kind) x), '{}'::jsonb),
                   helpful_count = (SELECT count(*)::int FROM post_reactions WHERE post_id = p.id AND kind = 'helpful')
             WHERE p.id = ANY(${postIds}::bigint[])`.execute(tx);
}
