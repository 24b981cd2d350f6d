import { isFacilitator } from '../platform/auth/actor.js';
import { definePolicy } from '../platform/auth/policy.js';

/**
 * Who may read and shape the glossary: published terms are everyone's;
 * verified members suggest terms, which facilitators review (their own
 * suggestions are published at once) and edit.
 */

export interface TermSubject {
  status: string;
  suggested_by: number | null;
}

declare module '../platform/auth/policy.js' {
  interface PolicySubjects {
    'term.view': TermSubject;
    'term.suggest': undefined;
    /** Edit any term, publish or reject suggestions, and publish one's own terms without review. */
    'glossary.review': undefined;
  }
}

definePolicy(
  'glossary',
  {
    'term.view': (actor, t) => t.status === 'published' || isFacilitator(actor) || (actor.kind === 'user' && t.suggested_by === actor.id),
    'term.suggest': (actor) => actor.kind === 'user' && actor.emailVerified,
    'glossary.review': (actor) => isFacilitator(actor),
  },
  { 'term.view': 'self' },
);
