import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { isActiveLead, isFacilitator, ledGroupIds, type Actor } from '../platform/auth/actor.js';
import { can, definePolicy } from '../platform/auth/policy.js';
import { canTakePart, canViewGroup, groupReader, stewardsGroup, type GroupSubject } from '../groups/policy.js';

/**
 * Who may read and write discussions: the rule for one thread or post, the
 * SQL filter for lists and search (`threadReadableBy`), and the reader
 * partition shared caches use (`threadReader`). A test checks the three agree.
 */

/** Where a thread lives: a practice group, or the community-wide space (group null). */
export interface ThreadSubject {
  group: GroupSubject | null;
  locked?: boolean;
  closed?: boolean;
  deleted_at?: Date | null;
}

export interface PostSubject {
  author_id: number | null;
  thread: ThreadSubject;
  deleted_at?: Date | null;
}

declare module '../platform/auth/policy.js' {
  interface PolicySubjects {
    'thread.view': ThreadSubject;
    'thread.create': { group: GroupSubject | null };
    'thread.moderate': ThreadSubject;
    /** Move a thread into this space (null: the community space). */
    'thread.move_to': { group: GroupSubject | null };
    'guide.create': { group: GroupSubject | null };
    'post.create': ThreadSubject;
    'post.edit': PostSubject;
    'post.delete': PostSubject;
    'post.history': PostSubject;
    'post.react': PostSubject;
    /** Keep a post in one's bookmarks (with a note and a reminder). */
    'post.bookmark': PostSubject;
    'post.flag': PostSubject;
    'post.hide': PostSubject;
    /** Post past the new-member limits on links and mentions. */
    'post.skip_new_member_limits': undefined;
    'moderation.queue': undefined;
    /** See reports from every group in the moderation queue (not only the groups one leads). */
    'moderation.queue_all': undefined;
  }
}

const viewThread = (actor: Actor, th: ThreadSubject) => {
  if (th.deleted_at && !isFacilitator(actor)) return false;
  return th.group === null || canViewGroup(actor, th.group);
};
const moderateThread = (actor: Actor, th: ThreadSubject) => isFacilitator(actor) || (th.group !== null && isActiveLead(actor, th.group.id));
const authorOrModerator = (actor: Actor, p: PostSubject) => (actor.kind === 'user' && p.author_id === actor.id) || moderateThread(actor, p.thread);

definePolicy(
  'discussions',
  {
    'thread.view': viewThread,
    'thread.create': (actor, s) => canTakePart(actor, s.group),
    'thread.moderate': moderateThread,
    'thread.move_to': (actor, s) => (s.group === null ? isFacilitator(actor) : stewardsGroup(actor, s.group.id)),
    // Dialogue Guides are facilitated: facilitators anywhere, leads in their own group.
    'guide.create': (actor, s) => canTakePart(actor, s.group) && (isFacilitator(actor) || (s.group !== null && isActiveLead(actor, s.group.id))),
    'post.create': (actor, th) => {
      if (th.deleted_at || th.closed || !canTakePart(actor, th.group)) return false;
      // A locked thread takes replies only from its moderators.
      return !th.locked || moderateThread(actor, th);
    },
    'post.edit': (actor, p) => {
      if (p.deleted_at || !viewThread(actor, p.thread)) return false;
      return (actor.kind === 'user' && p.author_id === actor.id && !p.thread.locked) || moderateThread(actor, p.thread);
    },
    'post.delete': (actor, p) => !p.deleted_at && viewThread(actor, p.thread) && authorOrModerator(actor, p),
    // Earlier versions can hold what an edit took out: the author and the moderators only.
    'post.history': (actor, p) => !p.deleted_at && viewThread(actor, p.thread) && authorOrModerator(actor, p),
    'post.flag': (actor, p) => actor.kind === 'user' && !p.deleted_at && p.author_id !== actor.id && viewThread(actor, p.thread),
    'post.hide': (actor, p) => !p.deleted_at && moderateThread(actor, p.thread),
    'post.react': (actor, p) => actor.kind === 'user' && actor.emailVerified && !p.deleted_at && p.author_id !== actor.id && viewThread(actor, p.thread),
    'post.bookmark': (actor, p) => actor.kind === 'user' && !p.deleted_at && viewThread(actor, p.thread),
    'post.skip_new_member_limits': (actor) => isFacilitator(actor),
    'moderation.queue': (actor) => isFacilitator(actor) || ledGroupIds(actor).length > 0,
    'moderation.queue_all': (actor) => isFacilitator(actor),
  },
  {
    'thread.view': 'self',
    'thread.moderate': { action: 'thread.view' },
    'post.create': { action: 'thread.view' },
    'post.edit': { action: 'thread.view', subject: (p) => p.thread },
    'post.delete': { action: 'thread.view', subject: (p) => p.thread },
    'post.history': { action: 'thread.view', subject: (p) => p.thread },
    'post.react': { action: 'thread.view', subject: (p) => p.thread },
    'post.bookmark': { action: 'thread.view', subject: (p) => p.thread },
    'post.flag': { action: 'thread.view', subject: (p) => p.thread },
    'post.hide': { action: 'thread.view', subject: (p) => p.thread },
  },
);

/** The thread's moderators may also see what is hidden in it. */
export const canModerate = (actor: Actor, th: ThreadSubject) => can(actor, 'thread.moderate', th);

/**
 * SQL twin of thread.view for thread alias t (group alias g), so searches and
 * lists can page in SQL; `policy-agreement.test.ts` checks both agree.
 */
export function threadReadableBy(viewer: Actor): Expression<SqlBool> {
  if (isFacilitator(viewer)) return sql<SqlBool>`true`;
  if (viewer.kind === 'anonymous') return sql<SqlBool>`(t.deleted_at IS NULL AND (t.group_id IS NULL OR g.visibility = 'public'))`;
  return threadReadableByMember(sql`${viewer.id}`);
}

/**
 * `threadReadableBy` for a signed-in person who is not a facilitator, the
 * person given as an SQL expression: a value, or a column when the person is
 * read in the same statement (the session lookup's unread count).
 */
export function threadReadableByMember(userId: RawBuilder<unknown>): RawBuilder<SqlBool> {
  return sql<SqlBool>`(t.deleted_at IS NULL AND (t.group_id IS NULL OR g.visibility IN ('public', 'members')
    OR EXISTS (SELECT 1 FROM group_memberships m WHERE m.group_id = t.group_id AND m.user_id = ${userId} AND m.status IN ('active', 'invited'))))`;
}

/** Who reads which threads and posts: the group partition (deleted threads are facilitators' alone, and they are 'all'). */
export const threadReader = groupReader;
