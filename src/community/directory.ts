import { sql, type SqlBool } from 'kysely';
import type { Db } from '../platform/db/db.js';
import type { Actor } from '../platform/auth/actor.js';
import { fieldVisibleSql, listableSql } from './policy.js';
import { can } from '../platform/auth/policy.js';
import { escapeLike, organizationsOf, PERSON_COLUMNS, presentPerson, type PersonRow, type PersonView } from './queries.js';

/**
 * The member directory. Every filter on a profile field only matches people
 * who let the viewer see that field (so a search cannot reveal what a person
 * hid), youth never appear to anonymous visitors, and hidden or deactivated
 * people never appear at all. The rules mirror the policy's field rules, in SQL.
 */

export interface DirectoryFilters {
  q?: string;
  perspective?: string;
  state?: string;
  /** Organization id. */
  organization?: number;
  /** Practice group id (the viewer must be able to see the group). */
  group?: number;
  expertise?: string;
  page?: number;
}

export const DIRECTORY_PAGE = 24;

export async function searchDirectory(db: Db, viewer: Actor, f: DirectoryFilters): Promise<{ people: PersonView[]; total: number }> {
  const where: ReturnType<typeof sql<SqlBool>>[] = [listableSql(viewer)];
  const q = f.q?.trim();
  if (q) {
    const like = `%${escapeLike(q)}%`;
    where.push(sql<SqlBool>`(u.name ILIKE ${like}
      OR (${fieldVisibleSql(viewer, 'expertise')} AND EXISTS (SELECT 1 FROM unnest(u.expertise) x WHERE x ILIKE ${like}))
      OR (${fieldVisibleSql(viewer, 'bio')} AND u.bio ILIKE ${like}))`);
  }
  if (f.perspective) where.push(sql<SqlBool>`(${f.perspective} = ANY(u.perspectives) AND ${fieldVisibleSql(viewer, 'perspectives')})`);
  if (f.state) where.push(sql<SqlBool>`(u.state_code = ${f.state} AND ${fieldVisibleSql(viewer, 'state')})`);
  if (f.organization) where.push(sql<SqlBool>`(EXISTS (SELECT 1 FROM user_organizations uo WHERE uo.user_id = u.id AND uo.organization_id = ${f.organization}) AND ${fieldVisibleSql(viewer, 'organizations')})`);
  if (f.group) where.push(sql<SqlBool>`EXISTS (SELECT 1 FROM group_memberships m WHERE m.user_id = u.id AND m.group_id = ${f.group} AND m.status = 'active')`);
  if (f.expertise?.trim()) {
    const like = `%${escapeLike(f.expertise.trim())}%`;
    where.push(sql<SqlBool>`(EXISTS (SELECT 1 FROM unnest(u.expertise) x WHERE x ILIKE ${like}) AND ${fieldVisibleSql(viewer, 'expertise')})`);
  }
  const cond = sql.join(where, sql` AND `);
  const offset = ((f.page ?? 1) - 1) * DIRECTORY_PAGE;
  const cols = sql.join(PERSON_COLUMNS.map((c) => sql.ref(`u.${c}`)));
  const [rows, total] = await Promise.all([
    sql<PersonRow>`SELECT ${cols} FROM users u WHERE ${cond} ORDER BY lower(u.name), u.id LIMIT ${DIRECTORY_PAGE} OFFSET ${offset}`.execute(db),
    sql<{ n: number }>`SELECT count(*)::int AS n FROM users u WHERE ${cond}`.execute(db),
  ]);
  const orgs = await organizationsOf(db, rows.rows.map((r) => r.id));
  // The policy has the last word on every row and field.
  const people = rows.rows.filter((p) => can(viewer, 'person.view', { ...p, visibility: p.visibility ?? {} })).map((p) => presentPerson(viewer, p, orgs.get(p.id) ?? []));
  return { people, total: total.rows[0]!.n };
}

/**
 * The practice groups a set of (already visible) people take part in, with how
 * many of them, limited to groups the viewer may see. For organization and state pages.
 */
export async function groupsOfPeople(db: Db, viewer: Actor, userIds: number[]) {
  if (userIds.length === 0) return [];
  const rows = await db
    .selectFrom('group_memberships as m')
    .innerJoin('practice_groups as g', 'g.id', 'm.group_id')
    .select(['g.id', 'g.slug', 'g.name', 'g.visibility', 'g.join_policy', 'g.archived_at'])
    .select((eb) => eb.fn.count<number>('m.user_id').distinct().as('people'))
    .where('m.user_id', 'in', userIds)
    .where('m.status', '=', 'active')
    .where('g.archived_at', 'is', null)
    .groupBy(['g.id', 'g.slug', 'g.name', 'g.visibility', 'g.join_policy', 'g.archived_at'])
    .orderBy(sql`count(DISTINCT m.user_id) DESC`)
    .orderBy('g.name')
    .execute();
  return rows.filter((g) => can(viewer, 'group.view', g)).map((g) => ({ slug: g.slug, name: g.name, people: Number(g.people) }));
}
