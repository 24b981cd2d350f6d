import type { Db, Tx } from '../platform/db/db.js';
import type { WatchLevel } from '../platform/db/schema.js';

export const WATCH_LEVELS = ['watching', 'tracking', 'normal', 'muted'] as const satisfies readonly WatchLevel[];

/**
 * What each level means:
 * - watching: every new post (in a group: every new thread and every post);
 * - tracking: in a group, every new thread; in a thread, marked when it has
 *   news; plus mentions and replies;
 * - normal: only mentions of you and replies to you;
 * - muted: nothing at all.
 */
export async function setGroupWatch(db: Db | Tx, userId: number, groupId: number, level: WatchLevel): Promise<void> {
  await db
    .insertInto('group_watches')
    .values({ user_id: userId, group_id: groupId, level })
    .onConflict((oc) => oc.columns(['user_id', 'group_id']).doUpdateSet({ level }))
    .execute();
}

export async function setThreadWatch(db: Db | Tx, userId: number, threadId: number, level: WatchLevel): Promise<void> {
  await db
    .insertInto('thread_watches')
    .values({ user_id: userId, thread_id: threadId, level })
    .onConflict((oc) => oc.columns(['user_id', 'thread_id']).doUpdateSet({ level }))
    .execute();
}

/**
 * A person's level for a thread: their own choice for it, else what their
 * group level implies (watching a group watches its threads; muting it mutes
 * them). The thread page reads both levels with the thread (`getThreadForViewer`).
 */
export function effectiveWatch(own: WatchLevel | null, group: WatchLevel | null): { level: WatchLevel; explicit: boolean } {
  if (own) return { level: own, explicit: true };
  return { level: group === 'watching' || group === 'muted' ? group : 'normal', explicit: false };
}
