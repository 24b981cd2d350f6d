import { AppError } from '../http/errors.js';
import type { Actor } from './actor.js';

/**
 * The policy registry: `can()` and `authorize()` and the 401/403/404 mapping.
 * The rules themselves live with the capability they protect, one
 * `policy.ts` per capability (`src/<capability>/policy.ts`), which owns each
 * rule in all its encodings: the TypeScript rule for one subject (registered
 * here with `definePolicy`), the SQL filter for lists and search, and the
 * reader partition for shared caches. `src/policies.ts` loads every one of
 * them; an action without a registered rule is an error, never an allow.
 *
 * Capabilities name their actions and subjects by adding to this interface
 * (declaration merging), so `can(actor, 'thread.view', subject)` is checked
 * against the subject the thread policy expects.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PolicySubjects {}

export type Action = keyof PolicySubjects;
export type Rule<S> = (actor: Actor, subject: S) => boolean;

/**
 * What a denied action reveals. `'self'`: the action is itself a read, so a
 * denial answers 404 (the thing does not exist for this actor). An action
 * with a read `{ action, subject }`: when that read is denied too, 404;
 * otherwise 401 for a visitor and 403 for a signed-in actor.
 */
export type ReadOf<S> = 'self' | { action: Action; subject?: (s: S) => unknown };

export type PolicyRules<K extends Action> = { [A in K]: Rule<PolicySubjects[A]> };
export type PolicyReads<K extends Action> = { [A in K]?: ReadOf<PolicySubjects[A]> };

const RULES = new Map<string, Rule<never>>();
const READS = new Map<string, ReadOf<never>>();
const OWNERS = new Map<string, string>();

/** Registers a capability's rules (called once by each `policy.ts` as it loads). */
export function definePolicy<K extends Action>(capability: string, rules: PolicyRules<K>, reads: PolicyReads<K> = {}): PolicyRules<K> {
  for (const [action, rule] of Object.entries(rules) as [string, Rule<never>][]) {
    const owner = OWNERS.get(action);
    if (owner !== undefined && owner !== capability) throw new Error(`Policy: ${action} is ruled by both ${owner} and ${capability}`);
    OWNERS.set(action, capability);
    RULES.set(action, rule);
  }
  for (const [action, read] of Object.entries(reads) as [string, ReadOf<never>][]) READS.set(action, read);
  return rules;
}

/** Every registered action and the capability that rules it (for tests and docs). */
export function registeredActions(): ReadonlyMap<string, string> {
  return OWNERS;
}

/** True when `actor` may do `action` to `subject`. */
export function can<A extends Action>(actor: Actor, action: A, subject: PolicySubjects[A]): boolean {
  const rule = RULES.get(action) as Rule<PolicySubjects[A]> | undefined;
  if (!rule) throw new Error(`Policy: no rule registered for ${String(action)} (is its policy.ts loaded by src/policies.ts?)`);
  return rule(actor, subject) === true;
}

/**
 * Throws unless `actor` may do `action`. A thing the actor may not even see
 * answers 404 so its existence is not revealed; an anonymous actor denied a
 * write is asked to sign in (401); anyone else gets 403.
 */
export function authorize<A extends Action>(actor: Actor, action: A, subject: PolicySubjects[A]): void {
  if (can(actor, action, subject)) return;
  const read = READS.get(action) as ReadOf<PolicySubjects[A]> | undefined;
  if (read === 'self') throw new AppError('not_found');
  if (read && !can(actor, read.action, (read.subject ? read.subject(subject) : subject) as never)) throw new AppError('not_found');
  if (actor.kind === 'anonymous') throw new AppError('unauthenticated');
  throw new AppError('forbidden');
}

/** Keeps the subjects of a list that the actor may do `action` to (batch check for lists). */
export function filterAllowed<A extends Action, S extends PolicySubjects[A]>(actor: Actor, action: A, subjects: S[]): S[] {
  return subjects.filter((s) => can(actor, action, s));
}
