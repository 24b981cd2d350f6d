import { asLang, cleanTranslations, CONTENT } from '../platform/i18n/content.js';
import { Type, type Static } from '@sinclair/typebox';
import type { Db } from '../platform/db/db.js';
import type { Actor } from '../platform/auth/actor.js';
import { authorize } from '../platform/auth/policy.js';
import { AppError, msg } from '../platform/http/errors.js';
import { audit, isUniqueViolation, once } from '../platform/db/tx.js';
import { Enum, EnumList, LanguageInput, Line, OptionalLine, OptionalText, Slug, TranslationsInput, Url, clean } from '../platform/http/schema-helpers.js';
import { destroyUserSessions } from '../platform/auth/sessions.js';
import { LEVELS, ORG_KINDS, SITE_ROLES, STATE_CODES, STATE_STATUSES } from './vocab.js';
import type { CommunityCache } from './queries.js';

export const OrganizationInput = Type.Object({
  name: Line(200),
  slug: Slug(),
  short_name: OptionalLine(40),
  kind: Enum(ORG_KINDS),
  level: Enum(LEVELS),
  website: Type.Optional(Url()),
  states: Type.Optional(EnumList(STATE_CODES, 60)),
  description: OptionalText(5000),
  language: LanguageInput(),
  translations: TranslationsInput({ description: OptionalText(5000) }),
});
export type OrganizationInput = Static<typeof OrganizationInput>;

export const StateInitiativeInput = Type.Object({
  state_code: Enum(STATE_CODES, { 'x-message': 'validation.choose' }),
  name: Line(200),
  status: Enum(STATE_STATUSES),
  description: OptionalText(5000),
  language: LanguageInput(),
  translations: TranslationsInput({ description: OptionalText(5000) }),
  education_agency_id: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Literal('')])),
  mental_health_agency_id: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Literal('')])),
});
export type StateInitiativeInput = Static<typeof StateInitiativeInput>;

export const CommunityInput = Type.Object({
  name: Line(200),
  short_name: OptionalLine(60),
  tagline: OptionalLine(200),
  mission: OptionalText(5000),
  shared_agenda: OptionalText(10000),
  language: LanguageInput(),
  translations: TranslationsInput({ name: OptionalLine(200), short_name: OptionalLine(60), tagline: OptionalLine(200), mission: OptionalText(5000), shared_agenda: OptionalText(10000) }),
  reach_goal: Type.Integer({ minimum: 0, maximum: 10_000_000_000 }),
  website: Type.Optional(Url()),
  /** Days before asking whether a download, a tracked link or a convening was used (value/followups.ts). */
  followup_delay_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
});
export type CommunityInput = Static<typeof CommunityInput>;

const orgValues = (input: OrganizationInput) => ({
  name: clean(input.name),
  slug: input.slug,
  short_name: clean(input.short_name),
  kind: input.kind,
  level: input.level,
  website: clean(input.website) || null,
  states: input.states ?? [],
  description: clean(input.description),
  language: asLang(input.language),
  translations: JSON.stringify(cleanTranslations(input.translations, ['description'], asLang(input.language))),
});

export async function createOrganization(db: Db, actor: Actor, input: OrganizationInput, idempotencyKey?: string) {
  authorize(actor, 'organization.manage', undefined);
  try {
    return await once(db, actor.id!, idempotencyKey, async (tx) => {
      const row = await tx.insertInto('organizations').values(orgValues(input)).returning(['id', 'slug']).executeTakeFirstOrThrow();
      await audit(tx, actor.id, 'organization.create', { type: 'organization', id: row.id }, { slug: row.slug });
      return { id: row.id, slug: row.slug };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('conflict', { fields: { slug: msg('orgs.slug_taken') } });
    throw err;
  }
}

export async function updateOrganization(db: Db, actor: Actor, id: number, input: OrganizationInput) {
  authorize(actor, 'organization.manage', undefined);
  try {
    await db.transaction().execute(async (tx) => {
      const r = await tx.updateTable('organizations').set({ ...orgValues(input), updated_at: new Date() }).where('id', '=', id).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw new AppError('not_found');
      await audit(tx, actor.id, 'organization.update', { type: 'organization', id });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('conflict', { fields: { slug: msg('orgs.slug_taken') } });
    throw err;
  }
}

export async function deleteOrganization(db: Db, actor: Actor, id: number, cache: CommunityCache) {
  authorize(actor, 'organization.manage', undefined);
  await db.transaction().execute(async (tx) => {
    const r = await tx.deleteFrom('organizations').where('id', '=', id).returning(['slug']).executeTakeFirst();
    if (!r) throw new AppError('not_found');
    await audit(tx, actor.id, 'organization.delete', { type: 'organization', id }, { slug: r.slug });
  });
  cache.invalidate();
}

const stateValues = (input: StateInitiativeInput) => ({
  state_code: input.state_code,
  name: clean(input.name),
  status: input.status,
  description: clean(input.description),
  language: asLang(input.language),
  translations: JSON.stringify(cleanTranslations(input.translations, ['description'], asLang(input.language))),
  education_agency_id: input.education_agency_id || null,
  mental_health_agency_id: input.mental_health_agency_id || null,
});

export async function saveStateInitiative(db: Db, actor: Actor, id: number | undefined, input: StateInitiativeInput) {
  authorize(actor, 'state.manage', undefined);
  try {
    return await db.transaction().execute(async (tx) => {
      let code: string;
      if (id === undefined) {
        const row = await tx.insertInto('state_initiatives').values(stateValues(input)).returning(['id', 'state_code']).executeTakeFirstOrThrow();
        id = row.id;
        code = row.state_code;
      } else {
        const row = await tx.updateTable('state_initiatives').set({ ...stateValues(input), updated_at: new Date() }).where('id', '=', id).returning('state_code').executeTakeFirst();
        if (!row) throw new AppError('not_found');
        code = row.state_code;
      }
      await audit(tx, actor.id, 'state.save', { type: 'state_initiative', id });
      return { id, state_code: code };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('conflict', { fields: { state_code: msg('states.taken') } });
    if ((err as { code?: string }).code === '23503') throw new AppError('validation_failed', { fields: { education_agency_id: msg('validation.choose') } });
    throw err;
  }
}

export async function updateCommunity(db: Db, actor: Actor, input: CommunityInput, cache: CommunityCache) {
  authorize(actor, 'community.update', undefined);
  await db.transaction().execute(async (tx) => {
    const values = {
      name: clean(input.name),
      short_name: clean(input.short_name),
      tagline: clean(input.tagline),
      mission: clean(input.mission),
      shared_agenda: clean(input.shared_agenda),
      language: asLang(input.language),
      translations: JSON.stringify(cleanTranslations(input.translations, CONTENT.community!.fields, asLang(input.language))),
      reach_goal: input.reach_goal,
      website: clean(input.website) || null,
      ...(input.followup_delay_days !== undefined ? { followup_delay_days: input.followup_delay_days } : {}),
    };
    await tx
      .insertInto('community')
      .values({ id: 1, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet({ ...values, updated_at: new Date() }))
      .execute();
    await audit(tx, actor.id, 'community.update', { type: 'community', id: 1 });
  });
  cache.invalidate();
}

export const PersonAdminInput = Type.Object({
  role: Type.Optional(Enum(SITE_ROLES)),
  hidden: Type.Optional(Type.Boolean()),
  deactivated: Type.Optional(Type.Boolean()),
});

/** Changes a person's site role, hides them from listings, or deactivates the account (ending its sessions). */
export async function adminUpdatePerson(db: Db, actor: Actor, userId: number, input: Static<typeof PersonAdminInput>) {
  authorize(actor, 'person.manage', undefined);
  if (input.role !== undefined) authorize(actor, 'person.setRole', undefined);
  if (actor.id === userId && (input.deactivated || (input.role && input.role !== 'admin' && input.role !== undefined))) {
    throw new AppError('conflict', { fields: { _: msg('admin.not_yourself') } });
  }
  await db.transaction().execute(async (tx) => {
    const set: Record<string, unknown> = { updated_at: new Date() };
    if (input.role !== undefined) set.role = input.role;
    if (input.hidden !== undefined) set.hidden = input.hidden;
    if (input.deactivated !== undefined) set.deactivated_at = input.deactivated ? new Date() : null;
    const r = await tx.updateTable('users').set(set).where('id', '=', userId).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new AppError('not_found');
    if (input.deactivated) {
      await destroyUserSessions(tx, userId);
      await tx.updateTable('api_tokens').set({ revoked_at: new Date() }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
    }
    await audit(tx, actor.id, 'person.admin_update', { type: 'user', id: userId }, input);
  });
}
