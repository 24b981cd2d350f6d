import { isFacilitator, ledGroupIds } from '../platform/auth/actor.js';
import { definePolicy } from '../platform/auth/policy.js';
import { isActiveMember, stewardsGroup } from '../groups/policy.js';

/**
 * Who may see engagement analytics: facilitators for the whole community and
 * every group; leads and co-leads for the groups they lead.
 */

declare module '../platform/auth/policy.js' {
  interface PolicySubjects {
    'analytics.view': undefined;
    'analytics.community': undefined;
    'analytics.group': { group_id: number };
    /** Name the people in a group's breakdown (the group's own members, or facilitators). */
    'analytics.group_detail': { group_id: number };
  }
}

definePolicy('analytics', {
  'analytics.view': (actor) => isFacilitator(actor) || ledGroupIds(actor).length > 0,
  'analytics.community': (actor) => isFacilitator(actor),
  'analytics.group': (actor, s) => stewardsGroup(actor, s.group_id),
  'analytics.group_detail': (actor, s) => isFacilitator(actor) || isActiveMember(actor, s.group_id),
});
