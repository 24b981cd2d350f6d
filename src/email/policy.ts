import { definePolicy } from '../platform/auth/policy.js';
import { isActiveMember } from '../groups/policy.js';

/**
 * Taking part by email. A message held from email is its author's alone
 * (anyone else is told it does not exist); mailing-list mode is for groups
 * one is an active member of (each email is checked again when sent).
 * Posting by email is ruled by the discussions policy, like any post.
 */

declare module '../platform/auth/policy.js' {
  interface PolicySubjects {
    /** Review, publish or throw away a message held from email. */
    'email.held': { user_id: number };
    /** Receive every post of a group by email. */
    'email.list': { group_id: number };
  }
}

definePolicy(
  'email',
  {
    'email.held': (actor, h) => actor.kind === 'user' && actor.id === h.user_id,
    'email.list': (actor, g) => isActiveMember(actor, g.group_id),
  },
  { 'email.held': 'self' },
);
