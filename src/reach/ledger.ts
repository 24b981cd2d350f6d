import { createHash, randomBytes } from 'node:crypto';
import { sql, type SqlBool } from 'kysely';
import { isbot } from 'isbot';
import type { Db, Tx } from '../platform/db/db.js';
import type { Actor } from '../platform/auth/actor.js';
import { visitCountsTowardReach } from './policy.js';
import { resourceReadableBy } from '../resources/policy.js';
import { useFunnel, type UseFunnel } from '../value/followups.js';

export const VIEW_KIND = { page: 1, download: 2, link: 3 } as const;

const today = (d = new Date()) => d.toISOString().slice(0, 10);

/** The salt for one UTC day, created on first use; salts older than two days are deleted by the rollup. */
const saltCache = new Map<string, Buffer>();
async function saltFor(db: Db, day: string): Promise<Buffer> {
  const cached = saltCache.get(day);
  if (cached) return cached;
  await db.insertInto('daily_salts').values({ day, salt: randomBytes(32) }).onConflict((oc) => oc.doNothing()).execute();
  const row = await db.selectFrom('daily_salts').select('salt').where('day', '=', day).executeTakeFirstOrThrow();
  if (saltCache.size > 4) saltCache.clear();
  saltCache.set(day, row.salt);
  return row.salt;
}

/**
 * Counts one visit to a resource page, a download or a share link, without
 * cookies and without storing the address: the visitor is a hash of address
 * and browser under a salt that exists for one day, so the same person counts
 * once a day and cannot be followed across days. Known bots and the site's
 * own facilitators are not counted. Returns whether it counted.
 */
export async function recordView(
  db: Db,
  viewer: Actor,
  req: { ip: string; userAgent: string | undefined },
  view: { resourceId: number; kind: (typeof VIEW_KIND)[keyof typeof VIEW_KIND]; linkId?: number | null },
  now = new Date(),
): Promise<boolean> {
  const ua = req.userAgent ?? '';
  if (!ua || isbot(ua) || !visitCountsTowardReach(viewer)) return false;
  const day = today(now);
  const salt = await saltFor(db, day);
  const visitor = createHash('sha256').update(salt).update(req.ip).update('\u0000').update(ua).digest().subarray(0, 16);
  await db.insertInto('view_events').values({ resource_id: view.resourceId, kind: view.kind, link_id: view.linkId ?? null, visitor, day, at: now }).execute();
  return true;
}

/**
 * Job: rolls raw view events up into daily figures for every day that has
 * raw events from `since` on (today and yesterday by default). Replacing a
 * day's rows makes it safe to run again; days without raw events (imported
 * history) are left alone. Old salts are dropped, so earlier hashes can no
 * longer be linked to anyone.
 */
export async function rollupReach(db: Db, opts: { since?: string } = {}): Promise<{ days: number }> {
  const since = opts.since ?? today(new Date(Date.now() - 86_400_000));
  return db.transaction().execute(async (tx) => {
    const days = (await tx.selectFrom('view_events').select('day').distinct().where('day', '>=', since).execute()).map((d) => d.day);
    for (const day of days) {
      await tx.deleteFrom('reach_daily').where('day', '=', day).execute();
      await tx.deleteFrom('reach_daily_links').where('day', '=', day).execute();
      await sql`INSERT INTO reach_daily (day, resource_id, page_views, downloads, link_visits, unique_visitors)
        SELECT e.day, e.resource_id,
               count(*) FILTER (WHERE e.kind = 1), count(*) FILTER (WHERE e.kind = 2), count(*) FILTER (WHERE e.kind = 3),
               count(DISTINCT e.visitor)
          FROM view_events e JOIN resources r ON r.id = e.resource_id
         WHERE e.day = ${day}
         GROUP BY e.day, e.resource_id`.execute(tx);
      await sql`INSERT INTO reach_daily_links (day, link_id, visits, unique_visitors)
        SELECT e.day, e.link_id, count(*), count(DISTINCT e.visitor)
          FROM view_events e JOIN share_links l ON l.id = e.link_id
         WHERE e.day = ${day} AND e.kind = 3
         GROUP BY e.day, e.link_id`.execute(tx);
    }
    await rebuildMonths(tx, days);
    await tx.deleteFrom('daily_salts').where('day', '<', today(new Date(Date.now() - 2 * 86_400_000))).execute();
    return { days: days.length };
  });
}

/**
 * Recomputes the monthly sums for the months holding these days (all months
 * when none are given, as after loading history).
 */
export async function rebuildMonths(db: Db | Tx, days?: string[]): Promise<void> {
  const months = days ? [...new Set(days.map((d) => `${d.slice(0, 7)}-01`))] : undefined;
  if (months && months.length === 0) return;
  const only = (col: string) => (months ? sql`WHERE date_trunc('month', ${sql.ref(col)})::date = ANY(${months}::date[])` : sql``);
  if (months) {
    await db.deleteFrom('reach_monthly').where('month', 'in', months).execute();
    await db.deleteFrom('reach_monthly_links').where('month', 'in', months).execute();
  } else {
    await db.deleteFrom('reach_monthly').execute();
    await db.deleteFrom('reach_monthly_links').execute();
  }
  await sql`INSERT INTO reach_monthly (month, resource_id, page_views, downloads, link_visits, unique_visitors)
    SELECT date_trunc('month', day)::date, resource_id, sum(page_views), sum(downloads), sum(link_visits), sum(unique_visitors)
      FROM reach_daily ${only('day')} GROUP BY 1, 2`.execute(db);
  await sql`INSERT INTO reach_monthly_links (month, link_id, visits, unique_visitors)
    SELECT date_trunc('month', day)::date, link_id, sum(visits), sum(unique_visitors)
      FROM reach_daily_links ${only('day')} GROUP BY 1, 2`.execute(db);
}

/** First day of the month after `day` (YYYY-MM-DD). */
function nextMonth(day: string): string {
  const d = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 10);
}

/** The whole months inside a range: [firstFull, afterLastFull). */
function fullMonths(f: { from: string; to: string }) {
  const firstFull = f.from.endsWith('-01') ? f.from : nextMonth(f.from);
  const dayAfter = new Date(Date.parse(`${f.to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  // The month of `to` is whole only when `to` is its last day.
  const afterLastFull = dayAfter.endsWith('-01') ? dayAfter : `${f.to.slice(0, 7)}-01`;
  return { firstFull, afterLastFull };
}

/**
 * Web figures for a date range as rows of (resource, month, sums): whole
 * months come from the monthly table, the partial months at either end from
 * the daily one. Every figure is additive, so sums over these rows are exact.
 */
function webRows(f: { from: string; to: string }) {
  const { firstFull, afterLastFull } = fullMonths(f);
  if (firstFull >= afterLastFull) {
    return sql`SELECT resource_id, date_trunc('month', day)::date AS month, page_views::bigint, downloads::bigint, link_visits::bigint, unique_visitors::bigint
      FROM reach_daily WHERE day BETWEEN ${f.from} AND ${f.to}`;
  }
  return sql`SELECT resource_id, date_trunc('month', day)::date AS month, page_views::bigint, downloads::bigint, link_visits::bigint, unique_visitors::bigint
      FROM reach_daily WHERE day BETWEEN ${f.from} AND ${f.to} AND (day < ${firstFull} OR day >= ${afterLastFull})
    UNION ALL
    SELECT resource_id, month, page_views, downloads, link_visits, unique_visitors
      FROM reach_monthly WHERE month >= ${firstFull} AND month < ${afterLastFull}`;
}

/** The same for share links: (link, month, visits, unique visitors). */
function linkRows(f: { from: string; to: string }) {
  const { firstFull, afterLastFull } = fullMonths(f);
  if (firstFull >= afterLastFull) {
    return sql`SELECT link_id, visits::bigint, unique_visitors::bigint FROM reach_daily_links WHERE day BETWEEN ${f.from} AND ${f.to}`;
  }
  return sql`SELECT link_id, visits::bigint, unique_visitors::bigint FROM reach_daily_links
      WHERE day BETWEEN ${f.from} AND ${f.to} AND (day < ${firstFull} OR day >= ${afterLastFull})
    UNION ALL
    SELECT link_id, visits, unique_visitors FROM reach_monthly_links WHERE month >= ${firstFull} AND month < ${afterLastFull}`;
}

// ---- the dashboard --------------------------------------------------------------------------------

export interface ReachFilters {
  from: string;
  to: string;
  /** A practice group: resources filed under it. */
  group?: number;
  /** A state: partner reports that reached it, and use reports from it. */
  state?: string;
  /** An organization (partner): its links and reports. */
  partner?: number;
}

export interface ReachSummary {
  goal: number;
  total: number;
  bySource: { source: string; people: number }[];
  web: { pageViews: number; downloads: number; uniqueVisitors: number; linkVisits: number };
  partners: { id: number; name: string; linkVisitors: number; reported: number }[];
  byMonth: { month: string; web: number; partner_report: number }[];
  byAudience: { audience: string; people: number }[];
  byState: { state: string; people: number }[];
  topResources: { id: number; slug: string; title: string; people: number; uses: number }[];
  use: { reports: number; quality: number | null; relevance: number | null; usefulness: number | null };
  pending: number;
  questioned: number;
  /** From reach to use: who was asked whether they used it, who answered, who did (value/followups.ts). */
  funnel: UseFunnel;
}

/**
 * Resources counted in a reach figure: those the viewer may see (public ones
 * for everyone; members and group resources for those who may read them),
 * optionally one group's.
 */
function resourceScope(viewer: Actor, f: ReachFilters) {
  const parts = [sql<SqlBool>`r.deleted_at IS NULL`, resourceReadableBy(viewer)];
  if (f.group) parts.push(sql<SqlBool>`EXISTS (SELECT 1 FROM resource_groups rg WHERE rg.resource_id = r.id AND rg.group_id = ${f.group})`);
  return sql.join(parts, sql` AND `);
}

/**
 * Reach for a date range, from the ledger: web visitors (daily unique, from
 * rollups), partner-reported recipients (questioned entries left out), split
 * every way the dashboard shows. A state or partner filter narrows to what
 * can be attributed to it (web visitors carry neither, so they drop out
 * unless they came through that partner's links).
 */
export async function reachSummary(db: Db, viewer: Actor, f: ReachFilters, goal: number): Promise<ReachSummary> {
  const scope = resourceScope(viewer, f);
  const webAllowed = !f.state;
  const reportWhere = sql.join(
    [
      sql<SqlBool>`d.status <> 'questioned'`,
      sql<SqlBool>`d.sent_on BETWEEN ${f.from} AND ${f.to}`,
      ...(f.state ? [sql<SqlBool>`(${f.state} = ANY(d.states) OR EXISTS (SELECT 1 FROM state_initiatives s WHERE s.id = d.state_initiative_id AND s.state_code = ${f.state}))`] : []),
      ...(f.partner ? [sql<SqlBool>`d.organization_id = ${f.partner}`] : []),
    ],
    sql` AND `,
  );
  const webQuery = f.partner
    ? // A partner's web reach is the visitors who came through its links.
      sql`SELECT coalesce(sum(x.unique_visitors),0)::bigint AS uv, 0::bigint AS pv, 0::bigint AS dl, coalesce(sum(x.visits),0)::bigint AS lv
          FROM (${linkRows(f)}) x JOIN share_links l ON l.id = x.link_id JOIN resources r ON r.id = l.resource_id
         WHERE l.organization_id = ${f.partner} AND ${scope}`
    : undefined;
  const webOn = webAllowed && !f.partner;

  const [web, reported, partners, months, audiences, states, top, use, review, funnel] = await Promise.all([
    webQuery && webAllowed ? webQuery.execute(db) : Promise.resolve(undefined),
    sql<{ people: number }>`SELECT coalesce(sum(d.recipients),0)::bigint AS people FROM dissemination_reports d JOIN resources r ON r.id = d.resource_id WHERE ${reportWhere} AND ${scope}`.execute(db),
    sql<{ id: number; name: string; link_visitors: number; reported: number }>`
      WITH lv AS (
        SELECT l.organization_id AS id, sum(x.unique_visitors)::bigint AS n
          FROM (${linkRows(f)}) x JOIN share_links l ON l.id = x.link_id JOIN resources r ON r.id = l.resource_id
         WHERE l.organization_id IS NOT NULL AND ${scope} ${f.state ? sql`AND false` : sql``}
         GROUP BY 1),
      rp AS (
        SELECT d.organization_id AS id, sum(d.recipients)::bigint AS n
          FROM dissemination_reports d JOIN resources r ON r.id = d.resource_id
         WHERE ${reportWhere} AND d.organization_id IS NOT NULL AND ${scope}
         GROUP BY 1)
      SELECT o.id, o.name, coalesce(lv.n,0) AS link_visitors, coalesce(rp.n,0) AS reported
        FROM organizations o LEFT JOIN lv ON lv.id = o.id LEFT JOIN rp ON rp.id = o.id
       WHERE (lv.n IS NOT NULL OR rp.n IS NOT NULL) ${f.partner ? sql`AND o.id = ${f.partner}` : sql``}
       ORDER BY coalesce(lv.n,0) + coalesce(rp.n,0) DESC, o.name LIMIT 25`.execute(db),
    sql<{ month: string; web: number; partner_report: number; pv: number; dl: number; lv: number }>`
      WITH w AS (
        SELECT to_char(x.month, 'YYYY-MM') AS month, sum(x.unique_visitors)::bigint AS n,
               sum(x.page_views)::bigint AS pv, sum(x.downloads)::bigint AS dl, sum(x.link_visits)::bigint AS lv
          FROM (${webRows(f)}) x JOIN resources r ON r.id = x.resource_id
         WHERE ${scope} AND ${webOn ? sql`true` : sql`false`}
         GROUP BY 1),
      p AS (
        SELECT to_char(d.sent_on, 'YYYY-MM') AS month, sum(d.recipients)::bigint AS n
          FROM dissemination_reports d JOIN resources r ON r.id = d.resource_id
         WHERE ${reportWhere} AND ${scope}
         GROUP BY 1)
      SELECT m.month, coalesce(w.n,0) AS web, coalesce(p.n,0) AS partner_report, coalesce(w.pv,0) AS pv, coalesce(w.dl,0) AS dl, coalesce(w.lv,0) AS lv
        FROM (SELECT month FROM w UNION SELECT month FROM p) m LEFT JOIN w USING (month) LEFT JOIN p USING (month)
       ORDER BY m.month`.execute(db),
    sql<{ audience: string; people: number }>`
      SELECT a AS audience, sum(d.recipients)::bigint AS people
        FROM dissemination_reports d JOIN resources r ON r.id = d.resource_id, unnest(d.audiences) a
       WHERE ${reportWhere} AND ${scope}
       GROUP BY a ORDER BY 2 DESC`.execute(db),
    sql<{ state: string; people: number }>`
      SELECT s AS state, sum(d.recipients)::bigint AS people
        FROM dissemination_reports d JOIN resources r ON r.id = d.resource_id, unnest(d.states) s
       WHERE ${reportWhere} AND ${scope}
       GROUP BY s ORDER BY 2 DESC`.execute(db),
    sql<{ id: number; slug: string; title: string; people: number; uses: number }>`
      WITH w AS (SELECT x.resource_id, sum(x.unique_visitors)::bigint AS n FROM (${webRows(f)}) x
                  WHERE ${webOn ? sql`true` : sql`false`} GROUP BY 1),
           p AS (SELECT d.resource_id, sum(d.recipients)::bigint AS n FROM dissemination_reports d WHERE ${reportWhere} GROUP BY 1),
           u AS (SELECT resource_id, count(*)::bigint AS n FROM use_reports WHERE created_at::date BETWEEN ${f.from} AND ${f.to} GROUP BY 1)
      SELECT r.id, r.slug, r.title, coalesce(w.n,0) + coalesce(p.n,0) AS people, coalesce(u.n,0) AS uses
        FROM resources r LEFT JOIN w ON w.resource_id = r.id LEFT JOIN p ON p.resource_id = r.id LEFT JOIN u ON u.resource_id = r.id
       WHERE ${scope} AND (w.n IS NOT NULL OR p.n IS NOT NULL OR u.n IS NOT NULL)
       ORDER BY people DESC, uses DESC, r.title LIMIT 10`.execute(db),
    sql<{ reports: number; quality: number | null; relevance: number | null; usefulness: number | null }>`
      SELECT count(*)::bigint AS reports, round(avg(u.quality)::numeric, 2)::float8 AS quality,
             round(avg(u.relevance)::numeric, 2)::float8 AS relevance, round(avg(u.usefulness)::numeric, 2)::float8 AS usefulness
        FROM use_reports u JOIN resources r ON r.id = u.resource_id
       WHERE u.created_at::date BETWEEN ${f.from} AND ${f.to} AND ${scope}
         ${f.state ? sql`AND u.state_code = ${f.state}` : sql``} ${f.partner ? sql`AND false` : sql``}`.execute(db),
    sql<{ pending: number; questioned: number }>`
      SELECT count(*) FILTER (WHERE d.status = 'reported')::bigint AS pending, count(*) FILTER (WHERE d.status = 'questioned')::bigint AS questioned
        FROM dissemination_reports d JOIN resources r ON r.id = d.resource_id
       WHERE d.sent_on BETWEEN ${f.from} AND ${f.to} AND ${scope}`.execute(db),
    useFunnel(db, viewer, f),
  ]);
  // Web totals are the sums of the monthly rows (every figure is additive), or the partner's link figures.
  const w = (web?.rows[0] as { uv: number; pv: number; dl: number; lv: number } | undefined) ?? {
    uv: months.rows.reduce((n, m) => n + Number(m.web), 0),
    pv: months.rows.reduce((n, m) => n + Number(m.pv), 0),
    dl: months.rows.reduce((n, m) => n + Number(m.dl), 0),
    lv: months.rows.reduce((n, m) => n + Number(m.lv), 0),
  };
  const webPeople = Number(w.uv);
  const reportedPeople = Number(reported.rows[0]!.people);
  return {
    goal,
    total: webPeople + reportedPeople,
    bySource: [
      { source: 'web', people: webPeople },
      { source: 'partner_report', people: reportedPeople },
    ],
    web: { pageViews: Number(w.pv), downloads: Number(w.dl), uniqueVisitors: webPeople, linkVisits: Number(w.lv) },
    partners: partners.rows.map((p) => ({ id: p.id, name: p.name, linkVisitors: Number(p.link_visitors), reported: Number(p.reported) })),
    byMonth: months.rows.map((m) => ({ month: m.month, web: Number(m.web), partner_report: Number(m.partner_report) })).filter((m) => m.web > 0 || m.partner_report > 0),
    byAudience: audiences.rows.map((a) => ({ audience: a.audience, people: Number(a.people) })),
    byState: states.rows.map((s) => ({ state: s.state, people: Number(s.people) })),
    topResources: top.rows.map((r) => ({ ...r, people: Number(r.people), uses: Number(r.uses) })),
    use: { reports: Number(use.rows[0]!.reports), quality: use.rows[0]!.quality, relevance: use.rows[0]!.relevance, usefulness: use.rows[0]!.usefulness },
    pending: Number(review.rows[0]!.pending),
    questioned: Number(review.rows[0]!.questioned),
    funnel,
  };
}

/** Every ledger entry in a range, for the CSV export and the funder report's appendix. */
export async function ledgerEntries(db: Db, viewer: Actor, f: ReachFilters) {
  const scope = resourceScope(viewer, f);
  const r = await sql<{ source: string; day: string; resource: string; partner: string | null; channel: string | null; people: number; status: string; method: string; entry: string }>`
    SELECT 'web' AS source, x.day::text AS day, r.title AS resource, NULL AS partner, NULL AS channel, x.unique_visitors::bigint AS people,
           'counted' AS status, 'daily unique visitors (pages, downloads and share links together)' AS method, 'reach_daily:' || x.day || ':' || r.id AS entry
      FROM reach_daily x JOIN resources r ON r.id = x.resource_id
     WHERE x.day BETWEEN ${f.from} AND ${f.to} AND ${scope} ${f.state || f.partner ? sql`AND false` : sql``}
    UNION ALL
    SELECT 'share_link', x.day::text, r.title, coalesce(o.name, s.name), l.channel, x.unique_visitors::bigint,
           'counted', 'daily unique visitors through this link (already inside web)', 'reach_daily_links:' || x.day || ':' || l.code
      FROM reach_daily_links x JOIN share_links l ON l.id = x.link_id JOIN resources r ON r.id = l.resource_id
      LEFT JOIN organizations o ON o.id = l.organization_id LEFT JOIN state_initiatives s ON s.id = l.state_initiative_id
     WHERE x.day BETWEEN ${f.from} AND ${f.to} AND ${scope} ${f.partner ? sql`AND l.organization_id = ${f.partner}` : sql``} ${f.state ? sql`AND false` : sql``}
    UNION ALL
    SELECT 'partner_report', d.sent_on::text, r.title, coalesce(o.name, s.name), d.channel, d.recipients::bigint,
           d.status, 'recipients reported by the partner', 'dissemination_reports:' || d.id
      FROM dissemination_reports d JOIN resources r ON r.id = d.resource_id
      LEFT JOIN organizations o ON o.id = d.organization_id LEFT JOIN state_initiatives s ON s.id = d.state_initiative_id
     WHERE d.sent_on BETWEEN ${f.from} AND ${f.to} AND ${scope}
       ${f.partner ? sql`AND d.organization_id = ${f.partner}` : sql``}
       ${f.state ? sql`AND (${f.state} = ANY(d.states) OR s.state_code = ${f.state})` : sql``}
    ORDER BY 2, 1, 3
    LIMIT 100000`.execute(db);
  return r.rows.map((x) => ({ ...x, people: Number(x.people) }));
}
