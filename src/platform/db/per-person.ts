import { CompiledQuery, type QueryResult } from 'kysely';
import type { Db } from './db.js';
import type { UserActor } from '../auth/actor.js';

/**
 * A statement for one signed-in person, built with Kysely once per shape
 * instead of on every request.
 *
 * The home's lists are one statement of about thirty subqueries; building it
 * (Kysely's builders, its visitors, freezing every node) took about a tenth of
 * the server's time on the realistic home benchmark, more than PostgreSQL
 * spent running it. For most such statements the text is the same for every
 * person of one role, and the person enters only as a parameter: their id.
 *
 * That is checked, not assumed. The first time a role asks, the statement is
 * built for two made-up people of that role who differ in everything else an
 * actor carries (id, memberships, youth, language, time zone, two-factor,
 * unread count). Only when both builds give the same text, and the same
 * parameters except the ids at the same places, is the text kept, with those
 * places to fill in. Anything else (a parameter taken from the memberships,
 * a time taken when building, an id inside an array) makes the statement
 * one that is built afresh for every request, as before: never a statement
 * meant for someone else.
 *
 * `build` must depend on the person alone. Anything else it reads (a page
 * number, a view) is frozen into the kept text, so such values belong in
 * what picks the statement: one `perPersonStatement` per value, as the first
 * pages of Latest, New and Unread do (one per view).
 */
/** A query builder or an sql`` template (compiled against the database's dialect). */
export interface Buildable<R> {
  compile(db: Db): CompiledQuery<R>;
}

export interface PerPersonStatement<R> {
  execute(db: Db, viewer: UserActor): Promise<QueryResult<R>>;
  /** Whether the statement for this role is kept as text (tests). */
  kept(role: UserActor['role']): boolean | undefined;
}

// Two ids no account has (far above any sequence's reach, below 2^53).
const PROBE_A = 8_100_000_000_000_001;
const PROBE_B = 8_100_000_000_000_002;

interface Template {
  sql: string;
  parameters: readonly unknown[];
  /** Positions in `parameters` that are the person's id. */
  ids: number[];
}

function probe(viewer: UserActor, second: boolean): UserActor {
  return {
    kind: 'user',
    id: second ? PROBE_B : PROBE_A,
    name: second ? 'probe b' : 'probe a',
    email: second ? 'b@probe.invalid' : 'a@probe.invalid',
    emailVerified: second,
    role: viewer.role,
    isYouth: second,
    locale: second ? 'es' : 'en',
    timeZone: second ? 'America/Chicago' : null,
    memberships: second ? new Map([[PROBE_B, { role: 'member', status: 'active' }]]) : new Map(),
    twoFactor: second,
    via: viewer.via,
    unreadNotifications: second ? 3 : undefined,
  };
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date || b instanceof Date) return false;
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

function mentionsProbe(v: unknown): boolean {
  if (v === PROBE_A || v === PROBE_B || v === String(PROBE_A) || v === String(PROBE_B)) return true;
  if (typeof v === 'string') return v.includes(String(PROBE_A)) || v.includes(String(PROBE_B));
  if (Array.isArray(v)) return v.some(mentionsProbe);
  if (typeof v === 'object' && v !== null && !(v instanceof Date)) return Object.values(v).some(mentionsProbe);
  return false;
}

function templateOf(db: Db, viewer: UserActor, build: (db: Db, viewer: UserActor) => Buildable<unknown>): Template | null {
  const a = build(db, probe(viewer, false)).compile(db);
  const b = build(db, probe(viewer, true)).compile(db);
  if (a.sql !== b.sql || a.parameters.length !== b.parameters.length) return null;
  if (a.sql.includes(String(PROBE_A)) || a.sql.includes(String(PROBE_B))) return null;
  const ids: number[] = [];
  for (let i = 0; i < a.parameters.length; i++) {
    const pa = a.parameters[i];
    const pb = b.parameters[i];
    if (pa === PROBE_A && pb === PROBE_B) ids.push(i);
    else if (!same(pa, pb) || mentionsProbe(pa) || mentionsProbe(pb)) return null;
  }
  return { sql: a.sql, parameters: a.parameters, ids };
}

export function perPersonStatement<R>(build: (db: Db, viewer: UserActor) => Buildable<R>): PerPersonStatement<R> {
  const templates = new Map<UserActor['role'], Template | null>();
  return {
    async execute(db, viewer) {
      let t = templates.get(viewer.role);
      if (t === undefined) {
        t = templateOf(db, viewer, build);
        templates.set(viewer.role, t);
      }
      if (!t) return db.executeQuery(build(db, viewer).compile(db));
      const parameters = t.parameters.slice();
      for (const i of t.ids) parameters[i] = viewer.id;
      return db.executeQuery(CompiledQuery.raw(t.sql, parameters)) as Promise<QueryResult<R>>;
    },
    kept: (role) => (templates.has(role) ? templates.get(role) !== null : undefined),
  };
}
