import { queueWebhooks } from '../webhooks/deliver.js';
import { settleFollowupByReport } from '../value/followups.js';
import { Type, type Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Db, Tx } from '../platform/db/db.js';
import type { Actor } from '../platform/auth/actor.js';
import { authorize, can } from '../platform/auth/policy.js';
import type { ResourceSubject } from './policy.js';
import { AppError, msg, type FieldErrors } from '../platform/http/errors.js';
import { hit } from '../platform/auth/rate-limit.js';
import { audit, once } from '../platform/db/tx.js';
import { randomToken } from '../platform/auth/secrets.js';
import { Enum, EnumList, LanguageInput, Line, OptionalLine, OptionalText, RequiredText, TranslationsInput, Url, clean } from '../platform/http/schema-helpers.js';
import { asLang, cleanTranslations } from '../platform/i18n/content.js';
import { QUEUES, type Jobs } from '../platform/jobs/jobs.js';
import { PERSPECTIVES, STATE_CODES } from '../community/vocab.js';
import {
  ACCESSIBILITY_FACTS,
  CHANNELS,
  EVIDENCE_LEVELS,
  PLAIN_LANGUAGE_AUDIENCES,
  RESOURCE_KINDS,
  RESOURCE_VISIBILITIES,
  REVIEW_STATUSES,
  USE_SETTINGS,
} from './vocab.js';
import { safeFilename, sniff, type FileStore, type Upload } from './storage.js';
import { extractText } from './extract.js';
import { slugify } from '../platform/text.js';
import type { GlossaryService } from '../glossary/service.js';
import { privacyCheck } from '../trust/privacy-guard.js';
import { checkJargon } from '../glossary/jargon.js';


export interface ResourceDeps {
  db: Db;
  jobs: Jobs;
  files: FileStore;
  glossary: GlossaryService;
}

/** Resources for families or youth get the jargon check before they are saved. */
async function jargon(deps: ResourceDeps, input: ResourceInput) {
  if (!(input.audiences ?? []).some((a) => PLAIN_LANGUAGE_AUDIENCES.includes(a))) return;
  checkJargon(await deps.glossary.current(), input.acknowledge_jargon, input.title, input.summary, input.description);
}

const DateString = () => Type.String({ format: 'date', 'x-message': 'validation.date' });
/** Comma-separated in forms, a list in the API. */
const TagList = () => Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Array(Type.String({ maxLength: 60 }), { maxItems: 20 })]));

export const ResourceInput = Type.Object({
  title: Line(300),
  summary: OptionalText(2000),
  description: OptionalText(20000),
  kind: Enum(RESOURCE_KINDS),
  external_url: Type.Optional(Url()),
  authors: OptionalText(500),
  audiences: Type.Optional(EnumList(PERSPECTIVES)),
  topics: TagList(),
  level: Type.Optional(Enum(['local', 'state', 'national', 'international'] as const)),
  language: Type.Optional(Enum(['en', 'es'] as const)),
  /** Title and summary in the other language than `language`. */
  translations: TranslationsInput({ title: OptionalLine(300), summary: OptionalText(2000) }),
  evidence_level: Type.Optional(Enum(EVIDENCE_LEVELS)),
  review_status: Type.Optional(Enum(REVIEW_STATUSES)),
  published_on: Type.Optional(Type.Union([DateString(), Type.Literal('')])),
  visibility: Type.Optional(Enum(RESOURCE_VISIBILITIES)),
  /** With visibility "group": the group (by slug) whose members may see it. */
  group: Type.Optional(Type.String({ maxLength: 100 })),
  /** Practice groups the resource is filed under (slugs). */
  groups: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 12, uniqueItems: true })),
  organizations: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 20, uniqueItems: true })),
  accessibility: Type.Optional(EnumList(ACCESSIBILITY_FACTS)),
  alt_text: OptionalText(1000),
  acknowledge_jargon: Type.Optional(Type.Boolean({ description: 'Set after reading the jargon check to publish as it is' })),
  acknowledge_privacy: Type.Optional(Type.Boolean({ description: 'Set after the author has checked a privacy warning and chooses to publish' })),
});
export type ResourceInput = Static<typeof ResourceInput>;

/** A resource's fields written in both languages (the file itself is in `language`). */
export const RESOURCE_TEXT = ['title', 'summary'] as const;

export const LinkInput = Type.Object({
  partner: Partner(),
  channel: Type.Optional(Enum(CHANNELS)),
}, { examples: [{ partner: 'org:csmh', channel: 'newsletter' }] });

export const DisseminationInput = Type.Object({
  partner: Partner(),
  channel: Enum(CHANNELS),
  recipients: Type.Integer({ minimum: 1, maximum: 100_000_000, 'x-message': 'validation.number' }),
  sent_on: DateString(),
  audiences: Type.Optional(EnumList(PERSPECTIVES)),
  states: Type.Optional(Type.Array(Enum(STATE_CODES), { maxItems: 60, uniqueItems: true })),
  evidence_url: Type.Optional(Url()),
  note: OptionalText(2000),
}, { examples: [{ partner: 'state:MD', channel: 'newsletter', recipients: 1200, sent_on: '2026-11-02', audiences: ['family', 'educator'] }] });

export const ReviewInput = Type.Object({ status: Enum(['reported', 'verified', 'questioned'] as const), note: OptionalText(2000) });

const Rating = () => Type.Integer({ minimum: 1, maximum: 5, 'x-message': 'resources.rating_required' });
export const UseReportInput = Type.Object({
  how_used: RequiredText(2000),
  perspective: Type.Optional(Type.Union([Enum(PERSPECTIVES), Type.Literal('')])),
  state_code: Type.Optional(Type.Union([Enum(STATE_CODES), Type.Literal('')])),
  setting: Type.Optional(Type.Union([Enum(USE_SETTINGS), Type.Literal('')])),
  quality: Rating(),
  relevance: Rating(),
  usefulness: Rating(),
});

export const CollectionInput = Type.Object({
  title: Line(200),
  description: OptionalText(5000),
  language: LanguageInput(),
  translations: TranslationsInput({ title: OptionalLine(200), description: OptionalText(5000) }),
  group: Type.Optional(Type.String({ maxLength: 100 })),
});

const splitTags = (v: string | string[] | undefined) =>
  [...new Set((Array.isArray(v) ? v : (v ?? '').split(',')).map((x) => clean(x).toLowerCase()).filter((x) => x.length > 0 && x.length <= 60))].slice(0, 20);


async function uniqueSlug(tx: Tx, table: 'resources' | 'collections', title: string): Promise<string> {
  const base = slugify(title, 'resource');
  for (let n = 1; n < 1000; n++) {
    const slug = n === 1 ? base : `${base}-${n}`;
    const taken = await tx.selectFrom(table).select('id').where('slug', '=', slug).executeTakeFirst();
    if (!taken) return slug;
  }
  return `${base}-${randomToken(4).toLowerCase().replace(/[^a-z0-9]/g, '')}`;
}

/**
 * Checks an uploaded file (type from its bytes, size, alt text for images)
 * and only then stores it; throws a field error when it is not acceptable.
 */
async function acceptUpload(files: FileStore, upload: Upload, altText: string | undefined) {
  const kind = await sniff(upload);
  if (!kind.ok) throw new AppError(kind.reason === 'too_large' ? 'payload_too_large' : 'validation_failed', { fields: { file: msg(`resources.upload_${kind.reason}`) } });
  if (kind.contentType.startsWith('image/') && !clean(altText)) throw new AppError('validation_failed', { fields: { alt_text: msg('resources.alt_required') } });
  const stored = await files.stage(upload.data);
  return { ...stored, contentType: kind.contentType, filename: safeFilename(upload.filename, kind.extension), size: upload.data.length };
}

/**
 * Runs `write` (the transaction that records a staged upload) and settles the
 * file: its real name once the record has committed, removed otherwise (a
 * refused or failed write, or a double submit answered from its first run,
 * which leaves nothing unreferenced behind).
 */
async function withStagedFile<R>(stored: Awaited<ReturnType<typeof acceptUpload>> | undefined, write: (used: () => void) => Promise<R>): Promise<R> {
  let used = false;
  try {
    const result = await write(() => (used = true));
    if (stored && used) await stored.commit();
    return result;
  } finally {
    await stored?.discard();
  }
}

interface Resolved {
  groupId: number | null;
  groupIds: number[];
}

/** Validates the cross-field rules and resolves group slugs to ids. */
async function resolve(db: Db | Tx, actor: Actor, input: ResourceInput, hasFile: boolean, hadFile = false): Promise<Resolved> {
  const fields: FieldErrors = {};
  const audiences = input.audiences ?? [];
  if (audiences.some((a) => PLAIN_LANGUAGE_AUDIENCES.includes(a)) && !clean(input.summary)) fields.summary = msg('resources.summary_required');
  if (!hasFile && !hadFile && !input.external_url) fields.external_url = msg('resources.file_or_link');
  let groupId: number | null = null;
  if (input.visibility === 'group') {
    const g = input.group ? await db.selectFrom('practice_groups').select('id').where('slug', '=', input.group).executeTakeFirst() : undefined;
    if (!g) fields.group = msg('resources.group_required');
    else if (!can(actor, 'resource.file_in_group', { group_id: g.id })) fields.group = msg('resources.group_not_member');
    else groupId = g.id;
  }
  const slugs = input.groups ?? [];
  const groups = slugs.length ? await db.selectFrom('practice_groups').select(['id', 'slug']).where('slug', 'in', slugs).execute() : [];
  if (groups.length !== slugs.length) fields.groups = msg('validation.choose');
  if (input.organizations?.length) {
    const found = await db.selectFrom('organizations').select('id').where('id', 'in', input.organizations).execute();
    if (found.length !== input.organizations.length) fields.organizations = msg('validation.choose');
  }
  if (Object.keys(fields).length) throw new AppError('validation_failed', { fields });
  return { groupId, groupIds: groups.map((g) => g.id) };
}

function columns(actor: Actor, input: ResourceInput, r: Resolved) {
  return {
    title: clean(input.title),
    summary: clean(input.summary),
    description: clean(input.description),
    kind: input.kind,
    external_url: input.external_url || null,
    authors: clean(input.authors),
    audiences: input.audiences ?? [],
    topics: splitTags(input.topics),
    level: input.level ?? 'national',
    language: input.language ?? 'en',
    // A change that leaves out translations keeps the ones there are.
    ...(input.translations !== undefined ? { translations: JSON.stringify(cleanTranslations(input.translations, RESOURCE_TEXT, asLang(input.language))) } : {}),
    evidence_level: input.evidence_level ?? 'not_applicable',
    // Only facilitators mark a resource reviewed.
    ...(can(actor, 'resource.set_review_status', undefined) && input.review_status ? { review_status: input.review_status } : {}),
    published_on: input.published_on || null,
    visibility: input.visibility ?? 'public',
    group_id: input.visibility === 'group' ? r.groupId : null,
    accessibility: input.accessibility ?? [],
  };
}

async function setLinks(tx: Tx, resourceId: number, input: ResourceInput, r: Resolved) {
  await tx.deleteFrom('resource_groups').where('resource_id', '=', resourceId).execute();
  if (r.groupIds.length) await tx.insertInto('resource_groups').values(r.groupIds.map((group_id) => ({ resource_id: resourceId, group_id }))).execute();
  if (input.organizations !== undefined) {
    await tx.deleteFrom('resource_organizations').where('resource_id', '=', resourceId).execute();
    if (input.organizations.length) await tx.insertInto('resource_organizations').values(input.organizations.map((organization_id) => ({ resource_id: resourceId, organization_id }))).execute();
  }
}

async function insertFile(tx: Tx, jobs: Jobs, resourceId: number, actorId: number, f: Awaited<ReturnType<typeof acceptUpload>>, altText: string) {
  const last = await tx.selectFrom('resource_files').select((eb) => eb.fn.max('version').as('v')).where('resource_id', '=', resourceId).executeTakeFirst();
  const row = await tx
    .insertInto('resource_files')
    .values({
      resource_id: resourceId,
      version: Number(last?.v ?? 0) + 1,
      filename: f.filename,
      content_type: f.contentType,
      size_bytes: f.size,
      sha256: f.sha256,
      storage_key: f.key,
      alt_text: altText,
      uploaded_by: actorId,
      created_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await jobs.send(tx, QUEUES.resourceExtract, { fileId: row.id }, { key: `extract:${row.id}` });
  return row.id;
}

/** Adds a resource (with an optional first file) in one transaction. */
export async function createResource(deps: ResourceDeps, actor: Actor, input: ResourceInput, upload: Upload | undefined, idempotencyKey?: string): Promise<{ id: number; slug: string }> {
  authorize(actor, 'resource.create', undefined);
  const r = await resolve(deps.db, actor, input, !!upload);
  privacyCheck(input.acknowledge_privacy, input.title, input.summary, input.description);
  await jargon(deps, input);
  await hit(deps.db, `upload:${actor.id}`, { max: 60, windowSeconds: 3600 });
  const stored = upload ? await acceptUpload(deps.files, upload, input.alt_text) : undefined;
  return withStagedFile(stored, (used) => once(deps.db, actor.id!, idempotencyKey, async (tx) => {
    used();
    const slug = await uniqueSlug(tx, 'resources', input.title);
    const now = new Date();
    const row = await tx
      .insertInto('resources')
      .values({ ...columns(actor, input, r), slug, created_by: actor.id, created_at: now, updated_at: now })
      .returning(['id', 'slug'])
      .executeTakeFirstOrThrow();
    await setLinks(tx, row.id, input, r);
    if (stored) await insertFile(tx, deps.jobs, row.id, actor.id!, stored, clean(input.alt_text));
    await queueWebhooks(tx, deps.jobs, 'resource.published', row.id);
    return { id: row.id, slug: row.slug };
  }));
}

export async function updateResource(deps: ResourceDeps, actor: Actor, resource: ResourceSubject & { id: number }, input: ResourceInput, upload: Upload | undefined) {
  authorize(actor, 'resource.update', resource);
  const files = await deps.db.selectFrom('resource_files').select('id').where('resource_id', '=', resource.id).execute();
  const r = await resolve(deps.db, actor, input, !!upload, files.length > 0);
  privacyCheck(input.acknowledge_privacy, input.title, input.summary, input.description);
  await jargon(deps, input);
  const stored = upload ? await acceptUpload(deps.files, upload, input.alt_text) : undefined;
  await withStagedFile(stored, (used) => deps.db.transaction().execute(async (tx) => {
    used();
    await tx
      .updateTable('resources')
      // A change by anyone but a facilitator goes back to review.
      .set({ ...columns(actor, input, r), ...(can(actor, 'resource.set_review_status', undefined) ? {} : { review_status: 'unreviewed' }), updated_at: new Date() })
      .where('id', '=', resource.id)
      .execute();
    await setLinks(tx, resource.id, input, r);
    // A new file is a new version; earlier ones stay available.
    if (stored) await insertFile(tx, deps.jobs, resource.id, actor.id!, stored, clean(input.alt_text));
    if (resource.created_by !== actor.id) await audit(tx, actor.id, 'resource.update', { type: 'resource', id: resource.id });
  }));
}

export async function deleteResource(db: Db, actor: Actor, resource: ResourceSubject & { id: number }) {
  authorize(actor, 'resource.update', resource);
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('resources').set({ deleted_at: new Date() }).where('id', '=', resource.id).execute();
    await audit(tx, actor.id, 'resource.delete', { type: 'resource', id: resource.id });
  });
}

/** Job: pulls searchable text from a file; the newest file's text is what search uses. */
export async function extractResourceText(db: Db, files: FileStore, fileId: number): Promise<void> {
  const f = await db.selectFrom('resource_files').select(['id', 'resource_id', 'storage_key', 'content_type', 'version']).where('id', '=', fileId).executeTakeFirst();
  if (!f) return;
  // The file gets its name just after its record commits: a job that is quicker than that tries again.
  if (!files.exists(f.storage_key)) throw new Error(`file ${f.id} is not in place yet`);
  const { text, error } = await extractText(files.readPath(f.storage_key), f.content_type);
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('resource_files').set({ extracted_at: new Date(), extract_error: error ?? null }).where('id', '=', f.id).execute();
    const newest = await tx.selectFrom('resource_files').select((eb) => eb.fn.max('version').as('v')).where('resource_id', '=', f.resource_id).executeTakeFirst();
    if (Number(newest?.v) === f.version) await tx.updateTable('resources').set({ extracted_text: text }).where('id', '=', f.resource_id).execute();
  });
}

// ---- partners: share links and dissemination reports --------------------------------------------

/** A partner: org:<id or slug> or state:<id or two-letter code>, as the organizations and states lists name them. */
function Partner() {
  return Type.String({ pattern: '^(org:([0-9]{1,15}|[a-z0-9][a-z0-9-]{0,99})|state:([0-9]{1,15}|[A-Za-z]{2}))$', 'x-message': 'validation.choose', description: 'org:<slug> or state:<code> (the "partner" the lists give); org:<id> and state:<id> also work' });
}

/** Organizations and state initiatives the person may act for (all of them for facilitators). */
export async function partnersOf(db: Db, actor: Actor): Promise<{ value: string; label: string }[]> {
  if (actor.kind !== 'user') return [];
  const all = can(actor, 'reach.act_for_any_partner', undefined);
  const orgs = all
    ? await db.selectFrom('organizations').select(['id', 'name']).orderBy('name').execute()
    : await db.selectFrom('organizations as o').innerJoin('user_organizations as uo', 'uo.organization_id', 'o.id').select(['o.id', 'o.name']).where('uo.user_id', '=', actor.id).orderBy('o.name').execute();
  const states = all
    ? await db.selectFrom('state_initiatives').select(['id', 'name']).orderBy('name').execute()
    : await db
        .selectFrom('state_initiatives as s')
        .innerJoin('state_initiative_contacts as c', 'c.state_initiative_id', 's.id')
        .select(['s.id', 's.name'])
        .where('c.user_id', '=', actor.id)
        .orderBy('s.name')
        .execute();
  return [...orgs.map((o) => ({ value: `org:${o.id}`, label: o.name })), ...states.map((s) => ({ value: `state:${s.id}`, label: s.name }))];
}

async function partnerFor(db: Db, actor: Actor, named: string): Promise<{ organization_id: number | null; state_initiative_id: number | null }> {
  if (actor.kind !== 'user') throw new AppError('unauthenticated');
  const partner = await partnerById(db, named);
  const allowed = await partnersOf(db, actor);
  if (!partner || !allowed.some((p) => p.value === partner)) throw new AppError('validation_failed', { fields: { partner: msg('resources.partner_not_yours') } });
  const [kind, id] = partner.split(':') as ['org' | 'state', string];
  return kind === 'org' ? { organization_id: Number(id), state_initiative_id: null } : { organization_id: null, state_initiative_id: Number(id) };
}

/** A partner named by slug or code, as the form's org:<id> / state:<id> value (undefined when there is none such). */
async function partnerById(db: Db, named: string): Promise<string | undefined> {
  const [kind, key = ''] = named.split(':');
  if (/^[0-9]+$/.test(key)) return named;
  if (kind === 'org') {
    const o = await db.selectFrom('organizations').select('id').where('slug', '=', key).executeTakeFirst();
    return o && `org:${o.id}`;
  }
  const st = await db.selectFrom('state_initiatives').select('id').where('state_code', '=', key.toUpperCase()).executeTakeFirst();
  return st && `state:${st.id}`;
}

/** A partner's own short link to a resource (one per partner and channel: asking again returns it). */
export async function createShareLink(db: Db, actor: Actor, resource: ResourceSubject & { id: number }, input: Static<typeof LinkInput>): Promise<{ code: string; created: boolean }> {
  authorize(actor, 'resource.view', resource);
  const who = await partnerFor(db, actor, input.partner);
  const channel = input.channel ?? 'other';
  return db.transaction().execute(async (tx) => {
    // One link per resource, partner and channel, even under concurrent requests.
    await sql`SELECT pg_advisory_xact_lock(724115003, ${resource.id}::int)`.execute(tx);
    let q = tx.selectFrom('share_links').select('code').where('resource_id', '=', resource.id).where('channel', '=', channel);
    q = who.organization_id ? q.where('organization_id', '=', who.organization_id) : q.where('state_initiative_id', '=', who.state_initiative_id!);
    const existing = await q.executeTakeFirst();
    if (existing) return { code: existing.code, created: false };
    const code = randomToken(12).replace(/[^A-Za-z0-9]/g, '').slice(0, 8).padEnd(8, 'x');
    await tx.insertInto('share_links').values({ code, resource_id: resource.id, ...who, channel, created_by: actor.id, created_at: new Date() }).execute();
    return { code, created: true };
  });
}

export async function reportDissemination({ db, jobs }: { db: Db; jobs: Jobs }, actor: Actor, resource: ResourceSubject & { id: number }, input: Static<typeof DisseminationInput>, idempotencyKey?: string) {
  authorize(actor, 'resource.view', resource);
  const who = await partnerFor(db, actor, input.partner);
  if (input.sent_on > new Date().toISOString().slice(0, 10)) throw new AppError('validation_failed', { fields: { sent_on: msg('resources.future_date') } });
  return once(db, actor.id!, idempotencyKey, async (tx) => {
    const row = await tx
      .insertInto('dissemination_reports')
      .values({
        resource_id: resource.id,
        ...who,
        channel: input.channel,
        recipients: input.recipients,
        sent_on: input.sent_on,
        audiences: input.audiences ?? [],
        states: input.states ?? [],
        evidence_url: input.evidence_url || null,
        note: clean(input.note),
        reported_by: actor.id,
        created_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await queueWebhooks(tx, jobs, 'dissemination.reported', row.id);
    return { id: row.id };
  });
}

/** A facilitator verifies or questions a partner's report (questioned entries leave the totals). */
export async function reviewDissemination(db: Db, actor: Actor, reportId: number, input: Static<typeof ReviewInput>) {
  authorize(actor, 'dissemination.review', undefined);
  await db.transaction().execute(async (tx) => {
    const r = await tx.updateTable('dissemination_reports').set({ status: input.status, review_note: clean(input.note), reviewed_by: actor.id, reviewed_at: new Date() }).where('id', '=', reportId).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new AppError('not_found');
    await audit(tx, actor.id, 'dissemination.review', { type: 'dissemination_report', id: reportId }, { status: input.status });
  });
}

/** Anyone who can see a resource may say how they used it; limited per person or address. */
export async function reportUse({ db, jobs }: { db: Db; jobs: Jobs }, actor: Actor, resource: ResourceSubject & { id: number }, input: Static<typeof UseReportInput>, who: string, idempotencyKey?: string) {
  authorize(actor, 'resource.use_report', resource);
  await hit(db, `use:${who}`, { max: 10, windowSeconds: 3600 });
  const write = async (tx: Tx | Db) => {
    const row = await tx
      .insertInto('use_reports')
      .values({
        resource_id: resource.id,
        user_id: actor.id,
        how_used: clean(input.how_used),
        perspective: input.perspective || null,
        state_code: input.state_code || null,
        setting: input.setting || null,
        quality: input.quality,
        relevance: input.relevance,
        usefulness: input.usefulness,
        created_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await queueWebhooks(tx, jobs, 'use_report.filed', row.id);
    // Reported without being asked: the follow-up about it is settled, never asked (again).
    if (actor.kind === 'user') await settleFollowupByReport(tx, actor.id, { resourceId: resource.id }, row.id);
    return { id: row.id };
  };
  return actor.kind === 'user' ? once(db, actor.id, idempotencyKey, write) : db.transaction().execute(write);
}

// ---- collections --------------------------------------------------------------------------------------

export async function createCollection(db: Db, actor: Actor, input: Static<typeof CollectionInput>, idempotencyKey?: string) {
  const group = input.group ? await db.selectFrom('practice_groups').select('id').where('slug', '=', input.group).executeTakeFirst() : null;
  if (input.group && !group) throw new AppError('validation_failed', { fields: { group: msg('validation.choose') } });
  authorize(actor, 'collection.manage', { group_id: group?.id ?? null });
  return once(db, actor.id!, idempotencyKey, async (tx) => {
    const slug = await uniqueSlug(tx, 'collections', input.title);
    const now = new Date();
    const row = await tx
      .insertInto('collections')
      .values({
        slug,
        title: clean(input.title),
        description: clean(input.description),
        language: asLang(input.language),
        translations: JSON.stringify(cleanTranslations(input.translations, ['title', 'description'], asLang(input.language))),
        group_id: group?.id ?? null,
        created_by: actor.id,
        created_at: now,
        updated_at: now,
      })
      .returning(['id', 'slug'])
      .executeTakeFirstOrThrow();
    return { id: row.id, slug: row.slug };
  });
}

/** Adds, removes or moves one item of a collection; positions stay 1..n. */
export async function editCollection(db: Db, actor: Actor, collection: { id: number; group_id: number | null }, op: { action: 'add' | 'remove' | 'up' | 'down'; resourceId: number }) {
  authorize(actor, 'collection.manage', { group_id: collection.group_id });
  await db.transaction().execute(async (tx) => {
    await tx.selectFrom('collections').select('id').where('id', '=', collection.id).forUpdate().execute();
    const items = await tx.selectFrom('collection_items').select(['resource_id', 'position']).where('collection_id', '=', collection.id).orderBy('position').execute();
    let order = items.map((i) => i.resource_id);
    const at = order.indexOf(op.resourceId);
    if (op.action === 'add') {
      const r = await tx.selectFrom('resources').select('id').where('id', '=', op.resourceId).where('deleted_at', 'is', null).executeTakeFirst();
      if (!r) throw new AppError('validation_failed', { fields: { resource: msg('validation.choose') } });
      if (at === -1) order.push(op.resourceId);
    } else {
      if (at === -1) throw new AppError('not_found');
      if (op.action === 'remove') order = order.filter((id) => id !== op.resourceId);
      if (op.action === 'up' && at > 0) [order[at - 1], order[at]] = [order[at]!, order[at - 1]!];
      if (op.action === 'down' && at < order.length - 1) [order[at + 1], order[at]] = [order[at]!, order[at + 1]!];
    }
    await tx.deleteFrom('collection_items').where('collection_id', '=', collection.id).execute();
    if (order.length) await tx.insertInto('collection_items').values(order.map((resource_id, i) => ({ collection_id: collection.id, resource_id, position: i + 1 }))).execute();
    await tx.updateTable('collections').set({ updated_at: new Date() }).where('id', '=', collection.id).execute();
  });
}
