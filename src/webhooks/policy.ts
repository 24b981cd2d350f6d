import { isAdmin, isFacilitator } from '../platform/auth/actor.js';
import { definePolicy } from '../platform/auth/policy.js';

/**
 * Webhooks: facilitators and admins register endpoints and see their own;
 * admins see every endpoint and alone may let one carry private groups'
 * content or reach addresses on private networks. What each delivery may
 * carry is decided by the owner's own read access (deliver.ts).
 */

declare module '../platform/auth/policy.js' {
  interface PolicySubjects {
    'webhook.create': undefined;
    'webhook.manage': { owner_id: number };
    /** Let an endpoint carry private groups' content, or reach a private network. */
    'webhook.allow_private': undefined;
  }
}

definePolicy(
  'webhooks',
  {
    'webhook.create': (actor) => isFacilitator(actor),
    'webhook.manage': (actor, e) => isAdmin(actor) || (isFacilitator(actor) && actor.id === e.owner_id),
    'webhook.allow_private': (actor) => isAdmin(actor),
  },
  { 'webhook.manage': 'self' },
);
