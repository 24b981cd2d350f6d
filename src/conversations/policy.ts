import { isFacilitator, type Actor } from '../platform/auth/actor.js';
import { definePolicy } from '../platform/auth/policy.js';

/** What the conversation rules need to know about one. */
export interface ConversationSubject {
  /** People in it now (those who left are not). */
  memberIds: number[];
  involves_youth: boolean;
}

declare module '../platform/auth/policy.js' {
  interface PolicySubjects {
    'conversation.start': undefined;
    'conversation.view': ConversationSubject;
    'conversation.write': ConversationSubject;
    /** Facilitators: conversations involving a youth member, and reported messages. */
    'conversation.oversee': undefined;
  }
}

const member = (actor: Actor, c: ConversationSubject) => actor.kind === 'user' && c.memberIds.includes(actor.id);

definePolicy(
  'conversations',
  {
    'conversation.start': (actor) => actor.kind === 'user' && actor.emailVerified,
    // Its members; and the facilitators when a youth member is in it (the youth safeguard).
    'conversation.view': (actor, c) => member(actor, c) || (c.involves_youth && isFacilitator(actor)),
    'conversation.write': (actor, c) => member(actor, c) && actor.kind === 'user' && actor.emailVerified,
    'conversation.oversee': (actor) => isFacilitator(actor),
  },
  { 'conversation.write': { action: 'conversation.view' } },
);
