import { sql, type Expression, type SqlBool } from 'kysely';
import { isFacilitator, type Actor } from '../platform/auth/actor.js';
import { definePolicy } from '../platform/auth/policy.js';
import { isActiveMember, stewardsGroup } from '../groups/policy.js';

/**
 * Who may see and change library resources and collections: the rule for one
 * resource, the SQL filter for lists, search and reach (`resourceReadableBy`),
 * and the reader partition shared caches use (`resourceReader`).
 */

/** A library resource: who may see it follows its visibility. */
export interface ResourceSubject {
  visibility: 'public' | 'members' | 'group';
  group_id: number | null;
  created_by: number | null;
  deleted_at?: Date | null;
}

declare module '../platform/auth/policy.js' {
  interface PolicySubjects {
    'resource.view': ResourceSubject;
    'resource.create': undefined;
    'resource.update': ResourceSubject;
    'resource.review': ResourceSubject;
    /** Set a review status directly (others' changes go back to review). */
    'resource.set_review_status': undefined;
    /** Limit a resource to this group (its members, or a facilitator). */
    'resource.file_in_group': { group_id: number };
    'resource.use_report': ResourceSubject;
    'collection.manage': { group_id: number | null };
  }
}

const viewResource = (actor: Actor, r: ResourceSubject) => {
  if (r.deleted_at && !isFacilitator(actor)) return false;
  if (r.visibility === 'public') return true;
  if (actor.kind !== 'user') return false;
  if (r.visibility === 'members' || isFacilitator(actor) || r.created_by === actor.id) return true;
  return r.group_id !== null && isActiveMember(actor, r.group_id);
};

definePolicy(
  'resources',
  {
    'resource.view': viewResource,
    // Any verified member may contribute; facilitators review what arrives.
    'resource.create': (actor) => actor.kind === 'user' && actor.emailVerified,
    'resource.update': (actor, r) => {
      if (!viewResource(actor, r) || actor.kind !== 'user') return false;
      return r.created_by === actor.id || isFacilitator(actor) || (r.group_id !== null && stewardsGroup(actor, r.group_id));
    },
    'resource.review': (actor, r) => isFacilitator(actor) && viewResource(actor, r),
    'resource.set_review_status': (actor) => isFacilitator(actor),
    'resource.file_in_group': (actor, s) => isFacilitator(actor) || isActiveMember(actor, s.group_id),
    'resource.use_report': (actor, r) => !r.deleted_at && viewResource(actor, r),
    'collection.manage': (actor, s) => (s.group_id === null ? isFacilitator(actor) : stewardsGroup(actor, s.group_id)),
  },
  {
    'resource.view': 'self',
    'resource.update': { action: 'resource.view' },
    'resource.review': { action: 'resource.view' },
    'resource.use_report': { action: 'resource.view' },
  },
);

/** SQL twin of resource.view for resource alias r (`policy-agreement.test.ts` keeps them in step). */
export function resourceReadableBy(viewer: Actor): Expression<SqlBool> {
  if (isFacilitator(viewer)) return sql<SqlBool>`true`;
  if (viewer.kind === 'anonymous') return sql<SqlBool>`(r.deleted_at IS NULL AND r.visibility = 'public')`;
  return sql<SqlBool>`(r.deleted_at IS NULL AND (r.visibility IN ('public','members') OR r.created_by = ${viewer.id}
    OR EXISTS (SELECT 1 FROM group_memberships m WHERE m.group_id = r.group_id AND m.user_id = ${viewer.id} AND m.status = 'active')))`;
}

/** Who reads which resources: members also read what they added themselves, so a member's partition is personal. */
export function resourceReader(actor: Actor): string {
  if (isFacilitator(actor)) return 'all';
  return actor.kind === 'user' ? `u${actor.id}` : 'public';
}
