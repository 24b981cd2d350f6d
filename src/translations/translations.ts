/**
 * Members translating for each other (issue 27). A reader asks for a post or
 * a resource in the other language; members who said they read both are told
 * (a notification for a post, an email for a resource); one of them writes
 * it; it shows beside the original with who wrote it, anyone who may take
 * part there can correct it (every version kept), and search finds it in its
 * language. The people asking are told once it exists.
 */
import { Type, type Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Db, Tx } from '../platform/db/db.js';
import type { Config } from '../platform/config.js';
import type { Mailer } from '../platform/mail/mailer.js';
import { QUEUES, type Jobs } from '../platform/jobs/jobs.js';
import { loadActor, type Actor, type UserActor } from '../platform/auth/actor.js';
import { authorize, can } from '../platform/auth/policy.js';
import { AppError, msg } from '../platform/http/errors.js';
import { OptionalLine, RequiredText, clean } from '../platform/http/schema-helpers.js';
import { audit } from '../platform/db/tx.js';
import { mailTo } from '../platform/mail/templates.js';
import { CONTENT, missingTranslationSql, otherLang, type Lang } from '../platform/i18n/content.js';
import { getThread, threadSubject, type ThreadRow } from '../discussions/queries.js';
import { getResource, type ResourceRow } from '../resources/queries.js';
import { renderMarkdown } from '../discussions/markdown.js';
import { createNotification, mayContact } from '../notifications/notify.js';
import type { PostSubject } from '../discussions/policy.js';
import { privacyCheck } from '../trust/privacy-guard.js';
import { newMemberLimits, postingLimit } from '../discussions/commands.js';
import { hit } from '../platform/auth/rate-limit.js';
import { threadReadableBy } from '../discussions/policy.js';
import { resourceReadableBy } from '../resources/policy.js';
import type { GroupSubject } from '../groups/policy.js';
import './policy.js';

export const TranslationInput = Type.Object({
  /** A resource's title in the other language (posts have none). */
  title: OptionalLine(300),
  /** The post's text, or the resource's summary, in the other language. */
  body: RequiredText(50000),
  acknowledge_privacy: Type.Optional(Type.Boolean({ description: 'Set after the translator has checked a privacy warning and chooses to publish' })),
});
export type TranslationInput = Static<typeof TranslationInput>;

/** A post or a resource, as translating it needs it. */
export type Target =
  | { kind: 'post'; id: number; language: Lang; body: string; version: number; subject: PostSubject & { hidden: boolean }; thread: ThreadRow; url: string; title: string }
  | { kind: 'resource'; id: number; language: Lang; body: string; version: number; subject: ResourceRow; resource: ResourceRow; url: string; title: string };

/** The post, if it exists and the actor may read it (else 404). */
export async function postTarget(db: Db, actor: Actor, postId: number): Promise<Target> {
  const p = await db.selectFrom('posts').select(['id', 'thread_id', 'author_id', 'body', 'language', 'version', 'deleted_at', 'hidden_at']).where('id', '=', postId).executeTakeFirst();
  if (!p || p.deleted_at) throw new AppError('not_found');
  const thread = await getThread(db, p.thread_id);
  if (!thread) throw new AppError('not_found');
  const subject = { author_id: p.author_id, thread: threadSubject(thread), deleted_at: p.deleted_at, hidden: p.hidden_at !== null };
  authorize(actor, 'thread.view', subject.thread);
  if (subject.hidden && !can(actor, 'thread.moderate', subject.thread)) throw new AppError('not_found');
  return { kind: 'post', id: p.id, language: p.language === 'es' ? 'es' : 'en', body: p.body, version: p.version, subject, thread, url: `/threads/${thread.id}#post-${p.id}`, title: thread.title };
}

/** The resource, if it exists and the actor may read it (else 404). */
export async function resourceTarget(db: Db, actor: Actor, slug: string): Promise<Target> {
  const r = await getResource(db, slug);
  if (!r || r.deleted_at) throw new AppError('not_found');
  authorize(actor, 'resource.view', r);
  // A resource's translation covers its title and summary, which have no versions of their own: always version 1.
  return { kind: 'resource', id: r.id, language: r.language === 'es' ? 'es' : 'en', body: r.summary, version: 1, subject: r, resource: r, url: `/resources/${r.slug}`, title: r.title };
}

const col = (t: Target) => (t.kind === 'post' ? 'post_id' : 'resource_id');

export interface TranslationView {
  id: number;
  language: Lang;
  title: string;
  body: string;
  translator: string | null;
  corrector: string | null;
  /** The post changed after this was written. */
  outdated: boolean;
  version: number;
  updated_at: Date;
}

/** The translation of a post or resource into `language`, if any. */
export async function translationOf(db: Db | Tx, target: Target, language: Lang): Promise<TranslationView | undefined> {
  const row = await db
    .selectFrom('member_translations as mt')
    .leftJoin('users as a', 'a.id', 'mt.translated_by')
    .leftJoin('users as c', 'c.id', 'mt.corrected_by')
    .select(['mt.id', 'mt.language', 'mt.title', 'mt.body', 'mt.source_version', 'mt.version', 'mt.updated_at', 'a.name as translator', 'c.name as corrector'])
    .where(col(target), '=', target.id)
    .where('mt.language', '=', language)
    .executeTakeFirst();
  if (!row) return undefined;
  const { source_version, ...rest } = row;
  return { ...rest, language: rest.language, outdated: target.kind === 'post' && source_version !== target.version };
}

/** A member's translation of a resource's title and summary (there is at most one: into the other language). */
export async function resourceTranslation(db: Db, resourceId: number) {
  return db
    .selectFrom('member_translations as mt')
    .leftJoin('users as a', 'a.id', 'mt.translated_by')
    .leftJoin('users as c', 'c.id', 'mt.corrected_by')
    .select(['mt.language', 'mt.title', 'mt.body', 'a.name as translator', 'c.name as corrector'])
    .where('mt.resource_id', '=', resourceId)
    .executeTakeFirst();
}

/** The translations of a thread's posts (for the thread page), by post. */
export async function postTranslations(db: Db, postIds: number[]): Promise<Map<number, TranslationView & { html: string; source_version: number }>> {
  const out = new Map<number, TranslationView & { html: string; source_version: number }>();
  if (postIds.length === 0) return out;
  const rows = await db
    .selectFrom('member_translations as mt')
    .leftJoin('users as a', 'a.id', 'mt.translated_by')
    .leftJoin('users as c', 'c.id', 'mt.corrected_by')
    .select(['mt.id', 'mt.post_id', 'mt.language', 'mt.title', 'mt.body', 'mt.source_version', 'mt.version', 'mt.updated_at', 'a.name as translator', 'c.name as corrector'])
    .where('mt.post_id', 'in', postIds)
    .execute();
  for (const r of rows) out.set(r.post_id!, { ...r, outdated: false, html: renderMarkdown(r.body) });
  return out;
}

/**
 * Asks for the target in the other language. Once per person, item and
 * language (a double click asks once); nothing is asked when the translation
 * exists already. Returns whether a new request was made.
 */
export async function requestTranslation(db: Db, jobs: Jobs, actor: Actor, target: Target): Promise<'asked' | 'already' | 'exists'> {
  authorize(actor, target.kind === 'post' ? 'post.request_translation' : 'resource.request_translation', target.subject as never);
  const user = actor as UserActor;
  const language = otherLang(target.language);
  if (await translationOf(db, target, language)) return 'exists';
  // Each request tells every translator: a brake on asking, not on reading.
  await hit(db, `translation-request:${user.id}`, { max: 30, windowSeconds: 3600 });
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('translation_requests')
      .values({ [col(target)]: target.id, language, requested_by: user.id, created_at: new Date() })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) return 'already';
    await jobs.send(tx, QUEUES.translationRequested, { id: row.id }, { key: `tr:${row.id}` });
    return 'asked';
  });
}

/**
 * Publishes or corrects the translation into the other language. The first
 * version names its translator; a later one by someone else names them as
 * the corrector, and every earlier version is kept. Requests for it are
 * fulfilled and their people told (once).
 */
export async function saveTranslation(db: Db, jobs: Jobs, actor: Actor, target: Target, input: TranslationInput): Promise<{ id: number; created: boolean }> {
  authorize(actor, target.kind === 'post' ? 'post.translate' : 'resource.translate', target.subject as never);
  const user = actor as UserActor;
  const language = otherLang(target.language);
  const body = clean(input.body);
  const title = target.kind === 'resource' ? clean(input.title) : '';
  if (target.kind === 'resource' && !title) throw new AppError('validation_failed', { fields: { title: msg('validation.required') } });
  if (target.kind === 'resource' && body.length > 2000) throw new AppError('validation_failed', { fields: { body: msg('validation.max_length', { count: 2000 }) } });
  // A translation is writing like a post: the student-privacy guard, the writing brakes and new members' link limits hold.
  privacyCheck(input.acknowledge_privacy, title, body);
  await postingLimit(db, user.id);
  await newMemberLimits(db, user, renderMarkdown(body));
  const now = new Date();
  return db.transaction().execute(async (tx) => {
    // One writer at a time per item: the row lock (or, for a first version, the unique index) orders them.
    const existing = await tx.selectFrom('member_translations').selectAll().where(col(target), '=', target.id).where('language', '=', language).forUpdate().executeTakeFirst();
    let id: number;
    let created = false;
    if (existing) {
      // The same text again (a double submit) changes nothing.
      if (existing.body === body && existing.title === title) return { id: existing.id, created: false };
      await tx.insertInto('member_translation_revisions').values({ translation_id: existing.id, version: existing.version, title: existing.title, body: existing.body, edited_by: existing.corrected_by ?? existing.translated_by, created_at: existing.updated_at }).onConflict((oc) => oc.doNothing()).execute();
      await tx
        .updateTable('member_translations')
        .set({ title, body, version: existing.version + 1, source_version: target.version, corrected_by: existing.translated_by === user.id && !existing.corrected_by ? null : user.id, updated_at: now })
        .where('id', '=', existing.id)
        .execute();
      id = existing.id;
    } else {
      const row = await tx
        .insertInto('member_translations')
        .values({ [col(target)]: target.id, language, title, body, source_version: target.version, translated_by: user.id, created_at: now, updated_at: now })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!row) throw new AppError('conflict', { fields: { body: msg('translate.conflict') } });
      id = row.id;
      created = true;
      if (target.kind === 'post') await tx.updateTable('threads').set({ translation_count: sql`translation_count + 1` }).where('id', '=', target.thread.id).execute();
    }
    const fulfilled = await tx
      .updateTable('translation_requests')
      .set({ fulfilled_at: now })
      .where(col(target), '=', target.id)
      .where('language', '=', language)
      .where('fulfilled_at', 'is', null)
      .returning('id')
      .execute();
    if (fulfilled.length) await jobs.send(tx, QUEUES.translationDone, { id, requests: fulfilled.map((r) => r.id) }, { key: `trd:${id}:${fulfilled[0]!.id}` });
    await audit(tx, user.id, created ? 'translation.create' : 'translation.correct', { type: target.kind, id: target.id }, { language });
    return { id, created };
  });
}

/**
 * Removes a translation (a moderator of the thread, or whoever may edit the
 * resource): an abusive or wrong one goes, with its history, and the item
 * may be asked for again. Returns false when there was none.
 */
export async function removeTranslation(db: Db, actor: Actor, target: Target): Promise<boolean> {
  if (target.kind === 'post') authorize(actor, 'thread.moderate', target.subject.thread);
  else authorize(actor, 'resource.update', target.subject);
  return db.transaction().execute(async (tx) => {
    const gone = await tx.deleteFrom('member_translations').where(col(target), '=', target.id).returning('id').executeTakeFirst();
    if (!gone) return false;
    if (target.kind === 'post') await tx.updateTable('threads').set({ translation_count: sql`greatest(translation_count - 1, 0)` }).where('id', '=', target.thread.id).execute();
    await audit(tx, actor.id, 'translation.remove', { type: target.kind, id: target.id });
    return true;
  });
}

/** Earlier versions of a translation, newest first. */
export async function translationHistory(db: Db, translationId: number) {
  return db
    .selectFrom('member_translation_revisions as r')
    .leftJoin('users as u', 'u.id', 'r.edited_by')
    .select(['r.version', 'r.title', 'r.body', 'r.created_at', 'u.name as editor'])
    .where('r.translation_id', '=', translationId)
    .orderBy('r.version', 'desc')
    .limit(50)
    .execute();
}

// ---- the translators' queue ------------------------------------------------------------------------------

export interface OpenRequest {
  kind: 'post' | 'resource';
  id: number;
  /** Where to write it. */
  href: string;
  title: string;
  language: Lang;
  asked: number;
  first_asked: Date;
}

/**
 * Open requests a person may fulfil (they may read the item and take part
 * where it is), most asked first. Two statements, posts and resources, each
 * filtered in SQL by the read rule's twin (`threadReadableBy`,
 * `resourceReadableBy`), then by the write rule on the rows; bounded.
 */
export async function openRequests(db: Db, actor: Actor, limit = 50): Promise<OpenRequest[]> {
  if (actor.kind !== 'user') return [];
  type Asked = { language: 'en' | 'es'; asked: number; first_asked: Date };
  const [posts, resources] = await Promise.all([
    sql<Asked & { id: number; title: string; author_id: number | null; group_id: number | null; visibility: GroupSubject['visibility'] | null; join_policy: GroupSubject['join_policy'] | null; archived_at: Date | null; thread_deleted_at: Date | null; locked: boolean; closed: boolean }>`
      SELECT p.id, q.language, count(*)::int AS asked, min(q.created_at) AS first_asked, t.title, p.author_id,
             t.group_id, g.visibility, g.join_policy, g.archived_at, t.deleted_at AS thread_deleted_at, t.locked, t.closed
        FROM translation_requests q JOIN posts p ON p.id = q.post_id JOIN threads t ON t.id = p.thread_id LEFT JOIN practice_groups g ON g.id = t.group_id
       WHERE q.fulfilled_at IS NULL AND p.deleted_at IS NULL AND p.hidden_at IS NULL AND ${threadReadableBy(actor)}
       GROUP BY p.id, q.language, t.id, g.id
       ORDER BY count(*) DESC, min(q.created_at) LIMIT 200`.execute(db),
    sql<Asked & { id: number; slug: string; title: string; visibility: ResourceRow['visibility']; group_id: number | null; created_by: number | null }>`
      SELECT r.id, q.language, count(*)::int AS asked, min(q.created_at) AS first_asked, r.slug, r.title, r.visibility, r.group_id, r.created_by
        FROM translation_requests q JOIN resources r ON r.id = q.resource_id
       WHERE q.fulfilled_at IS NULL AND ${resourceReadableBy(actor)}
       GROUP BY r.id, q.language
       ORDER BY count(*) DESC, min(q.created_at) LIMIT 200`.execute(db),
  ]);
  const out: OpenRequest[] = [];
  for (const r of posts.rows) {
    const group = r.group_id === null ? null : { id: r.group_id, visibility: r.visibility!, join_policy: r.join_policy!, archived_at: r.archived_at };
    const subject = { author_id: r.author_id, thread: { group, locked: r.locked, closed: r.closed, deleted_at: r.thread_deleted_at }, deleted_at: null, hidden: false };
    if (can(actor, 'post.translate', subject)) out.push({ kind: 'post', id: r.id, href: `/posts/${r.id}/translate`, title: r.title, language: r.language, asked: r.asked, first_asked: new Date(r.first_asked) });
  }
  for (const r of resources.rows) {
    if (can(actor, 'resource.translate', { visibility: r.visibility, group_id: r.group_id, created_by: r.created_by, deleted_at: null }))
      out.push({ kind: 'resource', id: r.id, href: `/resources/${r.slug}/translate`, title: r.title, language: r.language, asked: r.asked, first_asked: new Date(r.first_asked) });
  }
  return out.sort((a, b) => b.asked - a.asked || a.first_asked.getTime() - b.first_asked.getTime()).slice(0, limit);
}

// ---- telling people -----------------------------------------------------------------------------------------

type Deps = { db: Db; jobs: Jobs; mailer: Mailer; config: Config };

/** Reloads a request's item as `reader` sees it; undefined when they may not read it (or it is gone). */
async function targetFor(db: Db, reader: Actor, q: { post_id: number | null; resource_id: number | null }): Promise<Target | undefined> {
  try {
    if (q.post_id !== null) return await postTarget(db, reader, q.post_id);
    const r = await db.selectFrom('resources').select('slug').where('id', '=', q.resource_id!).executeTakeFirst();
    return r ? await resourceTarget(db, reader, r.slug) : undefined;
  } catch (err) {
    if (err instanceof AppError) return undefined;
    throw err;
  }
}

/**
 * Job: someone asked for a translation. Members who said they read both
 * languages and may write it hear about it: a notification for a post (in
 * the app, by email, digest and push as they chose), an email for a resource.
 * The contact rule holds: nobody a youth member may not hear from asks them.
 */
export async function translationRequested(deps: Deps, requestId: number): Promise<number> {
  const { db, jobs, config } = deps;
  const q = await db.selectFrom('translation_requests').selectAll().where('id', '=', requestId).executeTakeFirst();
  if (!q || q.fulfilled_at) return 0;
  // The group the item lives in, when only its members (and facilitators) may write it: narrows the candidates
  // in SQL; each one left is still checked below with the rules the pages use.
  const within = q.post_id !== null
    ? (await db.selectFrom('posts as p').innerJoin('threads as t', 't.id', 'p.thread_id').select('t.group_id').where('p.id', '=', q.post_id).executeTakeFirst())?.group_id
    : (await db.selectFrom('resources').select(['visibility', 'group_id']).where('id', '=', q.resource_id!).executeTakeFirst().then((r) => (r?.visibility === 'group' ? r.group_id : null)));
  const translators = await db
    .selectFrom('users as u')
    .select(['u.id', 'u.email', 'u.name', 'u.locale', 'u.email_notifications', 'u.email_verified_at'])
    .where('u.translator', '=', true)
    .where('u.deactivated_at', 'is', null)
    .where('u.id', '<>', q.requested_by)
    .$if(typeof within === 'number', (w) =>
      w.where((eb) =>
        eb.or([
          eb('u.role', 'in', ['facilitator', 'admin']),
          eb.exists(eb.selectFrom('group_memberships as m').select('m.user_id').whereRef('m.user_id', '=', 'u.id').where('m.group_id', '=', within!).where('m.status', '=', 'active')),
        ]),
      ),
    )
    .orderBy('u.id')
    .limit(500)
    .execute();
  if (translators.length === 0) return 0;
  const allowed = await mayContact(db, q.requested_by, translators.map((u) => u.id));
  const asker = await db.selectFrom('users').select('name').where('id', '=', q.requested_by).executeTakeFirst();
  let told = 0;
  for (const u of translators) {
    if (!allowed.has(u.id)) continue;
    const reader = await loadActor(db, u.id, 'session');
    const target = await targetFor(db, reader, q);
    if (!target || !can(reader, target.kind === 'post' ? 'post.translate' : 'resource.translate', target.subject as never)) continue;
    if (target.kind === 'post') {
      const n = await db.transaction().execute((tx) => createNotification(tx, jobs, { user_id: u.id, kind: 'translation_request', thread_id: target.thread.id, post_id: target.id, actor_id: q.requested_by, data: { language: q.language } }, allowed));
      if (n) told++;
    } else if (u.email_verified_at && u.email_notifications !== 'off') {
      const mail = mailTo(u, (t) => ({
        subject: t('translate.notify.resource_subject', { title: target.title }),
        paragraphs: [t('translate.notify.resource_request', { actor: asker?.name ?? t('notifications.someone'), language: t(`translate.language.${q.language}`), title: target.title })],
        action: { label: t('translate.notify.open'), url: `${config.baseUrl}/resources/${target.resource.slug}/translate` },
      }));
      await deps.mailer.send({ ...mail, headers: { ...(mail.headers ?? {}), 'Auto-Submitted': 'auto-generated' } });
      told++;
    }
  }
  return told;
}

/** Job: a translation people asked for exists; each of them hears about it once (if they may still read it). */
export async function translationDone(deps: Deps, translationId: number, requestIds: number[]): Promise<number> {
  const { db, jobs, config } = deps;
  const tr = await db.selectFrom('member_translations').select(['id', 'post_id', 'resource_id', 'translated_by', 'corrected_by']).where('id', '=', translationId).executeTakeFirst();
  if (!tr || requestIds.length === 0) return 0;
  const by = tr.corrected_by ?? tr.translated_by;
  const byName = by ? (await db.selectFrom('users').select('name').where('id', '=', by).executeTakeFirst())?.name : undefined;
  const asked = await db
    .selectFrom('translation_requests as q')
    .innerJoin('users as u', 'u.id', 'q.requested_by')
    .select(['u.id', 'u.email', 'u.name', 'u.locale', 'u.email_notifications', 'u.email_verified_at', 'u.deactivated_at'])
    .where('q.id', 'in', requestIds)
    .execute();
  const allowed = by ? await mayContact(db, by, asked.map((u) => u.id)) : new Set(asked.map((u) => u.id));
  let told = 0;
  for (const u of asked) {
    if (u.deactivated_at || u.id === by || !allowed.has(u.id)) continue;
    const reader = await loadActor(db, u.id, 'session');
    const target = await targetFor(db, reader, tr);
    if (!target) continue;
    if (target.kind === 'post') {
      const n = await db.transaction().execute((tx) => createNotification(tx, jobs, { user_id: u.id, kind: 'translation_done', thread_id: target.thread.id, post_id: target.id, actor_id: by, data: {} }, allowed));
      if (n) told++;
    } else if (u.email_verified_at && u.email_notifications !== 'off') {
      const mail = mailTo(u, (t) => ({
        subject: t('translate.notify.resource_done_subject', { title: target.title }),
        paragraphs: [t('translate.notify.resource_done', { actor: byName ?? t('notifications.someone'), title: target.title })],
        action: { label: t('translate.notify.open_done'), url: `${config.baseUrl}/resources/${target.resource.slug}#translation` },
      }));
      await deps.mailer.send(mail);
      told++;
    }
  }
  return told;
}

export function registerTranslationJobs(deps: Deps): void {
  const id = (v: unknown) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error('job data has no valid id');
    return n;
  };
  deps.jobs.handle(QUEUES.translationRequested, async (d) => {
    await translationRequested(deps, id(d.id));
  });
  deps.jobs.handle(QUEUES.translationDone, async (d) => {
    await translationDone(deps, id(d.id), Array.isArray(d.requests) ? d.requests.map(id) : []);
  });
}

// ---- what lacks a language ----------------------------------------------------------------------------------

export interface NeedsTranslationRow {
  kind: string;
  id: number;
  title: string;
  /** Where to add the other language. */
  href: string;
  language: Lang;
  /** The fields written in one language only. */
  missing: string[];
  /** How many people it reaches (see `READERS`). */
  readers: number;
}

/**
 * Per kind of content: its title, where it is edited, and how many people it
 * reaches, as well as we can count it: every active member for the
 * community's own text; a group's members for the group and its priorities;
 * the members of the groups whose priorities advance an agenda item; the
 * people registered for a convening; library views and downloads in the last
 * 90 days for a resource, and for a collection the same for its resources;
 * an organization's people, and the members in a state initiative's state.
 */
const READERS: Record<string, { from: string; title: string; href: string; readers: string; where?: string }> = {
  community: { from: 'community r', title: 'r.name', href: `'/admin/community'`, readers: '(SELECT count(*) FROM users WHERE deactivated_at IS NULL)' },
  group: { from: 'practice_groups r', title: 'r.name', href: `'/groups/' || r.slug || '/edit'`, readers: 'r.member_count', where: 'r.archived_at IS NULL' },
  group_priority: {
    from: 'group_priorities r JOIN practice_groups g ON g.id = r.group_id',
    title: `g.name || ' — ' || r.position || '. ' || r.text`,
    href: `'/groups/' || g.slug || '/edit'`,
    readers: 'g.member_count',
    where: 'g.archived_at IS NULL',
  },
  agenda_item: { from: 'agenda_items r', title: 'r.title', href: `'/agenda/' || r.slug || '/edit'`, readers: AGENDA_READERS('r.id') },
  agenda_why: { from: 'agenda_why r JOIN agenda_items a ON a.id = r.item_id', title: 'a.title', href: `'/agenda/' || a.slug || '/edit'`, readers: AGENDA_READERS('a.id') },
  milestone: { from: 'agenda_milestones r JOIN agenda_items a ON a.id = r.item_id', title: `a.title || ' — ' || r.title`, href: `'/agenda/' || a.slug`, readers: AGENDA_READERS('a.id') },
  agenda_update: { from: 'agenda_updates r JOIN agenda_items a ON a.id = r.item_id', title: `a.title || ' — ' || left(r.body, 80)`, href: `'/agenda/' || a.slug`, readers: AGENDA_READERS('a.id') },
  event: { from: 'events r', title: 'r.title', href: `'/events/' || r.id || '/edit'`, readers: '(r.going_count + r.maybe_count + r.waitlist_count)', where: `r.status = 'scheduled' AND r.ends_at > now()` },
  resource: {
    from: 'resources r',
    title: 'r.title',
    href: `'/resources/' || r.slug || '/edit'`,
    readers: `(SELECT count(*) FROM view_events v WHERE v.resource_id = r.id AND v.kind IN (1, 2) AND v.day > current_date - 90)`,
    where: `r.deleted_at IS NULL AND r.visibility <> 'group'`,
  },
  collection: {
    from: 'collections r',
    title: 'r.title',
    href: `'/collections/' || r.slug`,
    readers: `(SELECT count(*) FROM collection_items ci JOIN view_events v ON v.resource_id = ci.resource_id WHERE ci.collection_id = r.id AND v.kind IN (1, 2) AND v.day > current_date - 90)`,
    where: 'r.group_id IS NULL OR (SELECT g.visibility FROM practice_groups g WHERE g.id = r.group_id) = ' + "'public'",
  },
  organization: { from: 'organizations r', title: 'r.name', href: `'/admin/organizations/' || r.id`, readers: '(SELECT count(*) FROM user_organizations uo WHERE uo.organization_id = r.id)' },
  state_initiative: { from: 'state_initiatives r', title: 'r.name', href: `'/admin/states/' || r.id`, readers: `(SELECT count(*) FROM users u WHERE u.state_code = r.state_code AND u.deactivated_at IS NULL)` },
};
function AGENDA_READERS(item: string): string {
  return `(SELECT coalesce(sum(g.member_count), 0) FROM practice_groups g WHERE g.id IN (SELECT ap.group_id FROM agenda_priorities ap WHERE ap.item_id = ${item}))`;
}

/**
 * What facilitators and leads wrote for everyone that exists in one language
 * only, most-reached first. Private and group-only content is left out: it
 * is not written for everyone.
 */
export async function needsTranslation(db: Db, opts: { kind?: string; limit?: number } = {}): Promise<NeedsTranslationRow[]> {
  const kinds = Object.entries(CONTENT).filter(([k]) => !opts.kind || k === opts.kind);
  if (kinds.length === 0) return [];
  const parts = kinds.map(([key, kind]) => {
    const r = READERS[key]!;
    const lang = sql.raw(kind.languageFrom ?? 'r.language');
    const missing = sql.join(
      kind.fields.map((f) => sql`CASE WHEN r.${sql.raw(f)} <> '' AND COALESCE(r.translations -> (CASE WHEN ${lang} = 'es' THEN 'en' ELSE 'es' END) ->> ${sql.lit(f)}, '') = '' THEN ${sql.lit(f)} END`),
    );
    const id = key === 'agenda_why' ? sql.raw('r.item_id') : key === 'community' ? sql.raw('r.id::bigint') : sql.raw('r.id');
    return sql`SELECT ${sql.lit(key)} AS kind, ${id}::bigint AS id, left(${sql.raw(r.title)}, 200) AS title, ${sql.raw(r.href)} AS href, ${lang} AS language,
                      array_remove(ARRAY[${missing}]::text[], NULL) AS missing, (${sql.raw(r.readers)})::int AS readers
                 FROM ${sql.raw(r.from)}
                WHERE ${missingTranslationSql(kind)} ${r.where ? sql`AND (${sql.raw(r.where)})` : sql``}`;
  });
  const rows = await sql<NeedsTranslationRow>`SELECT * FROM (${sql.join(parts, sql` UNION ALL `)}) x ORDER BY readers DESC, kind, id LIMIT ${opts.limit ?? 200}`.execute(db);
  return rows.rows.map((r) => ({ ...r, id: Number(r.id), language: r.language === 'es' ? 'es' : 'en' }));
}
