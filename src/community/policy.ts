import { sql, type SqlBool } from 'kysely';
import { isFacilitator, type Actor } from '../platform/auth/actor.js';
import { definePolicy } from '../platform/auth/policy.js';

/**
 * Who may see people and which of their fields: the rule for one profile,
 * and its SQL twins for the directory (`listableSql`, `fieldVisibleSql`), so
 * a filter on a field never matches someone who hid it. People see all of
 * their own fields; facilitators see everyone's; youth never appear to
 * visitors; hidden and deactivated people appear to no one else.
 */

export interface PersonSubject {
  id: number;
  hidden: boolean;
  is_youth: boolean;
  deactivated_at?: Date | null;
  visibility: Record<string, string>;
}

declare module '../platform/auth/policy.js' {
  interface PolicySubjects {
    'person.view': PersonSubject;
    'person.view_field': { person: PersonSubject; field: string };
  }
}

const selfOrFacilitator = (actor: Actor, p: PersonSubject) => actor.kind === 'user' && (actor.id === p.id || isFacilitator(actor));

function viewPerson(actor: Actor, p: PersonSubject): boolean {
  if (selfOrFacilitator(actor, p)) return true;
  if (p.hidden || p.deactivated_at) return false;
  // Youth profiles are never shown to the public.
  if (p.is_youth && actor.kind !== 'user') return false;
  return true;
}

definePolicy(
  'community',
  {
    'person.view': viewPerson,
    'person.view_field': (actor, { person, field }) => {
      if (!viewPerson(actor, person)) return false;
      if (selfOrFacilitator(actor, person)) return true;
      const level = person.visibility[field] ?? 'members';
      if (level === 'public') return !person.is_youth || actor.kind === 'user';
      if (level === 'members') return actor.kind === 'user';
      return false;
    },
  },
  { 'person.view': 'self', 'person.view_field': { action: 'person.view', subject: (s) => s.person } },
);

/** SQL twin of person.view_field for users alias u: may the viewer see this field of person `u`? */
export function fieldVisibleSql(viewer: Actor, field: string) {
  if (isFacilitator(viewer)) return sql<SqlBool>`true`;
  const level = sql`coalesce(u.visibility->>${field}, 'members')`;
  if (viewer.kind === 'anonymous') return sql<SqlBool>`(${level} = 'public' AND NOT u.is_youth)`;
  return sql<SqlBool>`(u.id = ${viewer.id} OR ${level} IN ('public', 'members'))`;
}

/** SQL: may person `u` appear in a list the viewer sees (person.view, without the self and facilitator exceptions: lists show no hidden people)? */
export function listableSql(viewer: Actor) {
  const base = sql<SqlBool>`(u.deactivated_at IS NULL AND NOT u.hidden)`;
  return viewer.kind === 'anonymous' ? sql<SqlBool>`(${base} AND NOT u.is_youth)` : base;
}
