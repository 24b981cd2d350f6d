import { sql } from 'kysely';
import type { Db } from '../platform/db/db.js';
import type { ValueCycle } from '../platform/db/schema.js';
import type { ReachFilters } from './ledger.js';

/**
 * What the funder report adds to the reach summary: how deeply people took
 * part in each group, the stories of value told, and the decisions the
 * partnership made and who took part in them. The report leaves the
 * community's hands (it is printed for funders), so private groups are
 * counted but never named, and only stories their authors made public are
 * named.
 */

export interface GroupDepth {
  name: string;
  people: number;
  threads: number;
  replies: number;
  attended: number;
  used: number;
}

export interface FunderExtras {
  groups: GroupDepth[];
  /** Private groups, together (never named). */
  privateGroups: GroupDepth | null;
  stories: { cycle: ValueCycle; count: number; titles: string[] }[];
  storiesTotal: number;
  decisions: { title: string; kind: string; voters: number; perspectives: number; outcome: string }[];
  decisionsPrivate: number;
  /** Voters in the period's decisions per perspective (a person counted once per perspective). */
  decisionPerspectives: { perspective: string; people: number }[];
}

export async function funderExtras(db: Db, f: ReachFilters): Promise<FunderExtras> {
  const groupFilter = f.group ? sql`AND g.id = ${f.group}` : sql``;
  const storyGroup = f.group ? sql`AND s.group_id = ${f.group}` : sql``;
  const [groups, stories, titles, decisions, perspectives, storiesTotal] = await Promise.all([
    sql<{ name: string | null; private: boolean; people: number; threads: number; replies: number; attended: number; used: number }>`
      SELECT CASE WHEN g.visibility = 'private' THEN NULL ELSE g.name END AS name, g.visibility = 'private' AS private,
             count(DISTINCT e.user_id)::int AS people, coalesce(sum(e.posted), 0)::int AS threads, coalesce(sum(e.replied), 0)::int AS replies,
             coalesce(sum(e.attended), 0)::int AS attended, coalesce(sum(e.used), 0)::int AS used
        FROM engagement_daily e JOIN practice_groups g ON g.id = e.group_id
       WHERE e.day BETWEEN ${f.from} AND ${f.to} ${groupFilter}
       GROUP BY 1, 2
       ORDER BY 3 DESC, 1`.execute(db),
    sql<{ cycle: ValueCycle; n: number }>`
      SELECT c AS cycle, count(*)::int AS n FROM value_stories s, unnest(s.cycles) c
       WHERE s.created_at::date BETWEEN ${f.from} AND ${f.to} ${storyGroup}
       GROUP BY c`.execute(db),
    sql<{ cycle: ValueCycle; title: string }>`
      SELECT x.cycle, x.title FROM (
        SELECT c AS cycle, s.title, row_number() OVER (PARTITION BY c ORDER BY s.created_at DESC) AS n
          FROM value_stories s, unnest(s.cycles) c
         WHERE s.created_at::date BETWEEN ${f.from} AND ${f.to} AND s.status = 'approved' AND s.audience = 'public'
           ${storyGroup}) x
       WHERE x.n <= 2 ORDER BY x.cycle, x.n`.execute(db),
    sql<{ title: string; kind: string; voters: number; perspectives: number; outcome: string | null; private: boolean }>`
      SELECT d.title, d.kind, d.outcome, coalesce(g.visibility = 'private', false) AS private,
             (SELECT count(*)::int FROM decision_votes v WHERE v.decision_id = d.id) AS voters,
             (SELECT count(DISTINCT p)::int FROM decision_votes v, unnest(v.perspectives) p WHERE v.decision_id = d.id) AS perspectives
        FROM decisions d JOIN threads t ON t.id = d.thread_id LEFT JOIN practice_groups g ON g.id = t.group_id
       WHERE d.closed_at IS NOT NULL AND d.closed_at::date BETWEEN ${f.from} AND ${f.to} AND t.deleted_at IS NULL ${groupFilter}
       ORDER BY d.closed_at DESC LIMIT 60`.execute(db),
    sql<{ perspective: string; people: number }>`
      SELECT p AS perspective, count(DISTINCT v.user_id)::int AS people
        FROM decisions d JOIN threads t ON t.id = d.thread_id LEFT JOIN practice_groups g ON g.id = t.group_id
        JOIN decision_votes v ON v.decision_id = d.id, unnest(v.perspectives) p
       WHERE d.closed_at IS NOT NULL AND d.closed_at::date BETWEEN ${f.from} AND ${f.to} AND t.deleted_at IS NULL ${groupFilter}
       GROUP BY p ORDER BY 2 DESC`.execute(db),
    sql<{ n: number }>`SELECT count(*)::int AS n FROM value_stories s WHERE s.created_at::date BETWEEN ${f.from} AND ${f.to} ${storyGroup}`.execute(db),
  ]);
  const named = groups.rows.filter((g) => !g.private).slice(0, 12);
  const hidden = groups.rows.find((g) => g.private) ?? null;
  const counts = new Map(stories.rows.map((r) => [r.cycle, r.n]));
  const order: ValueCycle[] = ['immediate', 'potential', 'applied', 'realized', 'reframing'];
  // Bounded, so the report stays a few pages whatever people wrote.
  const excerpt = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1).trimEnd()}…` : s);
  return {
    groups: named.map(({ private: _p, name, ...g }) => ({ name: name ?? '', ...g })),
    privateGroups: hidden ? { name: '', people: hidden.people, threads: hidden.threads, replies: hidden.replies, attended: hidden.attended, used: hidden.used } : null,
    stories: order.map((cycle) => ({ cycle, count: counts.get(cycle) ?? 0, titles: titles.rows.filter((r) => r.cycle === cycle).map((r) => excerpt(r.title, 120)) })),
    storiesTotal: storiesTotal.rows[0]!.n,
    decisions: decisions.rows.filter((d) => !d.private).slice(0, 10).map((d) => ({ title: excerpt(d.title, 140), kind: d.kind, voters: d.voters, perspectives: d.perspectives, outcome: excerpt(d.outcome ?? '', 180) })),
    decisionsPrivate: decisions.rows.filter((d) => d.private).length,
    decisionPerspectives: perspectives.rows,
  };
}
