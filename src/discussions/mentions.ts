import { sql } from 'kysely';
import type { Db } from '../platform/db/db.js';
import type { UserActor } from '../platform/auth/actor.js';
import { mayContact } from '../notifications/notify.js';
import { escapeLike } from '../community/queries.js';

export interface Mentionable {
  id: number;
  handle: string;
  name: string;
}

/** Where the message being written will appear: who is offered depends on who can read it there. */
export interface MentionPlace {
  /** The thread being replied to, if any. */
  threadId?: number;
  /** Its group (or the group of a new thread), with its visibility. */
  group?: { id: number; visibility: 'public' | 'members' | 'private' } | null;
}

const SUGGESTIONS = 8;
/** Candidates read before the contact rule is applied: enough that a few youth members left out still leave a full list. */
const CANDIDATES = 40;

/**
 * People an author may @mention whose handle or name starts with `q` (or a
 * word of the name does): never the author, nobody hidden from the directory
 * or deactivated, nobody the author may not contact (the youth contact rule),
 * and, in a private group, only people who can read it (its members and the
 * facilitators), since a mention of anyone else would reach no one. People in
 * the thread come first, then the group's members, then everyone else.
 */
export async function mentionable(db: Db, author: UserActor, q: string, place: MentionPlace): Promise<Mentionable[]> {
  const term = q.trim().replace(/^@/, '').toLowerCase();
  if (!term) return [];
  const prefix = `${escapeLike(term)}%`;
  const word = `% ${escapeLike(term)}%`;
  const groupId = place.group?.id ?? 0;
  const threadId = place.threadId ?? 0;
  const rows = await db
    .selectFrom('users as u')
    .select(['u.id', 'u.handle', 'u.name'])
    .select(sql<number>`(CASE WHEN EXISTS (SELECT 1 FROM posts p WHERE p.thread_id = ${threadId} AND p.author_id = u.id AND p.deleted_at IS NULL) THEN 0
                              WHEN EXISTS (SELECT 1 FROM group_memberships m WHERE m.group_id = ${groupId} AND m.user_id = u.id AND m.status = 'active') THEN 1
                              ELSE 2 END)`.as('closeness'))
    .select(sql<boolean>`lower(u.handle) LIKE ${prefix}`.as('by_handle'))
    .where('u.id', '!=', author.id)
    .where('u.hidden', '=', false)
    .where('u.deactivated_at', 'is', null)
    .where('u.email_verified_at', 'is not', null)
    .where((eb) => eb.or([eb(sql`lower(u.handle)`, 'like', prefix), eb(sql`lower(u.name)`, 'like', prefix), eb(sql`lower(u.name)`, 'like', word)]))
    .$if(place.group?.visibility === 'private', (qb) =>
      qb.where((eb) =>
        eb.or([
          eb('u.role', 'in', ['facilitator', 'admin']),
          eb.exists(eb.selectFrom('group_memberships as gm').select('gm.user_id').whereRef('gm.user_id', '=', 'u.id').where('gm.group_id', '=', groupId).where('gm.status', 'in', ['active', 'invited'])),
        ]),
      ),
    )
    .orderBy('closeness')
    .orderBy('by_handle', 'desc')
    .orderBy(sql`lower(u.name)`)
    .orderBy('u.id')
    .limit(CANDIDATES)
    .execute();
  const allowed = await mayContact(db, author.id, rows.map((r) => r.id));
  return rows
    .filter((r) => allowed.has(r.id))
    .slice(0, SUGGESTIONS)
    .map((r) => ({ id: r.id, handle: r.handle, name: r.name }));
}
