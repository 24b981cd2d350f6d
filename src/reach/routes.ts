import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { sendCsv } from '../platform/http/csv.js';
import { authorize, can } from '../platform/auth/policy.js';
import { keyedHash } from '../platform/auth/secrets.js';
import { resultCache } from '../platform/http/result-cache.js';
import { keptPart, named, same, type Named, type Same } from '../platform/views/kept.js';
import { hit } from '../platform/auth/rate-limit.js';
import { AppError } from '../platform/http/errors.js';
import { renderFor, setFlash } from '../platform/http/request-context.js';
import { errorResponses } from '../platform/http/schema-helpers.js';
import { validate } from '../platform/http/validation.js';
import { cachedGroupList } from '../groups/queries.js';
import { groupReader } from '../groups/policy.js';
import { STATE_CODES } from '../community/vocab.js';
import { resourceReader } from '../resources/policy.js';
import { getResourceById } from '../resources/queries.js';
import { ReviewInput, reviewDissemination } from '../resources/commands.js';
import { ledgerEntries, reachSummary, type ReachFilters, type ReachSummary } from './ledger.js';
import { FunderReportView, ReachView, ReviewQueueView } from './views.js';
import { funderExtras } from './funder-report.js';
import './policy.js';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) });
const ReachQuery = Type.Object({
  from: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Literal('')])),
  to: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Literal('')])),
  group: Type.Optional(Type.String({ maxLength: 100 })),
  state: Type.Optional(Type.Union([Type.String({ enum: STATE_CODES }), Type.Literal('')])),
  partner: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 2 ** 53 }), Type.Literal('')])),
});

type Options = { value: string; label: string }[];

/**
 * The reach dashboard as kept between viewers: its sums (by identity: the
 * results-cache entry is per reader partition, goal and filters), the
 * filters, the choices its form offers (named by the reader partition that
 * decides which groups are offered) and whether the viewer may export.
 */
const KeptDashboard = keptPart<{ summary: Same<ReachSummary>; filters: string; options: Named<{ groups: Options; partners: Options }>; canExport: boolean; canReview: boolean }>(
  'reach-dashboard',
  (ctx, d) => h(ReachView, { ctx, summary: d.summary, filters: JSON.parse(d.filters) as ReachFilters & { groupSlug?: string }, options: d.options, canExport: d.canExport, canReview: d.canReview }),
  { max: 500 },
);

/** The reach ledger: the dashboard, the funder report, the ledger as CSV, dissemination review, and the reach API. */
export const reachRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, config } = app.deps;
  /** Reach sums read the rollups on the replica when there is one. */
  const readDb = app.deps.readDb ?? db;
  const visitorKey = (request: FastifyRequest) => (request.actor.kind === 'user' ? `u${request.actor.id}` : `ip${keyedHash(config.sessionSecret, request.ip)}`);

  async function reachFilters(request: FastifyRequest, q: { from?: string; to?: string; group?: string; state?: string; partner?: number | '' }): Promise<ReachFilters & { groupSlug?: string }> {
    const to = q.to || new Date().toISOString().slice(0, 10);
    const from = q.from || `${Number(to.slice(0, 4)) - 1}${to.slice(4)}`;
    if (from > to) throw new AppError('validation_failed', { fields: { from: request.t('reach.range_backwards') } });
    let group: number | undefined;
    if (q.group) {
      const g = await db.selectFrom('practice_groups').select(['id', 'visibility', 'join_policy', 'archived_at']).where('slug', '=', q.group).executeTakeFirst();
      if (!g || !can(request.actor, 'group.view', g)) throw new AppError('validation_failed', { fields: { group: request.t('validation.choose') } });
      group = g.id;
    }
    return { from, to, group, groupSlug: q.group || undefined, state: q.state || undefined, partner: q.partner || undefined };
  }
  const groupList = cachedGroupList(app.pageCache);
  const partnerList = resultCache<{ id: number; name: string }[]>(app.pageCache, 1);
  const reachOptions = async (request: FastifyRequest) => {
    const [groups, partners] = await Promise.all([groupList(db, request.actor), partnerList('all', () => db.selectFrom('organizations').select(['id', 'name']).orderBy('name').execute())]);
    return { groups: groups.map((g) => ({ value: g.slug, label: g.name })), partners: partners.map((p) => ({ value: String(p.id), label: p.name })) };
  };
  // The dashboard reads hourly rollups and partners' reports: its sums are kept as briefly as
  // signed-out pages (CONVENE_PAGE_CACHE_SECONDS) and cleared with them on any write.
  const summaries = resultCache<Awaited<ReturnType<typeof reachSummary>>>(app.pageCache);
  const reachMarkup = resultCache<Map<string, string>>(app.pageCache, 1);
  const dashboardSummary = (request: FastifyRequest, f: Awaited<ReturnType<typeof reachFilters>>, goal: number) =>
    // What a viewer may count: everything (facilitators), public resources (visitors), or their own view.
    summaries(`${resourceReader(request.actor)}|${goal}|${JSON.stringify(f)}`, () => reachSummary(readDb, request.actor, f, goal));
  app.get('/reach', { schema: { querystring: ReachQuery } }, async (request, reply) => {
    authorize(request.actor, 'reach.view', undefined);
    const f = await reachFilters(request, request.query);
    const community = await app.community.get();
    const goal = community?.reach_goal ?? 0;
    const [summary, options, kept] = await Promise.all([dashboardSummary(request, f, goal), reachOptions(request), reachMarkup('dashboard', async () => new Map())]);
    const canExport = can(request.actor, 'reach.export', undefined);
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('reach.title'),
      lead: ctx.t('reach.lead'),
      // The dashboard's markup (a long filter form, tables and charts) is kept with its sums.
      children: KeptDashboard.render(kept, ctx, { summary: same(summary), filters: JSON.stringify(f), options: named(`reach-options:${groupReader(request.actor)}`, options), canExport, canReview: can(request.actor, 'dissemination.review', undefined) }),
    }));
  });
  // What only the report shows is the same for every facilitator: kept like the sums, cleared on any write.
  const reportExtras = resultCache<Awaited<ReturnType<typeof funderExtras>>>(app.pageCache);
  app.get('/reach/report', { schema: { querystring: ReachQuery } }, async (request, reply) => {
    authorize(request.actor, 'reach.export', undefined);
    const f = await reachFilters(request, request.query);
    const community = await app.community.get();
    // The same sums as the dashboard (kept briefly, shared by facilitators), and what only the report shows.
    const [summary, extras] = await Promise.all([dashboardSummary(request, f, community?.reach_goal ?? 0), reportExtras(JSON.stringify(f), () => funderExtras(readDb, f))]);
    const day = (d: string) => new Date(`${d}T12:00:00Z`);
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('reach.report_title', { from: ctx.fmt.date(day(f.from)), to: ctx.fmt.date(day(f.to)) }),
      children: h(FunderReportView, { ctx, summary, filters: f, extras, period: ctx.t('funder_report.period', { from: ctx.fmt.date(day(f.from)), to: ctx.fmt.date(day(f.to)) }) }),
    }));
  });
  const csv = sendCsv;
  app.get('/reach/ledger.csv', { schema: { querystring: ReachQuery } }, async (request, reply) => {
    authorize(request.actor, 'reach.export', undefined);
    await hit(db, `export:${visitorKey(request)}`, { max: 30, windowSeconds: 3600 });
    const f = await reachFilters(request, request.query);
    const entries = await ledgerEntries(readDb, request.actor, f);
    return csv(reply, `reach-ledger-${f.from}-to-${f.to}.csv`, entries, ['entry', 'source', 'day', 'resource', 'partner', 'channel', 'people', 'status', 'method'], request.t);
  });
  app.get('/reach/report.csv', { schema: { querystring: ReachQuery } }, async (request, reply) => {
    authorize(request.actor, 'reach.export', undefined);
    await hit(db, `export:${visitorKey(request)}`, { max: 30, windowSeconds: 3600 });
    const f = await reachFilters(request, request.query);
    const community = await app.community.get();
    const s = await reachSummary(readDb, request.actor, f, community?.reach_goal ?? 0);
    const rows = [
      { measure: 'total_reach', value: s.total, method: 'web daily unique visitors + partner-reported recipients (questioned reports excluded)' },
      { measure: 'web_unique_visitors', value: s.web.uniqueVisitors, method: 'sum of daily unique visitors per resource' },
      { measure: 'partner_reported_recipients', value: s.bySource.find((b) => b.source === 'partner_report')!.people, method: 'sum of reported recipients' },
      { measure: 'page_views', value: s.web.pageViews, method: 'counted page views (bots and facilitators excluded)' },
      { measure: 'downloads', value: s.web.downloads, method: 'counted file downloads' },
      { measure: 'share_link_visits', value: s.web.linkVisits, method: 'visits through partner share links (inside web reach)' },
      { measure: 'use_reports', value: s.use.reports, method: 'use reports submitted' },
      { measure: 'average_quality', value: s.use.quality ?? '', method: 'mean rating 1-5' },
      { measure: 'average_relevance', value: s.use.relevance ?? '', method: 'mean rating 1-5' },
      { measure: 'average_usefulness', value: s.use.usefulness ?? '', method: 'mean rating 1-5' },
      ...s.partners.map((p) => ({ measure: `partner:${p.name}`, value: p.linkVisitors + p.reported, method: `link visitors ${p.linkVisitors} + reported ${p.reported}` })),
    ];
    return csv(reply, `reach-report-${f.from}-to-${f.to}.csv`, rows, ['measure', 'value', 'method'], request.t);
  });


  // ---- partners' dissemination reports: facilitators confirm or question them --------------------------
  /** The queue: every report still waiting for review, oldest first, with its resource. */
  app.get('/dissemination/review', async (request, reply) => {
    authorize(request.actor, 'dissemination.review', undefined);
    const reports = await db
      .selectFrom('dissemination_reports as d')
      .innerJoin('resources as r', 'r.id', 'd.resource_id')
      .leftJoin('organizations as o', 'o.id', 'd.organization_id')
      .leftJoin('state_initiatives as s', 's.id', 'd.state_initiative_id')
      .select(['d.id', 'd.channel', 'd.recipients', 'd.sent_on', 'd.note', 'd.evidence_url', 'r.slug as resource_slug', 'r.title as resource_title', 'r.language as resource_language', 'o.name as org_name', 's.name as state_name'])
      .where('d.status', '=', 'reported')
      .where('r.deleted_at', 'is', null)
      .orderBy('d.id')
      .limit(200)
      .execute();
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('reach.queue_title'),
      lead: ctx.t('reach.queue_lead'),
      breadcrumbs: [{ label: ctx.t('nav.reach'), href: '/reach' }],
      children: h(ReviewQueueView, { ctx, reports }),
    }));
  });
  app.post('/dissemination/:id/review', { schema: { params: IdParams } }, async (request, reply) => {
    const report = await db.selectFrom('dissemination_reports').select(['id', 'resource_id']).where('id', '=', request.params.id).executeTakeFirst();
    if (!report) throw new AppError('not_found');
    const r = await getResourceById(db, report.resource_id);
    if (!r) throw new AppError('not_found');
    authorize(request.actor, 'resource.view', r);
    const v = validate(ReviewInput, request.body, request.t);
    if (!v.ok) throw new AppError('validation_failed', { fields: v.errors });
    await reviewDissemination(db, request.actor, report.id, v.value);
    setFlash(reply, { kind: 'success', message: request.t(`resources.review_done.${v.value.status}`) });
    // Back to the queue when reviewed there.
    const fromQueue = (request.body as Record<string, unknown> | undefined)?.next === '/dissemination/review';
    return reply.redirect(fromQueue ? '/dissemination/review' : `/resources/${r.slug}#reach`, 303);
  });


  // ---- JSON API -----------------------------------------------------------------------------------------------
  app.get(
    '/api/v1/reach/summary',
    {
      schema: {
        tags: ['reach'],
        summary: 'Reach against the goal for a date range, by source, partner, month, audience, state and resource',
        security: [{ bearer: [] }],
        querystring: ReachQuery,
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            goal: Type.Integer(),
            total: Type.Integer(),
            by_source: Type.Array(Type.Object({ source: Type.String(), people: Type.Integer(), method: Type.String() })),
            web: Type.Object({ page_views: Type.Integer(), downloads: Type.Integer(), unique_visitors: Type.Integer(), link_visits: Type.Integer() }),
            partners: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), link_visitors: Type.Integer(), reported: Type.Integer() })),
            by_month: Type.Array(Type.Object({ month: Type.String(), web: Type.Integer(), partner_report: Type.Integer() })),
            top_resources: Type.Array(Type.Object({ id: Type.Integer(), slug: Type.String(), title: Type.String(), people: Type.Integer(), uses: Type.Integer() })),
            use: Type.Object({ reports: Type.Integer(), quality: Type.Union([Type.Number(), Type.Null()]), relevance: Type.Union([Type.Number(), Type.Null()]), usefulness: Type.Union([Type.Number(), Type.Null()]) }),
          }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      if (request.actor.kind !== 'user') throw new AppError('unauthenticated');
      authorize(request.actor, 'reach.view', undefined);
      const f = await reachFilters(request, request.query);
      const community = await app.community.get();
      const s = await reachSummary(readDb, request.actor, f, community?.reach_goal ?? 0);
      return {
        from: f.from,
        to: f.to,
        goal: s.goal,
        total: s.total,
        by_source: s.bySource.map((b) => ({ ...b, method: b.source === 'web' ? 'daily unique visitors' : 'recipients reported by partners, questioned reports excluded' })),
        web: { page_views: s.web.pageViews, downloads: s.web.downloads, unique_visitors: s.web.uniqueVisitors, link_visits: s.web.linkVisits },
        partners: s.partners.map((p) => ({ id: p.id, name: p.name, link_visitors: p.linkVisitors, reported: p.reported })),
        by_month: s.byMonth,
        top_resources: s.topResources,
        use: s.use,
      };
    },
  );
};
