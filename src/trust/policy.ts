import { isAdmin, isFacilitator } from '../platform/auth/actor.js';
import { definePolicy } from '../platform/auth/policy.js';

/**
 * Trust and safety administration: facilitators answer what people send
 * through the contact form; admins set how long personal data is kept.
 * (Everything else here acts only on one's own account.)
 */

declare module '../platform/auth/policy.js' {
  interface PolicySubjects {
    'contact.review': undefined;
    'retention.manage': undefined;
  }
}

definePolicy('trust', {
  'contact.review': (actor) => isFacilitator(actor),
  'retention.manage': (actor) => isAdmin(actor),
});
