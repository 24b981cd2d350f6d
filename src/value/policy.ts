import { sql, type Expression, type SqlBool } from 'kysely';
import { isActiveLead, isFacilitator, type Actor } from '../platform/auth/actor.js';
import { definePolicy } from '../platform/auth/policy.js';
import { canTakePart, canViewGroup, isActiveMember, type GroupSubject } from '../groups/policy.js';
import type { ThreadSubject } from '../discussions/policy.js';
import type { StoryAudience } from '../platform/db/schema.js';

/**
 * Who may see, tell and review value-creation stories, and who may open,
 * vote in and close the partnership's polls and proposals. The story rule has
 * an SQL twin (`storyReadableBy`) for lists; `policy-agreement.test.ts`
 * checks that both agree.
 */

export interface StorySubject {
  author_id: number | null;
  group: GroupSubject | null;
  audience: StoryAudience;
  status: 'pending' | 'approved' | 'returned';
}

export interface DecisionSubject {
  thread: ThreadSubject;
  created_by: number | null;
  closes_at: Date;
  closed_at: Date | null;
}

declare module '../platform/auth/policy.js' {
  interface PolicySubjects {
    'story.view': StorySubject;
    /** Tell a story, in a group (or the community when null). */
    'story.create': { group: GroupSubject | null };
    'story.edit': StorySubject;
    /** Approve stories to be shared beyond their group. */
    'story.review': undefined;
    /** Open a poll or a proposal in a thread. */
    'decision.open': ThreadSubject;
    'decision.view': DecisionSubject;
    'decision.vote': DecisionSubject;
    /** Close early and record the outcome. */
    'decision.close': DecisionSubject;
  }
}

/** Whether a decision still takes votes (not closed by hand, closing time not passed). */
export const decisionOpen = (d: { closes_at: Date; closed_at: Date | null }, now = new Date()) => !d.closed_at && d.closes_at.getTime() > now.getTime();

const viewStory = (actor: Actor, s: StorySubject) => {
  if (isFacilitator(actor)) return true;
  if (actor.kind === 'user' && s.author_id === actor.id) return true;
  // Inside its group at once (members of the group, while they may still see it).
  if (s.group && actor.kind === 'user' && isActiveMember(actor, s.group.id) && canViewGroup(actor, s.group)) return true;
  // Beyond the group only once a facilitator approved it, to the audience its author chose.
  if (s.status !== 'approved') return false;
  if (s.audience === 'public') return true;
  if (s.audience === 'members') return actor.kind === 'user';
  return false;
};

const moderatesThread = (actor: Actor, th: ThreadSubject) => isFacilitator(actor) || (th.group !== null && isActiveLead(actor, th.group.id));
const viewThread = (actor: Actor, th: ThreadSubject) => !th.deleted_at && (th.group === null || canViewGroup(actor, th.group));

definePolicy(
  'value',
  {
    'story.view': viewStory,
    'story.create': (actor, s) => canTakePart(actor, s.group),
    'story.edit': (actor, s) => isFacilitator(actor) || (actor.kind === 'user' && actor.emailVerified && s.author_id === actor.id),
    'story.review': (actor) => isFacilitator(actor),
    // Leads in their group's threads, facilitators anywhere; not in a closed or deleted thread.
    'decision.open': (actor, th) => viewThread(actor, th) && !th.closed && canTakePart(actor, th.group) && moderatesThread(actor, th),
    // The thread's readers (facilitators read every thread not deleted).
    'decision.view': (actor, d) => viewThread(actor, d.thread),
    // Those who take part in the thread's space, while it is open.
    'decision.vote': (actor, d) => viewThread(actor, d.thread) && decisionOpen(d) && canTakePart(actor, d.thread.group),
    'decision.close': (actor, d) => viewThread(actor, d.thread) && !d.closed_at && ((actor.kind === 'user' && d.created_by === actor.id && canTakePart(actor, d.thread.group)) || moderatesThread(actor, d.thread)),
  },
  {
    'story.view': 'self',
    'story.edit': { action: 'story.view' },
    'decision.view': 'self',
    'decision.vote': { action: 'decision.view' },
    'decision.close': { action: 'decision.view' },
  },
);

/**
 * SQL twin of story.view for stories alias s (group alias g, left-joined):
 * the lists and the agenda item page page in SQL with it.
 */
export function storyReadableBy(viewer: Actor): Expression<SqlBool> {
  if (isFacilitator(viewer)) return sql<SqlBool>`true`;
  if (viewer.kind === 'anonymous') return sql<SqlBool>`(s.status = 'approved' AND s.audience = 'public')`;
  return sql<SqlBool>`(s.author_id = ${viewer.id}
    OR (s.status = 'approved' AND s.audience IN ('public', 'members'))
    OR (s.group_id IS NOT NULL AND EXISTS (SELECT 1 FROM group_memberships m WHERE m.group_id = s.group_id AND m.user_id = ${viewer.id} AND m.status = 'active')))`;
}
