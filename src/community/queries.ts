import { memoPerDb } from '../platform/db/memo.js';
import { sql } from 'kysely';
import type { Db } from '../platform/db/db.js';
import type { Organization, User } from '../platform/db/schema.js';
import type { Actor } from '../platform/auth/actor.js';
import { can } from '../platform/auth/policy.js';
import type { PersonSubject } from './policy.js';
import { PROFILE_FIELDS } from './vocab.js';
import { CONTENT, loc, localizeRow, type Lang, type Translations } from '../platform/i18n/content.js';

/** The community's fields written in both languages. */
export const COMMUNITY_TEXT = CONTENT.community!.fields;

export interface CommunityInfo {
  name: string;
  short_name: string;
  tagline: string;
  mission: string;
  shared_agenda: string;
  /** The language the fields above are written in; `translations` holds the other. */
  language: 'en' | 'es';
  translations: Translations;
  reach_goal: number;
  /** Days after a download, a tracked link or a convening before asking whether it was used. */
  followup_delay_days: number;
  website: string | null;
  facilitators: { id: number; slug: string; name: string; short_name: string; funders: { slug: string; name: string; short_name: string }[] }[];
}

export async function loadCommunity(db: Db): Promise<CommunityInfo | undefined> {
  const row = await db.selectFrom('community').selectAll().executeTakeFirst();
  if (!row) return undefined;
  const roles = await db
    .selectFrom('community_roles as r')
    .innerJoin('organizations as o', 'o.id', 'r.organization_id')
    .select(['o.id', 'o.slug', 'o.name', 'o.short_name', 'r.role', 'r.supports_organization_id', 'r.position'])
    .orderBy('r.position')
    .execute();
  const facilitators = roles
    .filter((r) => r.role === 'facilitator')
    .map((f) => ({
      id: f.id,
      slug: f.slug,
      name: f.name,
      short_name: f.short_name,
      funders: roles.filter((r) => r.role === 'funder' && r.supports_organization_id === f.id).map((r) => ({ slug: r.slug, name: r.name, short_name: r.short_name })),
    }));
  return {
    name: row.name,
    short_name: row.short_name,
    tagline: row.tagline,
    mission: row.mission,
    shared_agenda: row.shared_agenda,
    language: row.language,
    translations: row.translations,
    reach_goal: row.reach_goal,
    followup_delay_days: row.followup_delay_days,
    website: row.website,
    facilitators,
  };
}

/**
 * The community row is read on every page (its name is in the header), so each
 * process keeps it for a few seconds; `invalidate()` after a change here, and
 * other processes catch up within the TTL.
 */
export class CommunityCache {
  private value: CommunityInfo | undefined;
  private loadedAt = 0;
  private pending: Promise<CommunityInfo | undefined> | undefined;
  constructor(
    private readonly db: Db,
    private readonly ttlMs = 10_000,
  ) {}

  async get(): Promise<CommunityInfo | undefined> {
    if (this.value && Date.now() - this.loadedAt < this.ttlMs) return this.value;
    this.pending ??= loadCommunity(this.db).finally(() => (this.pending = undefined));
    this.value = await this.pending;
    this.loadedAt = Date.now();
    return this.value;
  }

  /** The name for page headers, in the reader's language where written; falls back to "Convene" before the community exists. */
  nameOrDefault(locale: Lang = 'en'): string {
    if (!this.value) return 'Convene';
    return loc(this.value, 'short_name', locale) || loc(this.value, 'name', locale) || 'Convene';
  }

  /** The community's own text in the reader's language (see localizeRow). */
  async localized(locale: Lang) {
    const c = await this.get();
    return c ? localizeRow(c, COMMUNITY_TEXT, locale) : undefined;
  }

  invalidate(): void {
    this.loadedAt = 0;
  }
}

/** The home page's figures: counted at most every 30 seconds (counting every member on each view costs). */
export const homeCounts = memoPerDb(30_000, async (db) => {
  const r = await sql<{ states: number; organizations: number; members: number; groups: number }>`
    SELECT
      (SELECT count(*) FROM state_initiatives)::int AS states,
      (SELECT count(*) FROM organizations)::int AS organizations,
      (SELECT count(*) FROM users WHERE deactivated_at IS NULL AND NOT hidden)::int AS members,
      (SELECT count(*) FROM practice_groups WHERE archived_at IS NULL)::int AS groups`.execute(db);
  return r.rows[0]!;
});

export async function listOrganizations(db: Db, opts: { kind?: string; q?: string } = {}) {
  let q = db
    .selectFrom('organizations as o')
    .select(['o.id', 'o.slug', 'o.name', 'o.short_name', 'o.kind', 'o.level', 'o.website', 'o.states', 'o.description'])
    .select((eb) =>
      eb
        .selectFrom('user_organizations as uo')
        .innerJoin('users as u', 'u.id', 'uo.user_id')
        .whereRef('uo.organization_id', '=', 'o.id')
        .where('u.hidden', '=', false)
        .where('u.deactivated_at', 'is', null)
        .select((e) => e.fn.countAll<number>().as('n'))
        .as('people_count'),
    )
    .orderBy(sql`lower(o.name)`);
  if (opts.kind) q = q.where('o.kind', '=', opts.kind);
  if (opts.q) q = q.where((eb) => eb.or([eb('o.name', 'ilike', `%${escapeLike(opts.q!)}%`), eb('o.short_name', 'ilike', `%${escapeLike(opts.q!)}%`)]));
  return q.execute();
}

export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

export async function getOrganization(db: Db, slug: string): Promise<Organization | undefined> {
  return db.selectFrom('organizations').selectAll().where('slug', '=', slug).executeTakeFirst();
}

/** State initiatives with their two agencies' names; one state when `code` is given. */
function statesQuery(db: Db, code?: string) {
  return db
    .selectFrom('state_initiatives as s')
    .leftJoin('organizations as ed', 'ed.id', 's.education_agency_id')
    .leftJoin('organizations as mh', 'mh.id', 's.mental_health_agency_id')
    .select([
      's.id',
      's.state_code',
      's.name',
      's.status',
      's.description',
      's.language',
      's.translations',
      's.education_agency_id',
      's.mental_health_agency_id',
      'ed.name as education_agency',
      'ed.slug as education_agency_slug',
      'mh.name as mental_health_agency',
      'mh.slug as mental_health_agency_slug',
    ])
    .$if(code !== undefined, (q) => q.where('s.state_code', '=', code!))
    .orderBy('s.state_code');
}

export async function listStates(db: Db) {
  return statesQuery(db).execute();
}

export async function getState(db: Db, code: string) {
  return statesQuery(db, code.toUpperCase()).executeTakeFirst();
}

/** Columns needed to decide whether and what of a person the viewer may see. */
export const PERSON_COLUMNS = [
  'id',
  'name',
  'handle',
  'pronouns',
  'bio',
  'state_code',
  'perspectives',
  'expertise',
  'visibility',
  'hidden',
  'is_youth',
  'deactivated_at',
  'role',
  'created_at',
  'photo_version',
] as const;
export type PersonRow = Pick<User, (typeof PERSON_COLUMNS)[number]>;

export const personSubject = (p: PersonRow): PersonSubject => ({
  id: p.id,
  hidden: p.hidden,
  is_youth: p.is_youth,
  deactivated_at: p.deactivated_at,
  visibility: p.visibility ?? {},
});

/** A person as a viewer may see them: fields they may not see are left out. */
export interface PersonView {
  id: number;
  name: string;
  /** For @mentions: shown wherever the person is. */
  handle: string;
  /** Their photo's version (null: initials). Only people the viewer may see are presented at all. */
  photo: number | null;
  role: string;
  pronouns?: string;
  bio?: string;
  state_code?: string | null;
  perspectives?: string[];
  expertise?: string[];
  organizations?: { slug: string; name: string; title: string }[];
}

export function presentPerson(viewer: Actor, p: PersonRow, orgs?: { slug: string; name: string; title: string }[]): PersonView {
  const subject = personSubject(p);
  const out: PersonView = { id: p.id, name: p.name, handle: p.handle, photo: p.photo_version, role: p.role };
  const show = (field: string) => can(viewer, 'person.view_field', { person: subject, field });
  for (const f of PROFILE_FIELDS) {
    if (!show(f)) continue;
    if (f === 'state') out.state_code = p.state_code;
    else if (f === 'organizations') out.organizations = orgs ?? [];
    else if (f === 'pronouns') out.pronouns = p.pronouns;
    else if (f === 'bio') out.bio = p.bio;
    else if (f === 'perspectives') out.perspectives = p.perspectives;
    else if (f === 'expertise') out.expertise = p.expertise;
  }
  return out;
}

export async function getPerson(db: Db, id: number): Promise<PersonRow | undefined> {
  return db.selectFrom('users').select(PERSON_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export async function organizationsOf(db: Db, userIds: number[]) {
  if (userIds.length === 0) return new Map<number, { slug: string; name: string; title: string }[]>();
  const rows = await db
    .selectFrom('user_organizations as uo')
    .innerJoin('organizations as o', 'o.id', 'uo.organization_id')
    .select(['uo.user_id', 'o.slug', 'o.name', 'uo.title'])
    .where('uo.user_id', 'in', userIds)
    .orderBy('o.name')
    .execute();
  const map = new Map<number, { slug: string; name: string; title: string }[]>();
  for (const r of rows) {
    const list = map.get(r.user_id) ?? [];
    list.push({ slug: r.slug, name: r.name, title: r.title });
    map.set(r.user_id, list);
  }
  return map;
}

/** People linked to an organization, as the viewer may see them. */
export async function peopleOfOrganization(db: Db, viewer: Actor, orgId: number) {
  const rows = await db
    .selectFrom('users as u')
    .innerJoin('user_organizations as uo', 'uo.user_id', 'u.id')
    .select(PERSON_COLUMNS.map((c) => `u.${c}` as const))
    .select('uo.title')
    .where('uo.organization_id', '=', orgId)
    .orderBy('u.name')
    .execute();
  // Listed only when the person lets the viewer see their organizations.
  return rows
    .filter((p) => canListPerson(viewer, p) && can(viewer, 'person.view_field', { person: personSubject(p), field: 'organizations' }))
    .map((p) => ({ ...presentPerson(viewer, p), title: p.title }));
}

/**
 * Whether a person may appear in a list the viewer sees. Stricter than opening
 * their profile: youth never appear in lists shown to anonymous visitors, and
 * hidden people appear to no one but facilitators.
 */
export function canListPerson(viewer: Actor, p: PersonRow): boolean {
  return can(viewer, 'person.view', personSubject(p));
}

export async function stateContacts(db: Db, viewer: Actor, stateId: number) {
  const rows = await db
    .selectFrom('state_initiative_contacts as c')
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .select(PERSON_COLUMNS.map((c) => `u.${c}` as const))
    .select('c.role as contact_role')
    .where('c.state_initiative_id', '=', stateId)
    .orderBy('u.name')
    .execute();
  return rows.filter((p) => canListPerson(viewer, p)).map((p) => ({ ...presentPerson(viewer, p), contact_role: p.contact_role }));
}

/** People whose profile names the state, as the viewer may see them (only if they show their state). */
export async function peopleInState(db: Db, viewer: Actor, code: string) {
  const rows = await db.selectFrom('users').select(PERSON_COLUMNS).where('state_code', '=', code).orderBy('name').limit(200).execute();
  return rows
    .filter((p) => canListPerson(viewer, p) && can(viewer, 'person.view_field', { person: personSubject(p), field: 'state' }))
    .map((p) => presentPerson(viewer, p));
}
