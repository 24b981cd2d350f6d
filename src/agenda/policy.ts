import { isFacilitator } from '../platform/auth/actor.js';
import { definePolicy } from '../platform/auth/policy.js';
import { isActiveMember, stewardsGroup } from '../groups/policy.js';

/**
 * Who may shape the shared agenda. Everyone may read it (it is the
 * partnership's public plan); facilitators write items, milestones and links;
 * a group's leads tie their group's priorities to it; members of an owner
 * organization post progress updates.
 */

declare module '../platform/auth/policy.js' {
  interface PolicySubjects {
    /** Create and edit agenda items, milestones and linked work. */
    'agenda.manage': undefined;
    /** Tie one of this group's numbered priorities to an item. */
    'agenda.link_priority': { group_id: number };
    /** `ownerMember`: the actor belongs to one of the item's owner organizations (the caller looks it up). */
    'agenda.post_update': { ownerMember: boolean };
    /** Name a group's priority on an agenda item (others see only how many are hidden). */
    'agenda.see_priority': { group_id: number; visibility: 'public' | 'members' | 'private' };
  }
}

definePolicy('agenda', {
  'agenda.manage': (actor) => isFacilitator(actor),
  'agenda.link_priority': (actor, s) => stewardsGroup(actor, s.group_id),
  'agenda.post_update': (actor, s) => isFacilitator(actor) || (actor.kind === 'user' && actor.emailVerified && s.ownerMember),
  'agenda.see_priority': (actor, p) =>
    p.visibility === 'public' || (actor.kind === 'user' && (p.visibility === 'members' || isFacilitator(actor) || isActiveMember(actor, p.group_id))),
});
