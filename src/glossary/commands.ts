import { Type, type Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Db } from '../platform/db/db.js';
import type { Actor } from '../platform/auth/actor.js';
import { authorize, can } from '../platform/auth/policy.js';
import { AppError, msg } from '../platform/http/errors.js';
import { hit } from '../platform/auth/rate-limit.js';
import { audit, isUniqueViolation, once } from '../platform/db/tx.js';
import { Enum, Line, OptionalText, RequiredText, clean } from '../platform/http/schema-helpers.js';
import { slugify } from '../platform/text.js';

import { DISCIPLINES, TermRow } from './queries.js';


const Acronym = () => Type.Optional(Type.Union([Type.String({ pattern: '^[A-Za-z0-9&/-]{2,15}$', 'x-message': 'glossary.acronym_format' }), Type.Literal('')]));

export const TermInput = Type.Object({
  term: Line(120),
  acronym: Acronym(),
  plain_definition: RequiredText(2000),
  term_es: OptionalText(120),
  acronym_es: Acronym(),
  plain_definition_es: OptionalText(2000),
  related: OptionalText(500),
  sources: OptionalText(2000),
  ...Object.fromEntries(DISCIPLINES.map((d) => [`def_${d}`, OptionalText(2000)])),
});
export type TermInput = Static<typeof TermInput> & Record<string, unknown>;

export const ReviewTermInput = Type.Object({ status: Enum(['published', 'rejected', 'suggested'] as const), note: OptionalText(1000) });

function values(input: TermInput) {
  return {
    term: clean(input.term),
    acronym: input.acronym || null,
    plain_definition: clean(input.plain_definition),
    term_es: clean(input.term_es),
    acronym_es: input.acronym_es || null,
    plain_definition_es: clean(input.plain_definition_es),
    related: (input.related ?? '')
      .split(',')
      .map((x) => slugify(x, 'term'))
      .filter((x) => x !== 'term')
      .slice(0, 20),
    sources: clean(input.sources),
  };
}

async function writeDefinitions(tx: Parameters<Parameters<ReturnType<Db['transaction']>['execute']>[0]>[0], termId: number, input: TermInput) {
  await tx.deleteFrom('glossary_definitions').where('term_id', '=', termId).execute();
  const rows = DISCIPLINES.map((d) => ({ term_id: termId, discipline: d, definition: clean(input[`def_${d}`] as string | undefined) })).filter((r) => r.definition);
  if (rows.length) await tx.insertInto('glossary_definitions').values(rows).execute();
}

/**
 * A member suggests a term (facilitators' suggestions are published at once).
 * A term already in the glossary (by name) is a field error, not a duplicate.
 */
export async function suggestTerm(db: Db, actor: Actor, input: TermInput, idempotencyKey?: string): Promise<{ slug: string; status: string }> {
  authorize(actor, 'term.suggest', undefined);
  if (actor.kind !== 'user') throw new AppError('unauthenticated');
  await hit(db, `glossary:${actor.id}`, { max: 30, windowSeconds: 3600 });
  const v = values(input);
  try {
    return await once(db, actor.id, idempotencyKey, async (tx) => {
      const exists = await tx.selectFrom('glossary_terms').select('slug').where(sql<string>`lower(term)`, '=', v.term.toLowerCase()).where('status', '<>', 'rejected').executeTakeFirst();
      if (exists) throw new AppError('validation_failed', { fields: { term: msg('glossary.exists') } });
      let slug = slugify(v.acronym ?? v.term, 'term');
      // Page names under /glossary/ that a term may not take.
      if (slug === 'suggest' || slug === 'review') slug = `${slug}-term`;
      for (let n = 2; await tx.selectFrom('glossary_terms').select('id').where('slug', '=', slug).executeTakeFirst(); n++) slug = `${slugify(v.acronym ?? v.term, 'term')}-${n}`;
      const status = can(actor, 'glossary.review', undefined) ? 'published' : 'suggested';
      const row = await tx
        .insertInto('glossary_terms')
        .values({ ...v, slug, status, suggested_by: actor.id, reviewed_by: status === 'published' ? actor.id : null, created_at: new Date(), updated_at: new Date() })
        .returning('id')
        .executeTakeFirstOrThrow();
      await writeDefinitions(tx, row.id, input);
      return { slug, status };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('validation_failed', { fields: { term: msg('glossary.exists') } });
    throw err;
  }
}

/** Facilitators edit any term. */
export async function updateTerm(db: Db, actor: Actor, term: TermRow, input: TermInput) {
  authorize(actor, 'glossary.review', undefined);
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('glossary_terms').set({ ...values(input), updated_at: new Date() }).where('id', '=', term.id).execute();
    await writeDefinitions(tx, term.id, input);
    await audit(tx, actor.id, 'glossary.update', { type: 'glossary_term', id: term.id });
  });
}

/** Facilitators publish or reject a suggestion (audited). */
export async function reviewTerm(db: Db, actor: Actor, term: TermRow, input: Static<typeof ReviewTermInput>) {
  authorize(actor, 'glossary.review', undefined);
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('glossary_terms').set({ status: input.status, review_note: clean(input.note), reviewed_by: actor.id, updated_at: new Date() }).where('id', '=', term.id).execute();
    await audit(tx, actor.id, `glossary.${input.status}`, { type: 'glossary_term', id: term.id });
  });
}

/** Form values for editing a term. */
