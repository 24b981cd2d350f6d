import { listOf } from '../platform/http/pagination.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import type { RouteBudget } from '../platform/auth/rate-limit.js';
import { keyedHash } from '../platform/auth/secrets.js';
import { renderFor } from '../platform/http/request-context.js';
import { errorResponses } from '../platform/http/schema-helpers.js';
import { cachedGroupList } from '../groups/queries.js';
import { belongsTo } from '../groups/policy.js';
import { PAGE_SIZE, searchPosts, sharedSearch, unnarrowed, type SharedSearch } from './queries.js';
import { SearchView } from './search-views.js';
import { resultCache } from '../platform/http/result-cache.js';
import { threadReader } from './policy.js';
import { PERSPECTIVES } from '../community/vocab.js';
import { rankedResourceMatches, readableResourceMatches, topResourceMatches, type ResourceMatch } from '../resources/queries.js';
import { listTerms } from '../glossary/queries.js';

/** Search across the discussions the viewer may read, with matching resources and glossary terms. */
export const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.deps;
  /** Heavy reads (search) go to the replica when there is one. */
  const readDb = app.deps.readDb ?? db;
  const groupList = cachedGroupList(app.pageCache);



  // ---- spaces: a group's discussions and the community-wide space ---------------------
  // ---- search ---------------------------------------------------------------------------------------------
  const SearchQuery = Type.Object({
    q: Type.Optional(Type.String({ maxLength: 200 })),
    group: Type.Optional(Type.String({ maxLength: 100 })),
    author: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 53 })),
    from: Type.Optional(Type.String({ format: 'date' })),
    to: Type.Optional(Type.String({ format: 'date' })),
    perspective: Type.Optional(Type.Union([Type.String({ enum: [...PERSPECTIVES] }), Type.Literal('')])),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  });
  // The same search by people who may read the same things gives the same answer for a few seconds.
  // With the answer, its markup (`kept`): the form (the groups the reader class may search in) and the results.
  const searchCache = resultCache<Awaited<ReturnType<typeof searchPosts>> & { kept: Map<string, string> }>(app.pageCache);
  // The library's best matches for a query, shared by everyone; each reader keeps what they may see.
  const resourceMatchCache = resultCache<ResourceMatch[]>(app.pageCache, 1000);
  const SHARED_RESOURCES = 30;
  async function resourceMatches(request: FastifyRequest, q: string) {
    const shared = await resourceMatchCache(q, () => rankedResourceMatches(readDb, q, { limit: SHARED_RESOURCES }));
    return readableResourceMatches(request.actor, shared, 5, SHARED_RESOURCES) ?? (await topResourceMatches(readDb, request.actor, q));
  }
  // A query's ranked matches are the same for every reader (who may read which is decided per
  // reader): found and ranked once for everyone, the costly part of a search is shared by all.
  const sharedCache = resultCache<SharedSearch>(app.pageCache, 1000);
  async function runSearch(request: FastifyRequest, query: { q?: string; group?: string; author?: number; from?: string; to?: string; perspective?: string; page?: number }) {
    const q = (query.q ?? '').trim();
    if (!q) return { q, hits: [], more: false, kept: undefined };
    const filters = { q, group: query.group || undefined, author: query.author, from: query.from, to: query.to, perspective: query.perspective || undefined, page: query.page };
    const r = await searchCache(`${threadReader(request.actor)}|${JSON.stringify(filters)}`, async () => {
      const shared = unnarrowed(filters) ? await sharedCache(q, () => sharedSearch(readDb, q)) : undefined;
      return { ...(await searchPosts(readDb, request.actor, filters, shared)), kept: new Map<string, string>() };
    });
    return { q, ...r };
  }
  /**
   * A person's searches: 60 a minute, per person when signed in, otherwise per (hashed)
   * address, shared by all processes; counted with the address's budget (app.ts).
   */
  const searchBudget: RouteBudget = (request) => {
    if (!((request.query as { q?: string } | undefined)?.q ?? '').trim()) return undefined;
    const who = request.actor.kind === 'user' ? `u${request.actor.id}` : `ip${keyedHash(app.deps.config.sessionSecret, request.ip)}`;
    return { key: `search:${who}`, limit: { max: 60, windowSeconds: 60 } };
  };
  // Published glossary terms are the same for everyone.
  const termMatches = resultCache<Awaited<ReturnType<typeof listTerms>>>(app.pageCache);
  app.get('/search', { config: { budget: searchBudget }, schema: { querystring: SearchQuery } }, async (request, reply) => {
    const r = await runSearch(request, request.query);
    const firstPage = r.q && (request.query.page ?? 1) === 1;
    const [groups, resources, terms] = await Promise.all([
      groupList(db, request.actor),
      firstPage ? resourceMatches(request, r.q) : Promise.resolve([]),
      firstPage ? termMatches(r.q, () => listTerms(readDb, { q: r.q }).then((x) => x.slice(0, 5))) : Promise.resolve([]),
    ]);
    reply.header('x-robots-tag', 'noindex');
    // The form offers the person's own groups and the one searched in, not every readable group
    // (hundreds in a national community: a list nobody scrolls, and most of the page's bytes);
    // any other group is searched from its own page.
    const offered = groups.filter((g) => g.slug === request.query.group || belongsTo(request.actor, g.id));
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('search.title'),
      children: h(SearchView, {
        ctx,
        q: r.q,
        group: request.query.group ?? '',
        perspective: request.query.perspective ?? '',
        groups: offered,
        resources,
        terms,
        hits: r.hits,
        more: r.more,
        page: request.query.page ?? 1,
        kept: r.kept,
      }),
    }));
  });


  // ---- JSON API ----------------------------------------------------------------------------------------------
  const Hit = Type.Object({
    post_id: Type.Integer(),
    thread_id: Type.Integer(),
    title: Type.String(),
    group: Type.Union([Type.Object({ slug: Type.String(), name: Type.String() }), Type.Null()]),
    author: Type.Union([Type.String(), Type.Null()]),
    created_at: Type.String({ format: 'date-time' }),
    snippet: Type.String({ description: 'Plain text; matches are wrapped in ⟦ and ⟧' }),
  });
  app.get(
    '/api/v1/search',
    { config: { list: { items: 'hits', perPage: PAGE_SIZE }, budget: searchBudget }, schema: { tags: ['discussions'], summary: 'Full-text search over what the requester may read', querystring: SearchQuery, response: { 200: listOf({ hits: Type.Array(Hit), more: Type.Boolean() }), ...errorResponses(400, 429) } } },
    async (request) => {
      const r = await runSearch(request, request.query);
      return {
        hits: r.hits.map((x) => ({
          post_id: x.post_id,
          thread_id: x.thread_id,
          title: x.title,
          group: x.group_slug ? { slug: x.group_slug, name: x.group_name! } : null,
          author: x.author_name,
          created_at: x.created_at.toISOString(),
          snippet: x.snippet,
        })),
        more: r.more,
      };
    },
  );
};
