import { AppError } from '../http/errors.js';
import { isActiveLead, isAdmin, isFacilitator, ledGroupIds, type Actor, type UserActor } from './actor.js';

/**
 * The one place that decides every permission. Rules are grouped by subject;
 * an action without a rule is denied (the switch is exhaustive, and `can`
 * returns false for anything it does not know). Views receive the answers
 * as a `can` map, never the rules.
 */

export interface GroupSubject {
  id: number;
  visibility: 'public' | 'members' | 'private';
  join_policy: 'open' | 'request' | 'invite';
  archived_at?: Date | null;
}

export interface PersonSubject {
  id: number;
  hidden: boolean;
  is_youth: boolean;
  deactivated_at?: Date | null;
  visibility: Record<string, string>;
}

/** Where a thread lives: a practice group, or the community-wide space (group null). */
export interface ThreadSubject {
  group: GroupSubject | null;
  locked?: boolean;
  closed?: boolean;
  deleted_at?: Date | null;
}

export interface PostSubject {
  author_id: number | null;
  thread: ThreadSubject;
  deleted_at?: Date | null;
}

/** A library resource: who may see it follows its visibility. */
export interface ResourceSubject {
  visibility: 'public' | 'members' | 'group';
  group_id: number | null;
  created_by: number | null;
  deleted_at?: Date | null;
}

interface Subjects {
  'resource.view': ResourceSubject;
  'resource.create': undefined;
  'resource.update': ResourceSubject;
  'resource.review': ResourceSubject;
  'resource.use_report': ResourceSubject;
  'dissemination.review': undefined;
  'reach.view': undefined;
  'reach.export': undefined;
  'collection.manage': { group_id: number | null };
  'thread.view': ThreadSubject;
  'thread.create': { group: GroupSubject | null };
  'thread.moderate': ThreadSubject;
  'guide.create': { group: GroupSubject | null };
  'post.create': ThreadSubject;
  'post.edit': PostSubject;
  'post.delete': PostSubject;
  'post.history': PostSubject;
  'post.react': PostSubject;
  'post.flag': PostSubject;
  'post.hide': PostSubject;
  'moderation.queue': undefined;
  'admin.access': undefined;
  'community.update': undefined;
  'organization.manage': undefined;
  'state.manage': undefined;
  'person.manage': undefined;
  'person.setRole': undefined;
  'group.create': undefined;
  'group.list_all': undefined;
  'group.view': GroupSubject;
  'group.join': GroupSubject;
  'group.request': GroupSubject;
  'group.leave': GroupSubject;
  'group.update': GroupSubject;
  'group.manage_members': GroupSubject;
  'group.assign_leads': GroupSubject;
  'person.view': PersonSubject;
  'person.view_field': { person: PersonSubject; field: string };
  'person.update': PersonSubject;
  'tokens.manage': undefined;
}

export type Action = keyof Subjects;

function activeRole(actor: UserActor, groupId: number) {
  const m = actor.memberships.get(groupId);
  return m && m.status === 'active' ? m.role : undefined;
}

function canViewGroup(actor: Actor, g: GroupSubject): boolean {
  if (g.visibility === 'public') return true;
  if (actor.kind !== 'user') return false;
  if (g.visibility === 'members') return true;
  if (isFacilitator(actor)) return true;
  const m = actor.memberships.get(g.id);
  // Someone invited to a private group sees it so they can accept.
  return m !== undefined && (m.status === 'active' || m.status === 'invited');
}

/**
 * Taking part (starting threads, replying): verified members of the group, or
 * any verified member of the community in the community-wide space.
 */
function canTakePart(actor: Actor, group: GroupSubject | null): boolean {
  if (actor.kind !== 'user' || !actor.emailVerified) return false;
  if (group === null) return true;
  if (group.archived_at || !canViewGroup(actor, group)) return false;
  return isFacilitator(actor) || activeRole(actor, group.id) !== undefined;
}

function canViewPerson(actor: Actor, p: PersonSubject): boolean {
  if (actor.kind === 'user' && (actor.id === p.id || isFacilitator(actor))) return true;
  if (p.hidden || p.deactivated_at) return false;
  // Youth profiles are never shown to the public.
  if (p.is_youth && actor.kind !== 'user') return false;
  return true;
}

function canViewField(actor: Actor, p: PersonSubject, field: string): boolean {
  if (!canViewPerson(actor, p)) return false;
  if (actor.kind === 'user' && (actor.id === p.id || isFacilitator(actor))) return true;
  const level = p.visibility[field] ?? 'members';
  if (level === 'public') return !p.is_youth || actor.kind === 'user';
  if (level === 'members') return actor.kind === 'user';
  return false;
}

/** True when `actor` may do `action` to `subject`. */
export function can<A extends Action>(actor: Actor, action: A, subject: Subjects[A]): boolean {
  switch (action as Action) {
    case 'admin.access':
    case 'community.update':
    case 'organization.manage':
    case 'state.manage':
    case 'person.manage':
    case 'group.create':
    case 'group.list_all':
      return isFacilitator(actor);
    case 'person.setRole':
      return isAdmin(actor);
    case 'tokens.manage':
      return actor.kind === 'user';
    case 'thread.view': {
      const th = subject as ThreadSubject;
      if (th.deleted_at && !isFacilitator(actor)) return false;
      return th.group === null || canViewGroup(actor, th.group);
    }
    case 'thread.create':
      return canTakePart(actor, (subject as { group: GroupSubject | null }).group);
    case 'thread.moderate': {
      const th = subject as ThreadSubject;
      return isFacilitator(actor) || (th.group !== null && isActiveLead(actor, th.group.id));
    }
    case 'resource.view': {
      const r = subject as ResourceSubject;
      if (r.deleted_at && !isFacilitator(actor)) return false;
      if (r.visibility === 'public') return true;
      if (actor.kind !== 'user') return false;
      if (r.visibility === 'members' || isFacilitator(actor) || r.created_by === actor.id) return true;
      return r.group_id !== null && activeRole(actor, r.group_id) !== undefined;
    }
    case 'resource.create':
      // Any verified member may contribute; facilitators review what arrives.
      return actor.kind === 'user' && actor.emailVerified;
    case 'resource.update': {
      const r = subject as ResourceSubject;
      if (!can(actor, 'resource.view', r) || actor.kind !== 'user') return false;
      return isFacilitator(actor) || r.created_by === actor.id || (r.group_id !== null && isActiveLead(actor, r.group_id));
    }
    case 'resource.review':
      return isFacilitator(actor) && can(actor, 'resource.view', subject as ResourceSubject);
    case 'resource.use_report': {
      const r = subject as ResourceSubject;
      return !r.deleted_at && can(actor, 'resource.view', r);
    }
    case 'dissemination.review':
    case 'reach.export':
      return isFacilitator(actor);
    case 'reach.view':
      return actor.kind === 'user';
    case 'collection.manage': {
      const g = (subject as { group_id: number | null }).group_id;
      return isFacilitator(actor) || (g !== null && isActiveLead(actor, g));
    }
    case 'guide.create': {
      // Dialogue Guides are facilitated: facilitators anywhere, leads in their own group.
      const g = (subject as { group: GroupSubject | null }).group;
      return canTakePart(actor, g) && (isFacilitator(actor) || (g !== null && isActiveLead(actor, g.id)));
    }
    case 'post.create': {
      const th = subject as ThreadSubject;
      if (th.deleted_at || th.closed || !canTakePart(actor, th.group)) return false;
      // A locked thread takes replies only from its moderators.
      return !th.locked || can(actor, 'thread.moderate', th);
    }
    case 'post.edit': {
      const p = subject as PostSubject;
      if (p.deleted_at || !can(actor, 'thread.view', p.thread)) return false;
      return (actor.kind === 'user' && p.author_id === actor.id && !p.thread.locked) || can(actor, 'thread.moderate', p.thread);
    }
    case 'post.delete': {
      const p = subject as PostSubject;
      if (p.deleted_at || !can(actor, 'thread.view', p.thread)) return false;
      return (actor.kind === 'user' && p.author_id === actor.id) || can(actor, 'thread.moderate', p.thread);
    }
    case 'post.history': {
      // Earlier versions can hold what an edit took out: the author and the moderators only.
      const p = subject as PostSubject;
      if (p.deleted_at || !can(actor, 'thread.view', p.thread)) return false;
      return (actor.kind === 'user' && p.author_id === actor.id) || can(actor, 'thread.moderate', p.thread);
    }
    case 'post.flag': {
      const p = subject as PostSubject;
      return actor.kind === 'user' && !p.deleted_at && p.author_id !== actor.id && can(actor, 'thread.view', p.thread);
    }
    case 'post.hide': {
      const p = subject as PostSubject;
      return !p.deleted_at && can(actor, 'thread.moderate', p.thread);
    }
    case 'moderation.queue':
      return isFacilitator(actor) || ledGroupIds(actor).length > 0;
    case 'post.react': {
      const p = subject as PostSubject;
      return actor.kind === 'user' && actor.emailVerified && !p.deleted_at && p.author_id !== actor.id && can(actor, 'thread.view', p.thread);
    }
    case 'group.view':
      return canViewGroup(actor, subject as GroupSubject);
    case 'group.join': {
      const g = subject as GroupSubject;
      if (actor.kind !== 'user' || !actor.emailVerified || g.archived_at || !canViewGroup(actor, g)) return false;
      const m = actor.memberships.get(g.id);
      if (m?.status === 'active') return false;
      return g.join_policy === 'open' || m?.status === 'invited';
    }
    case 'group.request': {
      const g = subject as GroupSubject;
      if (actor.kind !== 'user' || !actor.emailVerified || g.archived_at || !canViewGroup(actor, g)) return false;
      return g.join_policy === 'request' && !actor.memberships.has(g.id);
    }
    case 'group.leave': {
      const g = subject as GroupSubject;
      return actor.kind === 'user' && actor.memberships.has(g.id);
    }
    case 'group.update':
    case 'group.manage_members':
      return isFacilitator(actor) || isActiveLead(actor, (subject as GroupSubject).id);
    case 'group.assign_leads': {
      const g = subject as GroupSubject;
      return isFacilitator(actor) || (actor.kind === 'user' && activeRole(actor, g.id) === 'lead');
    }
    case 'person.view':
      return canViewPerson(actor, subject as PersonSubject);
    case 'person.view_field': {
      const s = subject as { person: PersonSubject; field: string };
      return canViewField(actor, s.person, s.field);
    }
    case 'person.update': {
      const p = subject as PersonSubject;
      return actor.kind === 'user' && (actor.id === p.id || isAdmin(actor));
    }
    default:
      return false;
  }
}

/** The read each write implies: a denied read answers 404, not 403. */
const READ_OF: Partial<Record<Action, Action>> = {
  'group.join': 'group.view',
  'group.request': 'group.view',
  'group.leave': 'group.view',
  'group.update': 'group.view',
  'group.manage_members': 'group.view',
  'group.assign_leads': 'group.view',
  'person.update': 'person.view',
  'thread.moderate': 'thread.view',
  'resource.update': 'resource.view',
  'resource.review': 'resource.view',
  'resource.use_report': 'resource.view',
  'post.create': 'thread.view',
  'post.edit': 'thread.view',
  'post.delete': 'thread.view',
  'post.history': 'thread.view',
  'post.react': 'thread.view',
  'post.flag': 'thread.view',
  'post.hide': 'thread.view',
};

/**
 * Throws unless `actor` may do `action`. A thing the actor may not even see
 * answers 404 so its existence is not revealed; an anonymous actor denied a
 * write is asked to sign in (401); anyone else gets 403.
 */
export function authorize<A extends Action>(actor: Actor, action: A, subject: Subjects[A]): void {
  if (can(actor, action, subject)) return;
  const read = READ_OF[action];
  const readSubject = action.startsWith('post.') && action !== 'post.create' ? (subject as PostSubject).thread : subject;
  if (action === 'group.view' || action === 'person.view' || action === 'thread.view' || action === 'resource.view' || (read && !can(actor, read, readSubject as never))) {
    throw new AppError('not_found');
  }
  if (actor.kind === 'anonymous') throw new AppError('unauthenticated');
  throw new AppError('forbidden');
}

/** Keeps the subjects of a list that the actor may do `action` to (batch check for lists). */
export function filterAllowed<A extends Action, S extends Subjects[A]>(actor: Actor, action: A, subjects: S[]): S[] {
  return subjects.filter((s) => can(actor, action, s));
}
