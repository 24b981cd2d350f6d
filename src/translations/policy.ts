import { isFacilitator, type Actor } from '../platform/auth/actor.js';
import { can, definePolicy } from '../platform/auth/policy.js';
import { canTakePart } from '../groups/policy.js';
import type { PostSubject } from '../discussions/policy.js';
import type { ResourceSubject } from '../resources/policy.js';

/**
 * Who may ask for and write members' translations of posts and resources,
 * and who sees the list of the community's own text that lacks a language.
 * Reading a translation follows reading its original: the thread's or the
 * resource's own rule, applied wherever a translation is shown or searched.
 */

declare module '../platform/auth/policy.js' {
  interface PolicySubjects {
    /** Ask for a post in the other language. */
    'post.request_translation': PostSubject & { hidden?: boolean };
    /** Write or correct a post's translation: whoever may take part where it was posted. */
    'post.translate': PostSubject & { hidden?: boolean };
    'resource.request_translation': ResourceSubject;
    /** Write or correct a resource's title and summary in the other language. */
    'resource.translate': ResourceSubject;
    /** The list of what the community wrote for everyone in one language only. */
    'translation.needed': undefined;
  }
}

const member = (actor: Actor) => actor.kind === 'user' && actor.emailVerified;
const readablePost = (actor: Actor, p: PostSubject & { hidden?: boolean }) => !p.deleted_at && !p.hidden && can(actor, 'thread.view', p.thread);

definePolicy(
  'translations',
  {
    'post.request_translation': (actor, p) => member(actor) && readablePost(actor, p),
    'post.translate': (actor, p) => readablePost(actor, p) && !p.thread.deleted_at && canTakePart(actor, p.thread.group),
    'resource.request_translation': (actor, r) => member(actor) && !r.deleted_at && can(actor, 'resource.view', r),
    'resource.translate': (actor, r) => member(actor) && !r.deleted_at && can(actor, 'resource.view', r),
    'translation.needed': (actor) => isFacilitator(actor),
  },
  {
    'post.request_translation': { action: 'thread.view', subject: (p) => p.thread },
    'post.translate': { action: 'thread.view', subject: (p) => p.thread },
    'resource.request_translation': { action: 'resource.view' },
    'resource.translate': { action: 'resource.view' },
  },
);
