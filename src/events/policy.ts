import { sql, type Expression, type SqlBool } from 'kysely';
import { isActiveLead, isFacilitator, type Actor } from '../platform/auth/actor.js';
import { definePolicy } from '../platform/auth/policy.js';
import { canViewGroup, groupReader, type GroupSubject } from '../groups/policy.js';

/**
 * Who may see and organize convenings: the rule for one event, the SQL
 * filter for lists and calendars (`eventReadableBy`), and the reader
 * partition shared caches use (`eventReader`).
 */

/** A convening: its group (null for community and state events), its state, its creator. */
export interface EventSubject {
  group: GroupSubject | null;
  state_code: string | null;
  created_by: number | null;
}

declare module '../platform/auth/policy.js' {
  interface PolicySubjects {
    'event.view': EventSubject;
    /**
     * Change, cancel, take attendance and see registrations. `stateContact`:
     * the actor is a contact of the event's state initiative (a fact the
     * caller looks up, see `canOrganize`).
     */
    'event.organize': EventSubject & { stateContact: boolean };
    /** Create events for the whole community, and for any group or state. */
    'event.organize_anywhere': undefined;
  }
}

const viewEvent = (actor: Actor, e: EventSubject) => e.group === null || canViewGroup(actor, e.group);

definePolicy(
  'events',
  {
    'event.view': viewEvent,
    'event.organize': (actor, e) => {
      if (actor.kind !== 'user' || !viewEvent(actor, e)) return false;
      if (isFacilitator(actor) || e.created_by === actor.id) return true;
      if (e.group) return isActiveLead(actor, e.group.id);
      return e.state_code !== null && e.stateContact;
    },
    'event.organize_anywhere': (actor) => isFacilitator(actor),
  },
  {
    'event.view': 'self',
    'event.organize': { action: 'event.view' },
  },
);

/** SQL twin of event.view for events alias e, group alias g (`policy-agreement.test.ts` keeps them in step). */
export function eventReadableBy(viewer: Actor): Expression<SqlBool> {
  if (isFacilitator(viewer)) return sql<SqlBool>`true`;
  if (viewer.kind === 'anonymous') return sql<SqlBool>`(e.group_id IS NULL OR g.visibility = 'public')`;
  return sql<SqlBool>`(e.group_id IS NULL OR g.visibility IN ('public', 'members')
    OR EXISTS (SELECT 1 FROM group_memberships m WHERE m.group_id = e.group_id AND m.user_id = ${viewer.id} AND m.status IN ('active', 'invited')))`;
}

/** Who reads which events: the group partition. */
export const eventReader = groupReader;
