import { sql, type Expression, type SqlBool } from 'kysely';
import { isActiveLead, isFacilitator, ledGroupIds, type Actor, type UserActor } from '../platform/auth/actor.js';
import { definePolicy } from '../platform/auth/policy.js';

/**
 * Who may see and do what in practice groups: the rules for one group, the
 * SQL filter for lists (`groupReadableBy`), and the reader partition shared
 * caches use (`groupReader`). Other capabilities build on `canViewGroup`,
 * `canTakePart` and `isActiveMember` rather than repeating them.
 */

export interface GroupSubject {
  id: number;
  visibility: 'public' | 'members' | 'private';
  join_policy: 'open' | 'request' | 'invite';
  archived_at?: Date | null;
}

declare module '../platform/auth/policy.js' {
  interface PolicySubjects {
    'group.create': undefined;
    'group.list_all': undefined;
    'group.view': GroupSubject;
    'group.join': GroupSubject;
    'group.request': GroupSubject;
    'group.leave': GroupSubject;
    'group.update': GroupSubject;
    'group.manage_members': GroupSubject;
    'group.assign_leads': GroupSubject;
    /** Record the group's depth-of-interaction review. */
    'group.review': GroupSubject;
    /** See every member's fields in the group's member list (as its stewards do). */
    'group.see_all_member_fields': undefined;
  }
}

/** The actor's role in the group when their membership is active (not invited or requested). */
export function activeRole(actor: Actor, groupId: number) {
  if (actor.kind !== 'user') return undefined;
  const m = actor.memberships.get(groupId);
  return m && m.status === 'active' ? m.role : undefined;
}

/** An active member of the group, in any role. */
export const isActiveMember = (actor: Actor, groupId: number) => activeRole(actor, groupId) !== undefined;

/** The person is in the group, or invited to it (someone invited to a private group sees it so they can accept); a pending request does not count. */
export function belongsTo(actor: Actor, groupId: number): boolean {
  if (actor.kind !== 'user') return false;
  const m = actor.memberships.get(groupId);
  return m !== undefined && (m.status === 'active' || m.status === 'invited');
}

export function canViewGroup(actor: Actor, g: GroupSubject): boolean {
  if (g.visibility === 'public') return true;
  if (actor.kind !== 'user') return false;
  if (g.visibility === 'members') return true;
  if (isFacilitator(actor)) return true;
  return belongsTo(actor, g.id);
}

/**
 * Taking part (starting threads, replying, filing into the group): verified
 * members of the group, or any verified member of the community in the
 * community-wide space (group null). Facilitators take part everywhere.
 */
export function canTakePart(actor: Actor, group: GroupSubject | null): actor is UserActor {
  if (actor.kind !== 'user' || !actor.emailVerified) return false;
  if (group === null) return true;
  if (group.archived_at || !canViewGroup(actor, group)) return false;
  return isFacilitator(actor) || isActiveMember(actor, group.id);
}

/** A group's stewards: facilitators, and the group's active leads and co-leads. */
export const stewardsGroup = (actor: Actor, groupId: number) => isFacilitator(actor) || isActiveLead(actor, groupId);

/** The groups the actor stewards: every group for facilitators ('all'), else those they lead. */
export const stewardedGroups = (actor: Actor): 'all' | number[] => (isFacilitator(actor) ? 'all' : ledGroupIds(actor));

definePolicy(
  'groups',
  {
    'group.create': (actor) => isFacilitator(actor),
    'group.list_all': (actor) => isFacilitator(actor),
    'group.see_all_member_fields': (actor) => isFacilitator(actor),
    'group.view': canViewGroup,
    'group.join': (actor, g) => {
      if (actor.kind !== 'user' || !actor.emailVerified || g.archived_at || !canViewGroup(actor, g)) return false;
      const m = actor.memberships.get(g.id);
      if (m?.status === 'active') return false;
      return g.join_policy === 'open' || m?.status === 'invited';
    },
    'group.request': (actor, g) => {
      if (actor.kind !== 'user' || !actor.emailVerified || g.archived_at || !canViewGroup(actor, g)) return false;
      return g.join_policy === 'request' && !actor.memberships.has(g.id);
    },
    'group.leave': (actor, g) => actor.kind === 'user' && actor.memberships.has(g.id),
    'group.update': (actor, g) => stewardsGroup(actor, g.id),
    'group.manage_members': (actor, g) => stewardsGroup(actor, g.id),
    'group.review': (actor, g) => stewardsGroup(actor, g.id),
    'group.assign_leads': (actor, g) => isFacilitator(actor) || activeRole(actor, g.id) === 'lead',
  },
  {
    'group.view': 'self',
    'group.join': { action: 'group.view' },
    'group.request': { action: 'group.view' },
    'group.leave': { action: 'group.view' },
    'group.update': { action: 'group.view' },
    'group.manage_members': { action: 'group.view' },
    'group.assign_leads': { action: 'group.view' },
    'group.review': { action: 'group.view' },
  },
);

/** SQL twin of group.view for practice_groups alias g (a test keeps them in step). */
export function groupReadableBy(viewer: Actor): Expression<SqlBool> {
  if (isFacilitator(viewer)) return sql<SqlBool>`true`;
  if (viewer.kind === 'anonymous') return sql<SqlBool>`g.visibility = 'public'`;
  return sql<SqlBool>`(g.visibility IN ('public', 'members')
    OR EXISTS (SELECT 1 FROM group_memberships m WHERE m.group_id = g.id AND m.user_id = ${viewer.id} AND m.status IN ('active', 'invited')))`;
}

/**
 * The reader partition for group-scoped reads (threads, events, the groups
 * themselves): facilitators read everything, visitors public spaces, members
 * public and members-only spaces plus the groups they belong to or are
 * invited to. Actors with the same partition may read exactly the same things.
 */
export function groupReader(actor: Actor): string {
  if (isFacilitator(actor)) return 'all';
  if (actor.kind !== 'user') return 'public';
  const groups = [...actor.memberships.keys()].filter((id) => belongsTo(actor, id)).sort((a, b) => a - b);
  return `m:${groups.join(',')}`;
}
