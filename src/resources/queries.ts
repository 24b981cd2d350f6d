import type { Translations } from '../platform/i18n/content.js';
import { sql, type Expression, type SqlBool } from 'kysely';
import { PREPARED, type Db } from '../platform/db/db.js';
import type { Actor } from '../platform/auth/actor.js';
import { can } from '../platform/auth/policy.js';
import type { GroupSubject } from '../groups/policy.js';
import { resourceReadableBy } from './policy.js';

export const LIBRARY_PAGE = 20;

export interface ResourceRow {
  id: number;
  slug: string;
  title: string;
  summary: string;
  description: string;
  kind: string;
  external_url: string | null;
  authors: string;
  audiences: string[];
  topics: string[];
  level: string;
  language: string;
  /** Title and summary in the other language (see platform/i18n/content.ts). */
  translations: Translations;
  evidence_level: string;
  review_status: string;
  published_on: string | null;
  visibility: 'public' | 'members' | 'group';
  group_id: number | null;
  accessibility: string[];
  created_by: number | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

const COLUMNS = [
  'r.id',
  'r.slug',
  'r.title',
  'r.summary',
  'r.description',
  'r.kind',
  'r.external_url',
  'r.authors',
  'r.audiences',
  'r.topics',
  'r.level',
  'r.language',
  'r.translations',
  'r.evidence_level',
  'r.review_status',
  'r.published_on',
  'r.visibility',
  'r.group_id',
  'r.accessibility',
  'r.created_by',
  'r.created_at',
  'r.updated_at',
  'r.deleted_at',
] as const;

export async function getResource(db: Db, slug: string): Promise<ResourceRow | undefined> {
  return (await db.selectFrom('resources as r').select(COLUMNS).where('r.slug', '=', slug).executeTakeFirst()) as ResourceRow | undefined;
}

export async function getResourceById(db: Db, id: number): Promise<ResourceRow | undefined> {
  return (await db.selectFrom('resources as r').select(COLUMNS).where('r.id', '=', id).executeTakeFirst()) as ResourceRow | undefined;
}

export interface LibraryFilters {
  q?: string;
  kind?: string[];
  audience?: string[];
  topic?: string[];
  level?: string[];
  language?: string[];
  evidence?: string[];
  review?: string[];
  accessibility?: string[];
  group?: string[];
  organization?: number[];
  visibility?: string[];
  from?: string;
  to?: string;
  sort?: string;
  page?: number;
}

export const FACETS = ['kind', 'audience', 'evidence', 'level', 'language', 'review', 'accessibility', 'group', 'organization', 'topic'] as const;
export type Facet = (typeof FACETS)[number];

/**
 * The library's filters as SQL: `common` (who may read, the words, dates,
 * visibility) and one condition per chosen facet, so each facet can be counted
 * with every filter but its own.
 */
function filterConditions(viewer: Actor, f: LibraryFilters): { common: Expression<SqlBool>[]; facets: Partial<Record<Facet, Expression<SqlBool>>> } {
  const common: Expression<SqlBool>[] = [resourceReadableBy(viewer), sql<SqlBool>`r.deleted_at IS NULL`];
  const facets: Partial<Record<Facet, Expression<SqlBool>>> = {};
  const q = (f.q ?? '').trim();
  if (q) common.push(sql<SqlBool>`r.search @@ (websearch_to_tsquery('english', ${q}) || websearch_to_tsquery('spanish', ${q}))`);
  const any = (facet: Facet, col: string, values?: string[]) => {
    if (values?.length) facets[facet] = sql<SqlBool>`${sql.ref(col)} = ANY(${values}::text[])`;
  };
  const overlaps = (facet: Facet, col: string, values?: string[]) => {
    if (values?.length) facets[facet] = sql<SqlBool>`${sql.ref(col)} && ${values}::text[]`;
  };
  any('kind', 'r.kind', f.kind);
  overlaps('audience', 'r.audiences', f.audience);
  overlaps('topic', 'r.topics', f.topic);
  any('level', 'r.level', f.level);
  any('language', 'r.language', f.language);
  any('evidence', 'r.evidence_level', f.evidence);
  any('review', 'r.review_status', f.review);
  // Accessibility facts must all hold (someone needing captions and a plain-language version needs both).
  if (f.accessibility?.length) facets.accessibility = sql<SqlBool>`r.accessibility @> ${f.accessibility}::text[]`;
  if (f.visibility?.length) common.push(sql<SqlBool>`r.visibility = ANY(${f.visibility}::text[])`);
  if (f.group?.length)
    facets.group = sql<SqlBool>`EXISTS (SELECT 1 FROM resource_groups rg JOIN practice_groups g ON g.id = rg.group_id WHERE rg.resource_id = r.id AND g.slug = ANY(${f.group}::text[]))`;
  if (f.organization?.length) facets.organization = sql<SqlBool>`EXISTS (SELECT 1 FROM resource_organizations ro WHERE ro.resource_id = r.id AND ro.organization_id = ANY(${f.organization}::bigint[]))`;
  if (f.from) common.push(sql<SqlBool>`r.published_on >= ${f.from}`);
  if (f.to) common.push(sql<SqlBool>`r.published_on <= ${f.to}`);
  return { common, facets };
}

function conditions(viewer: Actor, f: LibraryFilters): Expression<SqlBool>[] {
  const { common, facets } = filterConditions(viewer, f);
  return [...common, ...Object.values(facets)];
}

type FacetRow = { facet: Facet; value: string; label: string | null; count: number; id: number | null; visibility: GroupSubject['visibility'] | null; join_policy: GroupSubject['join_policy'] | null; archived_at: Date | null };

/**
 * Every facet's counts in one statement: the resources matching the common
 * filters are read once (with a flag per chosen facet; rows failing two or
 * more chosen facets count nowhere and are left out), then each facet is
 * counted over the rows that pass every other facet's flag.
 */
async function facetCounts(db: Db, viewer: Actor, f: LibraryFilters): Promise<FacetRow[]> {
  const { common, facets } = filterConditions(viewer, f);
  const chosen = Object.keys(facets) as Facet[];
  const flag = (facet: Facet) => sql.id(`f_${facet}`);
  const others = (facet: Facet) => {
    const c = chosen.filter((x) => x !== facet).map((x) => sql<SqlBool>`b.${flag(x)}`);
    return c.length ? and(c) : sql<SqlBool>`true`;
  };
  const scalar = (facet: Facet, col: string) =>
    sql`(SELECT ${facet}::text AS facet, b.${sql.id(col)}::text AS value, NULL::text AS label, count(*)::int AS count, NULL::bigint AS id, NULL::text AS visibility, NULL::text AS join_policy, NULL::timestamptz AS archived_at
           FROM base b WHERE ${others(facet)} GROUP BY 2)`;
  const array = (facet: Facet, col: string) =>
    sql`(SELECT ${facet}::text, v, NULL, count(*)::int, NULL::bigint, NULL, NULL, NULL::timestamptz
           FROM base b, unnest(b.${sql.id(col)}) v WHERE ${others(facet)} GROUP BY 2 ORDER BY 4 DESC, 2 LIMIT 30)`;
  const rows = await sql<FacetRow>`
    WITH base AS MATERIALIZED (
      SELECT r.id, r.kind, r.evidence_level, r.level, r.language, r.review_status, r.audiences, r.accessibility, r.topics
             ${sql.join(chosen.map((x) => sql`, ${facets[x]!} AS ${flag(x)}`), sql``)}
        FROM resources r WHERE ${and(common)}
         ${chosen.length > 1 ? sql`AND (${sql.join(chosen.map((x) => sql`(${facets[x]!})::int`), sql` + `)}) >= ${chosen.length - 1}` : sql``})
    ${scalar('kind', 'kind')}
    UNION ALL ${array('audience', 'audiences')}
    UNION ALL ${scalar('evidence', 'evidence_level')}
    UNION ALL ${scalar('level', 'level')}
    UNION ALL ${scalar('language', 'language')}
    UNION ALL ${scalar('review', 'review_status')}
    UNION ALL ${array('accessibility', 'accessibility')}
    UNION ALL ${array('topic', 'topics')}
    UNION ALL (SELECT 'group', g.slug, g.name, count(*)::int, g.id, g.visibility, g.join_policy, g.archived_at
                 FROM base b JOIN resource_groups rg ON rg.resource_id = b.id JOIN practice_groups g ON g.id = rg.group_id
                WHERE ${others('group')} GROUP BY g.id)
    UNION ALL (SELECT 'organization', o.id::text, o.name, count(*)::int, NULL::bigint, NULL, NULL, NULL::timestamptz
                 FROM base b JOIN resource_organizations ro ON ro.resource_id = b.id JOIN organizations o ON o.id = ro.organization_id
                WHERE ${others('organization')} GROUP BY o.id, o.name ORDER BY 4 DESC, 3 LIMIT 30)`.execute(db);
  return rows.rows;
}

const and = (c: Expression<SqlBool>[]) => sql.join(c, sql` AND `);

export interface LibraryItem extends ResourceRow {
  snippet: string | null;
  uses: number;
  file_type: string | null;
}

/**
 * The library: full-text search over titles, summaries, descriptions and the
 * text of uploaded files, every facet, sorting and paging, only what the
 * viewer may read; with counts per facet value (each facet counted with the
 * other facets applied, so a count says what choosing it would give).
 */
export async function searchLibrary(db: Db, viewer: Actor, f: LibraryFilters): Promise<{ items: LibraryItem[]; total: number; facets: Record<Facet, { value: string; label?: string; count: number }[]> }> {
  const page = Math.max(1, f.page ?? 1);
  const q = (f.q ?? '').trim();
  const query = sql`(websearch_to_tsquery('english', ${q}) || websearch_to_tsquery('spanish', ${q}))`;
  const sort = f.sort === 'newest' || f.sort === 'title' || f.sort === 'most_used' ? f.sort : q ? 'relevance' : 'newest';
  const uses = sql`(SELECT count(*) FROM use_reports u WHERE u.resource_id = r.id)`;
  const order =
    sort === 'relevance'
      ? sql`ts_rank(r.search, ${query}) DESC, r.id DESC`
      : sort === 'title'
        ? sql`lower(r.title), r.id`
        : sort === 'most_used'
          ? sql`${uses} DESC, r.published_on DESC NULLS LAST, r.id DESC`
          : sql`r.published_on DESC NULLS LAST, r.id DESC`;
  const where = and(conditions(viewer, f));
  // The page's ids and the total first (for the default order an index-only scan of
  // resources_facets_idx), then the page's rows, snippets and counts for those ids alone.
  const [rows, counted] = await Promise.all([
    sql<LibraryItem & { total: number }>`
    WITH hits AS (
      SELECT r.id, count(*) OVER ()::int AS total FROM resources r
       WHERE ${where}
       ORDER BY ${order}
       LIMIT ${LIBRARY_PAGE} OFFSET ${(page - 1) * LIBRARY_PAGE})
    SELECT ${sql.join(COLUMNS.map((c) => sql.ref(c)))},
           ${q ? sql`ts_headline(CASE WHEN r.language = 'es' THEN 'spanish'::regconfig ELSE 'english'::regconfig END, r.summary || ' ' || left(r.extracted_text, 5000), ${query}, 'StartSel=⟦, StopSel=⟧, MaxWords=30, MinWords=10, MaxFragments=1')` : sql`NULL`} AS snippet,
           ${uses}::int AS uses,
           (SELECT f.content_type FROM resource_files f WHERE f.resource_id = r.id ORDER BY f.version DESC LIMIT 1) AS file_type,
           h.total
      FROM hits h JOIN resources r ON r.id = h.id
     ORDER BY ${order}`.execute(db),
    facetCounts(db, viewer, f),
  ]);
  const total = rows.rows[0]?.total ?? (page > 1 ? (await sql<{ n: number }>`SELECT count(*)::int AS n FROM resources r WHERE ${where}`.execute(db)).rows[0]!.n : 0);

  const byCount = (a: FacetRow, b: FacetRow) => b.count - a.count || a.value.localeCompare(b.value);
  const facet = (name: Facet) => counted.filter((r) => r.facet === name).sort(byCount);
  const plain = (rows: FacetRow[]) => rows.map(({ value, count }) => ({ value, count }));
  return {
    items: rows.rows.map(({ total: _t, ...r }) => r as LibraryItem),
    total,
    facets: {
      kind: plain(facet('kind')),
      audience: plain(facet('audience')),
      evidence: plain(facet('evidence')),
      level: plain(facet('level')),
      language: plain(facet('language')),
      review: plain(facet('review')),
      accessibility: plain(facet('accessibility')),
      topic: plain(facet('topic')),
      // A private group's name is not shown to people who may not see the group.
      group: counted
        .filter((g) => g.facet === 'group' && can(viewer, 'group.view', { id: g.id!, visibility: g.visibility!, join_policy: g.join_policy!, archived_at: g.archived_at }))
        .sort((a, b) => a.label!.localeCompare(b.label!))
        .map(({ value, label, count }) => ({ value, label: label!, count })),
      organization: facet('organization').map(({ value, label, count }) => ({ value, label: label!, count })),
    },
  };
}

/** Everything a resource page shows besides the resource itself. */
export async function resourceDetails(db: Db, resourceId: number) {
  const [files, groups, organizations, links, reports, use, collections] = await Promise.all([
    db
      .selectFrom('resource_files')
      .select(['id', 'version', 'filename', 'content_type', 'size_bytes', 'alt_text', 'created_at', 'extract_error'])
      .where('resource_id', '=', resourceId)
      .orderBy('version', 'desc')
      .execute(),
    db
      .selectFrom('resource_groups as rg')
      .innerJoin('practice_groups as g', 'g.id', 'rg.group_id')
      .select(['g.id', 'g.slug', 'g.name', 'g.visibility', 'g.join_policy', 'g.archived_at'])
      .where('rg.resource_id', '=', resourceId)
      .orderBy('g.name')
      .execute(),
    db.selectFrom('resource_organizations as ro').innerJoin('organizations as o', 'o.id', 'ro.organization_id').select(['o.id', 'o.slug', 'o.name']).where('ro.resource_id', '=', resourceId).orderBy('o.name').execute(),
    db
      .selectFrom('share_links as l')
      .leftJoin('organizations as o', 'o.id', 'l.organization_id')
      .leftJoin('state_initiatives as s', 's.id', 'l.state_initiative_id')
      .select(['l.id', 'l.code', 'l.channel', 'l.created_by', 'o.name as org_name', 's.name as state_name', sql<number>`(SELECT coalesce(sum(x.visits),0) FROM reach_daily_links x WHERE x.link_id = l.id)::int`.as('visits')])
      .where('l.resource_id', '=', resourceId)
      .orderBy('l.id')
      .execute(),
    db
      .selectFrom('dissemination_reports as d')
      .leftJoin('organizations as o', 'o.id', 'd.organization_id')
      .leftJoin('state_initiatives as s', 's.id', 'd.state_initiative_id')
      .select(['d.id', 'd.channel', 'd.recipients', 'd.sent_on', 'd.audiences', 'd.states', 'd.evidence_url', 'd.note', 'd.status', 'd.review_note', 'o.name as org_name', 's.name as state_name'])
      .where('d.resource_id', '=', resourceId)
      .orderBy('d.sent_on', 'desc')
      .execute(),
    db
      .selectFrom('use_reports')
      .select([
        sql<number>`count(*)::int`.as('n'),
        sql<number | null>`round(avg(quality)::numeric, 1)::float8`.as('quality'),
        sql<number | null>`round(avg(relevance)::numeric, 1)::float8`.as('relevance'),
        sql<number | null>`round(avg(usefulness)::numeric, 1)::float8`.as('usefulness'),
      ])
      .where('resource_id', '=', resourceId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('collection_items as ci')
      .innerJoin('collections as c', 'c.id', 'ci.collection_id')
      .select(['c.slug', 'c.title'])
      .where('ci.resource_id', '=', resourceId)
      .orderBy('c.title')
      .execute(),
  ]);
  const web = await db
    .selectFrom('reach_daily')
    .select([sql<number>`coalesce(sum(unique_visitors),0)::int`.as('visitors'), sql<number>`coalesce(sum(downloads),0)::int`.as('downloads')])
    .where('resource_id', '=', resourceId)
    .executeTakeFirstOrThrow();
  return { files, groups, organizations, links, reports, use, collections, web };
}

export async function recentUseReports(db: Db, resourceId: number) {
  return db
    .selectFrom('use_reports')
    .select(['how_used', 'perspective', 'setting', 'state_code', 'quality', 'relevance', 'usefulness', 'created_at'])
    .where('resource_id', '=', resourceId)
    .orderBy('created_at', 'desc')
    .limit(5)
    .execute();
}

/** Collections, leaving out those curated by groups the viewer may not see. */
export async function listCollections(db: Db, viewer: Actor) {
  const rows = await db
    .selectFrom('collections as c')
    .leftJoin('practice_groups as g', 'g.id', 'c.group_id')
    .select([
      'g.visibility as group_visibility',
      'g.join_policy as group_join_policy',
      'g.archived_at as group_archived_at',
      'c.id',
      'c.slug',
      'c.title',
      'c.description',
      'c.language',
      'c.translations',
      'c.group_id',
      'g.name as group_name',
      (eb) =>
        eb
          .selectFrom('collection_items as ci')
          .innerJoin('resources as r', 'r.id', 'ci.resource_id')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('ci.collection_id', '=', 'c.id')
          .where(resourceReadableBy(viewer))
          .as('items'),
    ])
    .orderBy('c.title')
    .execute();
  return rows.filter((c) => c.group_id === null || can(viewer, 'group.view', { id: c.group_id, visibility: c.group_visibility!, join_policy: c.group_join_policy!, archived_at: c.group_archived_at }));
}

export async function collectionItems(db: Db, viewer: Actor, collectionId: number) {
  return db
    .selectFrom('collection_items as ci')
    .innerJoin('resources as r', 'r.id', 'ci.resource_id')
    .select(['ci.position', 'r.id', 'r.slug', 'r.title', 'r.summary', 'r.kind', 'r.language', 'r.translations', 'r.evidence_level'])
    .where('ci.collection_id', '=', collectionId)
    .where(resourceReadableBy(viewer))
    .orderBy('ci.position')
    .execute();
}

/** The newest resources filed under a group that the viewer may see (for the group page). */
export async function groupResources(db: Db, viewer: Actor, groupId: number, limit = 5) {
  return db
    .selectFrom('resources as r')
    .innerJoin('resource_groups as rg', 'rg.resource_id', 'r.id')
    .select(['r.slug', 'r.title', 'r.kind', 'r.language'])
    .where('rg.group_id', '=', groupId)
    .where(resourceReadableBy(viewer))
    .where('r.deleted_at', 'is', null)
    .orderBy(sql`r.published_on DESC NULLS LAST`)
    .orderBy('r.id', 'desc')
    .limit(limit)
    .modifyEnd(PREPARED)
    .execute();
}

/** The best few library matches for the site-wide search page. */
export async function topResourceMatches(db: Db, viewer: Actor, q: string, limit = 5) {
  return rankedResourceMatches(db, q, { viewer, limit });
}

/** A library match with what the resource policy needs to decide who may see it. */
export type ResourceMatch = Awaited<ReturnType<typeof rankedResourceMatches>>[number];

/**
 * A query's best library matches, ranked; for one viewer (filtered in SQL),
 * or for everyone (`viewer` left out: callers share them and keep what each
 * reader may see with `readableResourceMatches`).
 */
export async function rankedResourceMatches(db: Db, q: string, opts: { viewer?: Actor; limit: number }) {
  const query = sql`(websearch_to_tsquery('english', ${q}) || websearch_to_tsquery('spanish', ${q}))`;
  let select = db
    .selectFrom('resources as r')
    .select(['r.slug', 'r.title', 'r.summary', 'r.kind', 'r.language', 'r.visibility', 'r.group_id', 'r.created_by'])
    .where('r.deleted_at', 'is', null)
    .where(sql<SqlBool>`r.search @@ ${query}`);
  if (opts.viewer) select = select.where(resourceReadableBy(opts.viewer));
  return select
    .orderBy(sql`ts_rank(r.search, ${query})`, 'desc')
    .orderBy('r.id', 'desc')
    .limit(opts.limit)
    .execute();
}

/**
 * The first `limit` of a query's shared matches this viewer may see (the
 * resource policy, as for one resource). Undefined when the shared list,
 * cut at `sharedLimit`, holds too few for this viewer: then ask for theirs.
 */
export function readableResourceMatches(viewer: Actor, shared: ResourceMatch[], limit: number, sharedLimit: number): ResourceMatch[] | undefined {
  const readable = shared.filter((r) => can(viewer, 'resource.view', r)).slice(0, limit);
  return readable.length < limit && shared.length >= sharedLimit ? undefined : readable;
}
