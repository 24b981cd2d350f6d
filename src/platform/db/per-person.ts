import { CompiledQuery, type QueryResult } from 'kysely';
import type { Db } from './db.js';
import type { Actor, UserActor } from '../auth/actor.js';

/*
 * Statements for one viewer, built with Kysely once per shape
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

// Ids no row has (far above any sequence's reach, below 2^53): the person, and each id argument.
const PROBE_A = 8_100_000_000_000_001;
const PROBE_B = 8_100_000_000_000_002;
const argProbe = (i: number, second: boolean) => 8_200_000_000_000_000 + i * 10 + (second ? 2 : 1);
const PROBE_PREFIXES = ['81000000000000', '82000000000000'];

interface Template {
  sql: string;
  parameters: readonly unknown[];
  /** Positions in `parameters` to fill: with the person's id ('viewer') or the id argument at that index. */
  slots: [number, 'viewer' | number][];
}

function probe(viewer: Actor, second: boolean): Actor {
  if (viewer.kind !== 'user') return viewer;
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
  if (typeof v === 'number' || typeof v === 'bigint') return PROBE_PREFIXES.some((p) => String(v).startsWith(p));
  if (typeof v === 'string') return PROBE_PREFIXES.some((p) => v.includes(p));
  if (Array.isArray(v)) return v.some(mentionsProbe);
  if (typeof v === 'object' && v !== null && !(v instanceof Date)) return Object.values(v).some(mentionsProbe);
  return false;
}

function templateOf<A extends number[]>(db: Db, viewer: Actor, count: number, build: (db: Db, viewer: Actor, ...ids: A) => Buildable<unknown>): Template | null {
  const idsOf = (second: boolean) => Array.from({ length: count }, (_, i) => argProbe(i, second)) as A;
  const a = build(db, probe(viewer, false), ...idsOf(false)).compile(db);
  const b = build(db, probe(viewer, true), ...idsOf(true)).compile(db);
  if (a.sql !== b.sql || a.parameters.length !== b.parameters.length) return null;
  if (mentionsProbe(a.sql) || mentionsProbe(b.sql)) return null;
  const slots: Template['slots'] = [];
  for (let i = 0; i < a.parameters.length; i++) {
    const pa = a.parameters[i];
    const pb = b.parameters[i];
    if (viewer.kind === 'user' && pa === PROBE_A && pb === PROBE_B) {
      slots.push([i, 'viewer']);
      continue;
    }
    const arg = Array.from({ length: count }, (_, j) => j).find((j) => pa === argProbe(j, false) && pb === argProbe(j, true));
    if (arg !== undefined) slots.push([i, arg]);
    else if (!same(pa, pb) || mentionsProbe(pa) || mentionsProbe(pb)) return null;
  }
  return { sql: a.sql, parameters: a.parameters, slots };
}

/** Who a statement's text may differ for: visitors, and each role. */
export type ShapeClass = 'anonymous' | UserActor['role'];
const classOf = (viewer: Actor): ShapeClass => (viewer.kind === 'user' ? viewer.role : 'anonymous');

export interface ShapedStatement<R, A extends number[]> {
  execute(db: Db, viewer: Actor, ...ids: A): Promise<QueryResult<R>>;
  /** Whether the statement for this class of viewer is kept as text (tests). */
  kept(cls: ShapeClass): boolean | undefined;
}

/**
 * `perPersonStatement` for statements about a viewer (a visitor or a person)
 * and some rows named by id (a thread, a group): the ids are parameters
 * filled in like the person's, and the same two-build check applies to them.
 * The build may pass the ids on as values only: it must never branch on them
 * or compare them with anything (the check cannot see a branch both made-up
 * ids take alike).
 */
export function shapedStatement<R, A extends number[] = []>(build: (db: Db, viewer: Actor, ...ids: A) => Buildable<R>): ShapedStatement<R, A> {
  const templates = new Map<ShapeClass, Template | null>();
  return {
    async execute(db, viewer, ...ids) {
      const cls = classOf(viewer);
      let t = templates.get(cls);
      if (t === undefined) {
        t = templateOf(db, viewer, ids.length, build);
        templates.set(cls, t);
      }
      if (!t) return db.executeQuery(build(db, viewer, ...ids).compile(db));
      const parameters = t.parameters.slice();
      for (const [i, from] of t.slots) parameters[i] = from === 'viewer' ? viewer.id : ids[from];
      return db.executeQuery(CompiledQuery.raw(t.sql, parameters)) as Promise<QueryResult<R>>;
    },
    kept: (cls) => (templates.has(cls) ? templates.get(cls) !== null : undefined),
  };
}

export function perPersonStatement<R>(build: (db: Db, viewer: UserActor) => Buildable<R>): PerPersonStatement<R> {
  const s = shapedStatement<R>((db, viewer) => build(db, viewer as UserActor));
  return { execute: (db, viewer) => s.execute(db, viewer), kept: (role) => s.kept(role) };
}
