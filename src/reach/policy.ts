import { isFacilitator, type Actor } from '../platform/auth/actor.js';
import { definePolicy } from '../platform/auth/policy.js';

/**
 * Who may see and export the reach ledger. Which resources a reach figure
 * counts follows the library's own rule (`resourceReadableBy`), so a member's
 * dashboard never counts what they could not open.
 */

declare module '../platform/auth/policy.js' {
  interface PolicySubjects {
    'reach.view': undefined;
    'reach.export': undefined;
    'dissemination.review': undefined;
    /** Act for any organization or state initiative (tracked links, dissemination reports), not only one's own. */
    'reach.act_for_any_partner': undefined;
  }
}

definePolicy('reach', {
  'reach.view': (actor) => actor.kind === 'user',
  'reach.export': (actor) => isFacilitator(actor),
  'dissemination.review': (actor) => isFacilitator(actor),
  'reach.act_for_any_partner': (actor) => isFacilitator(actor),
});

/**
 * Whether a visit counts toward reach: not facilitators checking the library
 * (they would inflate what the community reports to funders). Bots are left
 * out by the ledger itself.
 */
export const visitCountsTowardReach = (viewer: Actor) => !isFacilitator(viewer);
