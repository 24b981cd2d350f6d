import { sql, type SqlBool } from 'kysely';
import type { Db, Tx } from '../platform/db/db.js';
import { perspectiveGaps, type PerspectiveGap } from '../agenda/queries.js';

/**
 * Engagement analytics. Activity (posting, replying, attending, sharing a
 * resource, reporting its use) is rolled up by an hourly job into one row per
 * person, day and group, so every chart reads a small table instead of
 * scanning posts and registrations on each page view.
 */

const ACTIVITY = sql`
  SELECT (p.created_at AT TIME ZONE 'UTC')::date AS day, p.author_id AS user_id, coalesce(t.group_id, 0) AS group_id,
         CASE WHEN p.is_opening THEN 1 ELSE 0 END AS posted, CASE WHEN p.is_opening THEN 0 ELSE 1 END AS replied, 0 AS attended, 0 AS shared, 0 AS used
    FROM posts p JOIN threads t ON t.id = p.thread_id
   WHERE p.author_id IS NOT NULL AND p.deleted_at IS NULL AND t.deleted_at IS NULL
  UNION ALL
  SELECT (e.starts_at AT TIME ZONE 'UTC')::date, r.user_id, coalesce(e.group_id, 0), 0, 0, 1, 0, 0
    FROM event_registrations r JOIN events e ON e.id = r.event_id
   WHERE r.attended
  UNION ALL
  -- One share per resource, however many groups it is filed under (counted for the first of them).
  SELECT (r.created_at AT TIME ZONE 'UTC')::date, r.created_by, coalesce((SELECT min(rg.group_id) FROM resource_groups rg WHERE rg.resource_id = r.id), 0), 0, 0, 0, 1, 0
    FROM resources r
   WHERE r.created_by IS NOT NULL AND r.deleted_at IS NULL
  UNION ALL
  SELECT (d.created_at AT TIME ZONE 'UTC')::date, d.reported_by, 0, 0, 0, 0, 1, 0
    FROM dissemination_reports d WHERE d.reported_by IS NOT NULL
  UNION ALL
  SELECT (l.created_at AT TIME ZONE 'UTC')::date, l.created_by, 0, 0, 0, 0, 1, 0
    FROM share_links l WHERE l.created_by IS NOT NULL
  UNION ALL
  SELECT (u.created_at AT TIME ZONE 'UTC')::date, u.user_id, 0, 0, 0, 0, 0, 1
    FROM use_reports u WHERE u.user_id IS NOT NULL`;

/**
 * Recomputes engagement for some days (default: yesterday and today, plus the
 * days of events whose attendance changed in that time), or for all time.
 * Safe to run twice: each day is replaced as a whole, in one transaction.
 */
export async function rollupEngagement(db: Db | Tx, opts: { all?: boolean; days?: string[] } = {}): Promise<number> {
  const inTx = <R>(fn: (tx: Tx) => Promise<R>) => (db.isTransaction ? fn(db as Tx) : (db as Db).transaction().execute(fn));
  return inTx(async (tx) => {
    // One rollup at a time (the hourly job and a manual rebuild).
    await sql`SELECT pg_advisory_xact_lock(hashtext('convene:engagement-rollup'))`.execute(tx);
    if (opts.all) {
      await sql`DELETE FROM engagement_daily`.execute(tx);
      const r = await sql`INSERT INTO engagement_daily (day, user_id, group_id, posted, replied, attended, shared, used)
        SELECT day, user_id, group_id, sum(posted), sum(replied), sum(attended), sum(shared), sum(used) FROM (${ACTIVITY}) a GROUP BY 1, 2, 3`.execute(tx);
      await sql`DELETE FROM engagement_first`.execute(tx);
      await sql`INSERT INTO engagement_first (user_id, first_day) SELECT user_id, min(day) FROM engagement_daily GROUP BY 1`.execute(tx);
      return Number(r.numAffectedRows ?? 0);
    }
    let days = opts.days;
    if (!days) {
      const r = await sql<{ day: string }>`
        SELECT d::date::text AS day FROM generate_series((now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date, interval '1 day') d
        UNION SELECT DISTINCT (starts_at AT TIME ZONE 'UTC')::date::text FROM events WHERE updated_at >= now() - interval '2 days'`.execute(tx);
      days = r.rows.map((x) => x.day);
    }
    if (days.length === 0) return 0;
    await sql`DELETE FROM engagement_daily WHERE day = ANY(${days}::date[])`.execute(tx);
    const r = await sql`INSERT INTO engagement_daily (day, user_id, group_id, posted, replied, attended, shared, used)
      SELECT day, user_id, group_id, sum(posted), sum(replied), sum(attended), sum(shared), sum(used) FROM (${ACTIVITY}) a
       WHERE day = ANY(${days}::date[]) GROUP BY 1, 2, 3`.execute(tx);
    await sql`INSERT INTO engagement_first (user_id, first_day)
      SELECT user_id, min(day) FROM engagement_daily WHERE day = ANY(${days}::date[]) GROUP BY 1
      ON CONFLICT (user_id) DO UPDATE SET first_day = least(engagement_first.first_day, EXCLUDED.first_day)`.execute(tx);
    return Number(r.numAffectedRows ?? 0);
  });
}

export interface EngagementFilters {
  from: string;
  to: string;
  /** One practice group (leads see only theirs). */
  group?: number;
}

export interface EngagementSummary {
  active: number;
  /** People who did each thing in the period (each at most `active`). */
  actions: Actions;
  /** How many times each thing was done. */
  actionCounts: Actions;
  byMonth: { month: string; active: number; new: number; returning: number }[];
  byPerspective: PerspectiveGap[];
  byState: { key: string; active: number }[];
  byOrganization: { key: string; active: number }[];
  byGroup: { id: number; name: string; active: number }[];
  crossGroup: { people: number; pairs: { a: string; b: string; people: number }[] };
}

export interface Actions {
  posted: number;
  replied: number;
  attended: number;
  shared: number;
  used: number;
}
export const ACTION_KEYS = ['posted', 'replied', 'attended', 'shared', 'used'] as const;

/**
 * Everything the analytics page shows, from the rollup table only. The
 * measures, each defined here once: an active member did at least one of the
 * actions in the period (and, with a group, in that group); "people who …"
 * counts each person once per action, so it never exceeds the active members;
 * "times" counts each action once.
 */
export async function engagementSummary(db: Db, f: EngagementFilters, visibleGroup: (id: number) => boolean): Promise<EngagementSummary> {
  const where = sql.join(
    [sql<SqlBool>`d.day BETWEEN ${f.from}::date AND ${f.to}::date`, ...(f.group ? [sql<SqlBool>`d.group_id = ${f.group}`] : [])],
    sql` AND `,
  );
  const activeCond = sql<SqlBool>`u.id IN (SELECT d.user_id FROM engagement_daily d WHERE ${where})`;
  const [totals, months, states, orgs, groups, cross, pairs, gaps] = await Promise.all([
    sql<{ active: number } & Actions & Record<`${keyof Actions}_people`, number>>`
      SELECT count(DISTINCT d.user_id)::int AS active, coalesce(sum(d.posted),0)::int AS posted, coalesce(sum(d.replied),0)::int AS replied,
             coalesce(sum(d.attended),0)::int AS attended, coalesce(sum(d.shared),0)::int AS shared, coalesce(sum(d.used),0)::int AS used,
             count(DISTINCT d.user_id) FILTER (WHERE d.posted > 0)::int AS posted_people, count(DISTINCT d.user_id) FILTER (WHERE d.replied > 0)::int AS replied_people,
             count(DISTINCT d.user_id) FILTER (WHERE d.attended > 0)::int AS attended_people, count(DISTINCT d.user_id) FILTER (WHERE d.shared > 0)::int AS shared_people,
             count(DISTINCT d.user_id) FILTER (WHERE d.used > 0)::int AS used_people
        FROM engagement_daily d WHERE ${where}`.execute(db),
    sql<{ month: string; active: number; new: number }>`
      SELECT to_char(date_trunc('month', d.day), 'YYYY-MM') AS month, count(DISTINCT d.user_id)::int AS active,
             count(DISTINCT d.user_id) FILTER (WHERE date_trunc('month', f.first_day) = date_trunc('month', d.day))::int AS new
        FROM engagement_daily d JOIN engagement_first f ON f.user_id = d.user_id
       WHERE ${where} GROUP BY 1 ORDER BY 1`.execute(db),
    sql<{ key: string; active: number }>`
      SELECT coalesce(u.state_code, '--') AS key, count(*)::int AS active FROM users u WHERE ${activeCond} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 60`.execute(db),
    sql<{ key: string; active: number }>`
      SELECT o.name AS key, count(DISTINCT u.id)::int AS active FROM users u JOIN user_organizations uo ON uo.user_id = u.id JOIN organizations o ON o.id = uo.organization_id
       WHERE ${activeCond} GROUP BY o.name ORDER BY 2 DESC, 1 LIMIT 15`.execute(db),
    sql<{ id: number; name: string; active: number }>`
      SELECT g.id, g.name, count(DISTINCT d.user_id)::int AS active FROM engagement_daily d JOIN practice_groups g ON g.id = d.group_id
       WHERE ${where} GROUP BY g.id, g.name ORDER BY 3 DESC, 2`.execute(db),
    // People active in more than one group over the period (for one group: its active people also active elsewhere).
    sql<{ people: number }>`
      SELECT count(*)::int AS people FROM (
        SELECT d.user_id FROM engagement_daily d WHERE d.day BETWEEN ${f.from}::date AND ${f.to}::date AND d.group_id <> 0
         ${f.group ? sql`AND d.user_id IN (SELECT x.user_id FROM engagement_daily x WHERE x.group_id = ${f.group} AND x.day BETWEEN ${f.from}::date AND ${f.to}::date)` : sql``}
         GROUP BY d.user_id HAVING count(DISTINCT d.group_id) > 1) m`.execute(db),
    sql<{ a: number; b: number; an: string; bn: string; people: number }>`
      WITH ug AS (SELECT DISTINCT d.user_id, d.group_id FROM engagement_daily d WHERE d.day BETWEEN ${f.from}::date AND ${f.to}::date AND d.group_id <> 0)
      SELECT x.group_id AS a, y.group_id AS b, ga.name AS an, gb.name AS bn, count(*)::int AS people
        FROM ug x JOIN ug y ON y.user_id = x.user_id AND y.group_id > x.group_id
        JOIN practice_groups ga ON ga.id = x.group_id JOIN practice_groups gb ON gb.id = y.group_id
       ${f.group ? sql`WHERE x.group_id = ${f.group} OR y.group_id = ${f.group}` : sql``}
       GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC, 3, 4 LIMIT 10`.execute(db),
    perspectiveGaps(db, activeCond),
  ]);
  const t = totals.rows[0]!;
  return {
    active: t.active,
    actions: { posted: t.posted_people, replied: t.replied_people, attended: t.attended_people, shared: t.shared_people, used: t.used_people },
    actionCounts: { posted: t.posted, replied: t.replied, attended: t.attended, shared: t.shared, used: t.used },
    byMonth: months.rows.map((m) => ({ month: m.month, active: m.active, new: m.new, returning: m.active - m.new })),
    byPerspective: gaps,
    byState: states.rows,
    byOrganization: orgs.rows,
    // Groups the viewer may not see are left out by name.
    byGroup: groups.rows.filter((g) => visibleGroup(g.id)),
    crossGroup: {
      people: cross.rows[0]!.people,
      pairs: pairs.rows.filter((p) => visibleGroup(p.a) && visibleGroup(p.b)).map((p) => ({ a: p.an, b: p.bn, people: p.people })),
    },
  };
}
