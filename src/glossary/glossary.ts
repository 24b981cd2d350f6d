import { Type, type Static } from '@sinclair/typebox';
import { sql, type SqlBool } from 'kysely';
import type { Db } from '../platform/db/db.js';
import type { Actor } from '../platform/auth/actor.js';
import { authorize, can } from '../platform/auth/policy.js';
import type { TermSubject } from './policy.js';
import { AppError, msg } from '../platform/http/errors.js';
import { hit } from '../platform/auth/rate-limit.js';
import { audit, isUniqueViolation, once } from '../platform/db/tx.js';
import { Enum, Line, OptionalText, RequiredText, clean } from '../platform/http/schema-helpers.js';
import { slugify } from '../platform/text.js';

export const DISCIPLINES = ['education', 'mental_health', 'family', 'juvenile_justice', 'health_care', 'military', 'youth'] as const;
export type Discipline = (typeof DISCIPLINES)[number];


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

export interface TermRow {
  id: number;
  slug: string;
  term: string;
  acronym: string | null;
  plain_definition: string;
  term_es: string;
  acronym_es: string | null;
  plain_definition_es: string;
  related: string[];
  sources: string;
  status: 'suggested' | 'published' | 'rejected';
  suggested_by: number | null;
  updated_at: Date;
}

const COLUMNS = ['id', 'slug', 'term', 'acronym', 'plain_definition', 'term_es', 'acronym_es', 'plain_definition_es', 'related', 'sources', 'status', 'suggested_by', 'updated_at'] as const;


/** Who may see a term: the glossary policy's term.view. */
export const termVisible = (actor: Actor, t: TermSubject) => can(actor, 'term.view', t);

export async function getTerm(db: Db, slug: string) {
  const term = (await db.selectFrom('glossary_terms').select(COLUMNS).where('slug', '=', slug).executeTakeFirst()) as TermRow | undefined;
  if (!term) return undefined;
  const definitions = await db.selectFrom('glossary_definitions').select(['discipline', 'definition', 'definition_es']).where('term_id', '=', term.id).execute();
  const related = term.related.length
    ? await db.selectFrom('glossary_terms').select(['slug', 'term', 'acronym']).where('slug', 'in', term.related).where('status', '=', 'published').orderBy('term').execute()
    : [];
  return { ...term, definitions: DISCIPLINES.map((d) => definitions.find((x) => x.discipline === d)).filter((x): x is NonNullable<typeof x> => !!x), relatedTerms: related };
}

/** Published terms, A–Z (optionally one letter or a search), with how many perspectives define each. */
export async function listTerms(db: Db, opts: { q?: string; letter?: string; status?: 'published' | 'suggested' } = {}) {
  let q = db
    .selectFrom('glossary_terms as g')
    .select([...COLUMNS.map((c) => `g.${c}` as const), sql<number>`(SELECT count(*) FROM glossary_definitions d WHERE d.term_id = g.id)::int`.as('perspectives')])
    .where('g.status', '=', opts.status ?? 'published');
  const text = (opts.q ?? '').trim();
  if (text) {
    q = q.where(
      sql<SqlBool>`(g.search @@ (websearch_to_tsquery('english', ${text}) || websearch_to_tsquery('spanish', ${text})) OR lower(g.term) LIKE ${`%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`} OR lower(coalesce(g.acronym,'')) = ${text.toLowerCase()})`,
    );
  }
  if (opts.letter) q = q.where(sql<SqlBool>`upper(left(coalesce(g.acronym, g.term), 1)) = ${opts.letter}`);
  return (await q.orderBy(sql`lower(coalesce(g.acronym, g.term))`).limit(2000).execute()) as (TermRow & { perspectives: number })[];
}

/** The letters that have published terms (for the A–Z navigation). */
export async function letters(db: Db): Promise<string[]> {
  const r = await sql<{ l: string }>`SELECT DISTINCT upper(left(coalesce(acronym, term), 1)) AS l FROM glossary_terms WHERE status = 'published' ORDER BY 1`.execute(db);
  return r.rows.map((x) => x.l);
}

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
export function termFormValues(t: NonNullable<Awaited<ReturnType<typeof getTerm>>>): Record<string, unknown> {
  return {
    term: t.term,
    acronym: t.acronym ?? '',
    plain_definition: t.plain_definition,
    term_es: t.term_es,
    acronym_es: t.acronym_es ?? '',
    plain_definition_es: t.plain_definition_es,
    related: t.related.join(', '),
    sources: t.sources,
    ...Object.fromEntries(t.definitions.map((d) => [`def_${d.discipline}`, d.definition])),
  };
}
