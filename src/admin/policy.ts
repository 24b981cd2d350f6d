import { isAdmin, isFacilitator } from '../platform/auth/actor.js';
import { definePolicy } from '../platform/auth/policy.js';

/**
 * Running the community: facilitators keep its settings, organizations,
 * state initiatives and people; only admins change roles and sign-in
 * providers.
 */

declare module '../platform/auth/policy.js' {
  interface PolicySubjects {
    'admin.access': undefined;
    'community.update': undefined;
    'organization.manage': undefined;
    'state.manage': undefined;
    'person.manage': undefined;
    'person.setRole': undefined;
    'identity_providers.manage': undefined;
    /** Create member accounts in bulk from a CSV (never youth accounts). */
    'members.import': undefined;
  }
}

definePolicy('admin', {
  'admin.access': (actor) => isFacilitator(actor),
  'community.update': (actor) => isFacilitator(actor),
  'organization.manage': (actor) => isFacilitator(actor),
  'state.manage': (actor) => isFacilitator(actor),
  'person.manage': (actor) => isFacilitator(actor),
  'person.setRole': (actor) => isAdmin(actor),
  'identity_providers.manage': (actor) => isAdmin(actor),
  'members.import': (actor) => isFacilitator(actor),
});
