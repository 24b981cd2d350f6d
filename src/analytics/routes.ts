import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { h } from 'preact';
import { stewardedGroups } from '../groups/policy.js';
import { authorize, can } from '../platform/auth/policy.js';
import { hit } from '../platform/auth/rate-limit.js';
import { audit } from '../platform/db/tx.js';
import { AppError } from '../platform/http/errors.js';
import { renderFor } from '../platform/http/request-context.js';
import { errorResponses } from '../platform/http/schema-helpers.js';
import { sendCsv } from '../platform/http/csv.js';
import { getGroup } from '../groups/queries.js';
import { engagementSummary, type EngagementFilters } from './engagement.js';
import { AnalyticsView } from './views.js';

const Query = Type.Object({
  from: Type.Optional(Type.String({ format: 'date' })),
  to: Type.Optional(Type.String({ format: 'date' })),
  group: Type.Optional(Type.String({ maxLength: 100 })),
});

const Count = Type.Object({ key: Type.String(), active: Type.Integer() });
const SummarySchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  group: Type.Union([Type.String(), Type.Null()]),
  active: Type.Integer(),
  actions: Type.Object({ posted: Type.Integer(), replied: Type.Integer(), attended: Type.Integer(), shared: Type.Integer(), used: Type.Integer() }, { description: 'People who did each thing in the period (each at most `active`)' }),
  action_counts: Type.Object({ posted: Type.Integer(), replied: Type.Integer(), attended: Type.Integer(), shared: Type.Integer(), used: Type.Integer() }, { description: 'How many times each thing was done' }),
  by_month: Type.Array(Type.Object({ month: Type.String(), active: Type.Integer(), new: Type.Integer(), returning: Type.Integer() })),
  by_perspective: Type.Array(Type.Object({ perspective: Type.String(), active: Type.Integer(), share: Type.Number(), community_share: Type.Number(), state: Type.String() })),
  by_state: Type.Array(Count),
  by_organization: Type.Array(Count),
  by_group: Type.Array(Type.Object({ group: Type.String(), active: Type.Integer() })),
  cross_group: Type.Object({ people: Type.Integer(), pairs: Type.Array(Type.Object({ a: Type.String(), b: Type.String(), people: Type.Integer() })) }),
});

/** Engagement analytics for facilitators (the whole community or any group) and group leads (their groups). */
export const analyticsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.deps;
  /** Engagement sums read the rollups on the replica when there is one. */
  const readDb = app.deps.readDb ?? db;

  /** Works out the period and group, and who may see them; field errors for a bad period. */
  const filtersOf = async (request: FastifyRequest, q: Static<typeof Query>): Promise<EngagementFilters & { slug: string | null }> => {
    authorize(request.actor, 'analytics.view', undefined);
    // Facilitators see the community and every group; leads the groups they lead.
    const scope = stewardedGroups(request.actor);
    const to = q.to ?? new Date().toISOString().slice(0, 10);
    const from = q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 364 * 86_400_000).toISOString().slice(0, 10);
    if (from > to || Date.parse(to) - Date.parse(from) > 5 * 366 * 86_400_000) throw new AppError('validation_failed', { fields: { from: request.t('analytics.range_invalid') } });
    let group: number | undefined;
    let slug: string | null = null;
    if (q.group) {
      const g = await getGroup(db, q.group);
      if (!g || !can(request.actor, 'group.view', g)) throw new AppError('not_found');
      authorize(request.actor, 'analytics.group', { group_id: g.id });
      group = g.id;
      slug = g.slug;
    } else if (scope !== 'all') {
      // Leads see their own group; the first one they lead unless they choose.
      const g = await db.selectFrom('practice_groups').select(['id', 'slug']).where('id', 'in', scope).orderBy('name').executeTakeFirstOrThrow();
      group = g.id;
      slug = g.slug;
    }
    return { from, to, group, slug };
  };

  const summaryFor = async (request: FastifyRequest, f: EngagementFilters) =>
    engagementSummary(readDb, f, (id) => can(request.actor, 'analytics.group_detail', { group_id: id }));

  const groupOptions = async (request: FastifyRequest) => {
    const scope = stewardedGroups(request.actor);
    return db
      .selectFrom('practice_groups')
      .select(['slug', 'name'])
      .where('archived_at', 'is', null)
      .$if(scope !== 'all', (q) => q.where('id', 'in', [0, ...(scope as number[])]))
      .orderBy('name')
      .execute();
  };

  app.get('/analytics', { schema: { querystring: Query } }, async (request, reply) => {
    const f = await filtersOf(request, request.query);
    const [s, groups] = await Promise.all([summaryFor(request, f), groupOptions(request)]);
    const qs = new URLSearchParams({ from: f.from, to: f.to, ...(f.slug ? { group: f.slug } : {}) }).toString();
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('analytics.title'),
      lead: ctx.t('analytics.lead'),
      children: h(AnalyticsView, { ctx, s, filters: { from: f.from, to: f.to, group: f.slug ?? '' }, groups, allowCommunity: can(request.actor, 'analytics.community', undefined), csvHref: `/analytics/engagement.csv?${qs}` }),
    }));
  });

  app.get('/analytics/engagement.csv', { schema: { querystring: Query } }, async (request, reply) => {
    const f = await filtersOf(request, request.query);
    await hit(db, `export:u${request.actor.id}`, { max: 30, windowSeconds: 3600 });
    const s = await summaryFor(request, f);
    await audit(db, request.actor.id, 'analytics.export', { type: 'analytics', id: f.slug }, { from: f.from, to: f.to });
    const rows = [
      { section: 'total', key: 'active_members', value: s.active },
      ...Object.entries(s.actions).map(([k, v]) => ({ section: 'people_who', key: k, value: v })),
      ...Object.entries(s.actionCounts).map(([k, v]) => ({ section: 'times', key: k, value: v })),
      ...s.byMonth.flatMap((m) => [
        { section: 'month_active', key: m.month, value: m.active },
        { section: 'month_new', key: m.month, value: m.new },
        { section: 'month_returning', key: m.month, value: m.returning },
      ]),
      ...s.byPerspective.map((p) => ({ section: 'perspective', key: p.perspective, value: p.here, share: p.share.toFixed(4), community_share: p.communityShare.toFixed(4) })),
      ...s.byState.map((r) => ({ section: 'state', key: r.key, value: r.active })),
      ...s.byOrganization.map((r) => ({ section: 'organization', key: r.key, value: r.active })),
      ...s.byGroup.map((g) => ({ section: 'group', key: g.name, value: g.active })),
      { section: 'cross_group', key: 'people_in_more_than_one_group', value: s.crossGroup.people },
      ...s.crossGroup.pairs.map((p) => ({ section: 'group_pair', key: `${p.a} + ${p.b}`, value: p.people })),
    ];
    return sendCsv(reply, `engagement-${f.from}-to-${f.to}${f.slug ? `-${f.slug}` : ''}.csv`, rows, ['section', 'key', 'value', 'share', 'community_share'], request.t);
  });

  app.get(
    '/api/v1/analytics/engagement',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Engagement over a period (facilitators: community or any group; leads: their groups)',
        security: [{ bearer: [] }],
        querystring: Query,
        response: { 200: SummarySchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const f = await filtersOf(request, request.query);
      const s = await summaryFor(request, f);
      return {
        from: f.from,
        to: f.to,
        group: f.slug,
        active: s.active,
        actions: s.actions,
        action_counts: s.actionCounts,
        by_month: s.byMonth,
        by_perspective: s.byPerspective.map((p) => ({ perspective: p.perspective, active: p.here, share: p.share, community_share: p.communityShare, state: p.state })),
        by_state: s.byState,
        by_organization: s.byOrganization,
        by_group: s.byGroup.map((g) => ({ group: g.name, active: g.active })),
        cross_group: s.crossGroup,
      };
    },
  );
};
