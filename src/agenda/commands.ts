import { Type, type Static } from '@sinclair/typebox';
import type { Db } from '../platform/db/db.js';
import type { Actor } from '../platform/auth/actor.js';
import { authorize, can } from '../platform/auth/policy.js';
import type { GroupSubject } from '../groups/policy.js';
import './policy.js';
import { AppError, msg } from '../platform/http/errors.js';
import { audit, once } from '../platform/db/tx.js';
import { Enum, LanguageInput, Line, OptionalLine, OptionalText, RequiredText, TranslationsInput, clean } from '../platform/http/schema-helpers.js';
import { asLang, cleanTranslations, otherLang, type Lang } from '../platform/i18n/content.js';
import { PERSPECTIVES } from '../community/vocab.js';
import { slugify } from '../platform/text.js';

import { AGENDA_STATUSES, DEPTH_LEVELS } from './queries.js';


/** An item's fields written in both languages: its title, description and why it matters to each perspective. */
export const AGENDA_TEXT = ['title', 'description', ...PERSPECTIVES.map((p) => `why_${p}`)] as const;

export const AgendaInput = Type.Object({
  title: Line(200),
  description: OptionalText(10000),
  status: Type.Optional(Enum(AGENDA_STATUSES)),
  owners: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 20, uniqueItems: true })),
  ...Object.fromEntries(PERSPECTIVES.map((p) => [`why_${p}`, OptionalText(1000)])),
  language: LanguageInput(),
  translations: TranslationsInput({ title: OptionalLine(200), description: OptionalText(10000), ...Object.fromEntries(PERSPECTIVES.map((p) => [`why_${p}`, OptionalText(1000)])) }),
});
export type AgendaInput = Static<typeof AgendaInput> & Record<string, unknown>;

export const UpdateInput = Type.Object({ body: RequiredText(5000), language: LanguageInput(), translations: TranslationsInput({ body: OptionalText(5000) }) });
export const MilestoneInput = Type.Object({
  /** In the item's language; `translations` holds the other. */
  title: Line(300),
  translations: TranslationsInput({ title: OptionalLine(300) }),
  due_on: Type.Optional(Type.Union([Type.String({ format: 'date', 'x-message': 'validation.date' }), Type.Literal('')])),
  percent: Type.Integer({ minimum: 0, maximum: 100, 'x-message': 'agenda.percent_range' }),
});
export const LinkWorkInput = Type.Object({ url: RequiredText(500) });
export const PriorityLinkInput = Type.Object({ priority: Type.String({ pattern: '^[0-9]{1,15}:[0-9]{1,4}$', 'x-message': 'validation.choose' }) });
export const ReviewInput = Type.Object({ level: Enum(DEPTH_LEVELS), notes: OptionalText(5000) });

/** The item row's own translations: its title and description (the reasons live on their rows). */
const itemTranslations = (input: Partial<AgendaInput>, language: Lang) => {
  const all = cleanTranslations(input.translations, ['title', 'description'], language);
  return JSON.stringify(all);
};

const requireFacilitator = (actor: Actor) => authorize(actor, 'agenda.manage', undefined);

// ---- commands -------------------------------------------------------------------------------------------

async function writeWhyAndOwners(tx: Parameters<Parameters<ReturnType<Db['transaction']>['execute']>[0]>[0], itemId: number, input: AgendaInput, language: Lang) {
  await tx.deleteFrom('agenda_why').where('item_id', '=', itemId).execute();
  const other = otherLang(language);
  const tr = cleanTranslations(input.translations, AGENDA_TEXT, language)[other] ?? {};
  const why = PERSPECTIVES.map((p) => ({
    item_id: itemId,
    perspective: p,
    reason: clean(input[`why_${p}`] as string | undefined),
    translations: JSON.stringify(tr[`why_${p}`] ? { [other]: { reason: tr[`why_${p}`] } } : {}),
  })).filter((w) => w.reason);
  if (why.length) await tx.insertInto('agenda_why').values(why).execute();
  if (input.owners !== undefined) {
    if (input.owners.length) {
      const found = await tx.selectFrom('organizations').select('id').where('id', 'in', input.owners).execute();
      if (found.length !== input.owners.length) throw new AppError('validation_failed', { fields: { owners: msg('validation.choose') } });
    }
    await tx.deleteFrom('agenda_owners').where('item_id', '=', itemId).execute();
    if (input.owners.length) await tx.insertInto('agenda_owners').values(input.owners.map((organization_id) => ({ item_id: itemId, organization_id }))).execute();
  }
}

export async function createAgendaItem(db: Db, actor: Actor, input: AgendaInput, idempotencyKey?: string) {
  requireFacilitator(actor);
  return once(db, actor.id!, idempotencyKey, async (tx) => {
    let slug = slugify(input.title);
    for (let n = 2; await tx.selectFrom('agenda_items').select('id').where('slug', '=', slug).executeTakeFirst(); n++) slug = `${slugify(input.title)}-${n}`;
    if (slug === 'new') slug = 'new-item';
    const row = await tx
      .insertInto('agenda_items')
      .values({ slug, title: clean(input.title), description: clean(input.description), status: input.status ?? 'proposed', language: asLang(input.language), translations: itemTranslations(input, asLang(input.language)), created_by: actor.id, created_at: new Date(), updated_at: new Date() })
      .returning(['id', 'slug'])
      .executeTakeFirstOrThrow();
    await writeWhyAndOwners(tx, row.id, input, asLang(input.language));
    await audit(tx, actor.id, 'agenda.create', { type: 'agenda_item', id: row.id });
    return { id: row.id, slug: row.slug };
  });
}

export async function updateAgendaItem(db: Db, actor: Actor, itemId: number, input: Partial<AgendaInput>) {
  requireFacilitator(actor);
  await db.transaction().execute(async (tx) => {
    const set: Record<string, unknown> = { updated_at: new Date() };
    if (input.title !== undefined) set.title = clean(input.title);
    if (input.description !== undefined) set.description = clean(input.description);
    if (input.status !== undefined) set.status = input.status;
    const current = await tx.selectFrom('agenda_items').select('language').where('id', '=', itemId).executeTakeFirstOrThrow();
    const language = asLang(input.language ?? current.language);
    if (input.language !== undefined) set.language = language;
    if (input.translations !== undefined) set.translations = itemTranslations(input, language);
    await tx.updateTable('agenda_items').set(set).where('id', '=', itemId).execute();
    if (PERSPECTIVES.some((p) => input[`why_${p}`] !== undefined) || input.owners !== undefined) await writeWhyAndOwners(tx, itemId, input as AgendaInput, language);
    await audit(tx, actor.id, 'agenda.update', { type: 'agenda_item', id: itemId }, input.status ? { status: input.status } : {});
  });
}

/** Facilitators, and members of an owner organization, post progress updates. */
export async function canPostUpdate(db: Db, actor: Actor, itemId: number): Promise<boolean> {
  if (can(actor, 'agenda.post_update', { ownerMember: false })) return true;
  if (actor.kind !== 'user' || !can(actor, 'agenda.post_update', { ownerMember: true })) return false;
  const row = await db
    .selectFrom('agenda_owners as ao')
    .innerJoin('user_organizations as uo', 'uo.organization_id', 'ao.organization_id')
    .select('ao.item_id')
    .where('ao.item_id', '=', itemId)
    .where('uo.user_id', '=', actor.id)
    .executeTakeFirst();
  return !!row;
}

export async function postUpdate(db: Db, actor: Actor, itemId: number, input: Static<typeof UpdateInput>, idempotencyKey?: string) {
  if (!(await canPostUpdate(db, actor, itemId))) throw new AppError(actor.kind === 'user' ? 'forbidden' : 'unauthenticated');
  return once(db, actor.id!, idempotencyKey, async (tx) => {
    const language = asLang(input.language);
    const row = await tx
      .insertInto('agenda_updates')
      .values({ item_id: itemId, author_id: actor.id, body: clean(input.body), language, translations: JSON.stringify(cleanTranslations(input.translations, ['body'], language)), created_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx.updateTable('agenda_items').set({ updated_at: new Date() }).where('id', '=', itemId).execute();
    return { id: row.id };
  });
}

export async function addMilestone(db: Db, actor: Actor, itemId: number, input: Static<typeof MilestoneInput>) {
  requireFacilitator(actor);
  const item = await db.selectFrom('agenda_items').select('language').where('id', '=', itemId).executeTakeFirstOrThrow();
  const translations = JSON.stringify(cleanTranslations(input.translations, ['title'], asLang(item.language)));
  await db.insertInto('agenda_milestones').values({ item_id: itemId, title: clean(input.title), translations, due_on: input.due_on || null, percent: input.percent, created_at: new Date() }).execute();
}

export async function setMilestone(db: Db, actor: Actor, itemId: number, milestoneId: number, percent: number | 'delete') {
  requireFacilitator(actor);
  const q =
    percent === 'delete'
      ? await db.deleteFrom('agenda_milestones').where('id', '=', milestoneId).where('item_id', '=', itemId).executeTakeFirst()
      : await db.updateTable('agenda_milestones').set({ percent }).where('id', '=', milestoneId).where('item_id', '=', itemId).executeTakeFirst();
  const n = 'numDeletedRows' in q ? q.numDeletedRows : q.numUpdatedRows;
  if (Number(n) === 0) throw new AppError('not_found');
}

/** Links a thread or resource (by its address on this site) to an item as work done for it. */
export async function linkWork(db: Db, actor: Actor, itemId: number, url: string) {
  requireFacilitator(actor);
  const path = url.replace(/^https?:\/\/[^/]+/i, '');
  const thread = /^\/threads\/(\d{1,15})(?:[#?].*)?$/.exec(path);
  const resource = /^\/resources\/([a-z0-9-]{1,120})(?:[#?].*)?$/.exec(path);
  if (thread) {
    const row = await db.selectFrom('threads').select('id').where('id', '=', Number(thread[1])).where('deleted_at', 'is', null).executeTakeFirst();
    if (!row) throw new AppError('validation_failed', { fields: { url: msg('agenda.link_unknown') } });
    await db.insertInto('agenda_links').values({ item_id: itemId, thread_id: row.id }).onConflict((oc) => oc.doNothing()).execute();
    return;
  }
  if (resource) {
    const row = await db.selectFrom('resources').select('id').where('slug', '=', resource[1]!).where('deleted_at', 'is', null).executeTakeFirst();
    if (!row) throw new AppError('validation_failed', { fields: { url: msg('agenda.link_unknown') } });
    await db.insertInto('agenda_links').values({ item_id: itemId, resource_id: row.id }).onConflict((oc) => oc.doNothing()).execute();
    return;
  }
  throw new AppError('validation_failed', { fields: { url: msg('agenda.link_format') } });
}

export async function linkPriority(db: Db, actor: Actor, itemId: number, priority: string) {
  const [groupId, position] = priority.split(':').map(Number) as [number, number];
  // Facilitators, or the group's own leads, tie a priority to the agenda.
  authorize(actor, 'agenda.link_priority', { group_id: groupId });
  const p = await db.selectFrom('group_priorities').select('id').where('group_id', '=', groupId).where('position', '=', position).executeTakeFirst();
  if (!p) throw new AppError('validation_failed', { fields: { priority: msg('validation.choose') } });
  await db.insertInto('agenda_priorities').values({ item_id: itemId, group_id: groupId, position }).onConflict((oc) => oc.doNothing()).execute();
}

// ---- depth of interaction ---------------------------------------------------------------------------------

export async function reviewGroup(db: Db, actor: Actor, group: GroupSubject, input: Static<typeof ReviewInput>, idempotencyKey?: string) {
  authorize(actor, 'group.review', group);
  return once(db, actor.id!, idempotencyKey, async (tx) => {
    const row = await tx.insertInto('group_reviews').values({ group_id: group.id, level: input.level, notes: clean(input.notes), reviewed_by: actor.id, created_at: new Date() }).returning('id').executeTakeFirstOrThrow();
    await audit(tx, actor.id, 'group.review', { type: 'group', id: group.id }, { level: input.level });
    return { id: row.id };
  });
}
