import { sql, type SqlBool } from 'kysely';
import type { Db } from '../platform/db/db.js';
import type { Actor } from '../platform/auth/actor.js';
import { can } from '../platform/auth/policy.js';
import type { TermSubject } from './policy.js';


export const DISCIPLINES = ['education', 'mental_health', 'family', 'juvenile_justice', 'health_care', 'military', 'youth'] as const;
export type Discipline = (typeof DISCIPLINES)[number];
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
