import { pruneHeld } from '../email/held.js';
import { createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { sql } from 'kysely';
import type { Db, Tx } from '../platform/db/db.js';
import { audit } from '../platform/db/tx.js';
import { QUEUES, type Jobs } from '../platform/jobs/jobs.js';
import type { Mailer } from '../platform/mail/mailer.js';
import { mailTo } from '../platform/mail/templates.js';
import { formatters } from '../platform/i18n/i18n.js';
import { AppError, msg, type FieldErrors } from '../platform/http/errors.js';
import { randomToken, verifyPassword } from '../platform/auth/secrets.js';
import type { UserActor } from '../platform/auth/actor.js';
import { uploadStore } from '../resources/storage.js';
import { promote, recount } from '../events/commands.js';
import { recountReactions } from '../discussions/reactions.js';
import { removeStored } from '../discussions/attachments.js';

/**
 * "Download your data" and "delete your account": asked for on a page, done
 * by jobs (queued in the same transaction as the request), confirmed by email.
 * Retention: a daily job removes old notifications and, when an admin sets a
 * limit, accounts nobody has used for that long (after a warning email).
 */
export const EXPORT_DAYS = 7;

export interface TrustDeps {
  db: Db;
  jobs: Jobs;
  mailer: Mailer;
  config: { dataDir: string; baseUrl: string };
}

const exportDir = (dataDir: string) => path.join(dataDir, 'exports');
/** The archive's file name: random, so it cannot be guessed; served only to its owner. */
export const exportPath = (dataDir: string, fileName: string) => {
  if (!/^[A-Za-z0-9_-]{20,60}\.zip$/.test(fileName)) throw new Error('bad export name');
  return path.join(exportDir(dataDir), fileName);
};

export async function requestExport(db: Db, jobs: Jobs, actor: UserActor): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('account_requests')
      .values({ user_id: actor.id, kind: 'export' })
      .onConflict((oc) => oc.columns(['user_id', 'kind']).where('status', '=', 'pending').doNothing())
      .returning('id')
      .executeTakeFirst();
    // A second click while one is pending makes nothing new.
    if (row) await jobs.send(tx, QUEUES.accountExport, { requestId: row.id }, { key: `export:${row.id}` });
  });
}

export async function requestDeletion(db: Db, jobs: Jobs, actor: UserActor, input: { password?: string; email: string; posts: 'anonymize' | 'erase' }): Promise<void> {
  const user = await db.selectFrom('users').select(['email', 'password_hash', 'role']).where('id', '=', actor.id).executeTakeFirstOrThrow();
  const fields: FieldErrors = {};
  if (input.email.trim().toLowerCase() !== user.email.toLowerCase()) fields.email = msg('your_data.confirm_email_wrong');
  if (user.password_hash && !(await verifyPassword(user.password_hash, input.password ?? ''))) fields.password = msg('accounts.password_wrong');
  if (Object.keys(fields).length) throw new AppError('validation_failed', { fields });
  if (user.role === 'admin') {
    const admins = await db.selectFrom('users').select(sql<number>`count(*)::int`.as('n')).where('role', '=', 'admin').where('deactivated_at', 'is', null).executeTakeFirstOrThrow();
    if (admins.n <= 1) throw new AppError('conflict', { fields: { _: msg('your_data.sole_admin') } });
  }
  await db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('account_requests')
      .values({ user_id: actor.id, kind: 'delete', posts: input.posts })
      .onConflict((oc) => oc.columns(['user_id', 'kind']).where('status', '=', 'pending').doNothing())
      .returning('id')
      .executeTakeFirst();
    // Signed out everywhere at once; the account is closed now and removed by the job.
    await tx.updateTable('users').set({ deactivated_at: new Date() }).where('id', '=', actor.id).execute();
    await tx.deleteFrom('sessions').where('user_id', '=', actor.id).execute();
    await tx.updateTable('api_tokens').set({ revoked_at: new Date() }).where('user_id', '=', actor.id).where('revoked_at', 'is', null).execute();
    await audit(tx, actor.id, 'account.delete_requested', { type: 'user', id: actor.id }, { posts: input.posts });
    if (row) await jobs.send(tx, QUEUES.accountDelete, { requestId: row.id }, { key: `delete:${row.id}` });
  });
}

export async function latestExport(db: Db, userId: number) {
  return db
    .selectFrom('account_requests')
    .select(['id', 'status', 'file_name', 'created_at', 'done_at', 'expires_at'])
    .where('user_id', '=', userId)
    .where('kind', '=', 'export')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Everything Convene keeps about a person, as plain JSON-ready rows. */
export async function collectPersonalData(db: Db, userId: number) {
  const user = await db
    .selectFrom('users')
    .select(['id', 'email', 'email_verified_at', 'name', 'handle', 'pronouns', 'bio', 'state_code', 'birth_year', 'is_youth', 'role', 'perspectives', 'expertise', 'visibility', 'hidden', 'locale', 'time_zone', 'email_notifications', 'created_at', 'last_seen_at', 'totp_enabled_at'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  const [organizations, groups, threads, posts, reactions, messages, resources, files, registrations, useReports, disseminationReports, notifications, sessions, tokens, identities, contact] = await Promise.all([
    db.selectFrom('user_organizations as uo').innerJoin('organizations as o', 'o.id', 'uo.organization_id').select(['o.name', 'o.slug', 'uo.title']).where('uo.user_id', '=', userId).execute(),
    db.selectFrom('group_memberships as m').innerJoin('practice_groups as g', 'g.id', 'm.group_id').select(['g.name', 'g.slug', 'm.role', 'm.status']).where('m.user_id', '=', userId).execute(),
    db.selectFrom('threads').select(['id', 'title', 'group_id', 'created_at', 'deleted_at']).where('author_id', '=', userId).orderBy('id').execute(),
    db.selectFrom('posts').select(['id', 'thread_id', 'body', 'language', 'created_at', 'edited_at', 'deleted_at']).where('author_id', '=', userId).orderBy('id').execute(),
    db.selectFrom('post_reactions').select(['post_id', 'kind', 'created_at']).where('user_id', '=', userId).orderBy('created_at').execute(),
    db.selectFrom('conversation_messages as m').innerJoin('conversations as c', 'c.id', 'm.conversation_id').select(['m.id', 'c.subject', 'm.body', 'm.created_at']).where('m.author_id', '=', userId).orderBy('m.id').execute(),
    db.selectFrom('resources').select(['id', 'slug', 'title', 'summary', 'created_at', 'deleted_at']).where('created_by', '=', userId).orderBy('id').execute(),
    db.selectFrom('resource_files').select(['id', 'resource_id', 'filename', 'storage_key', 'size_bytes', 'created_at']).where('uploaded_by', '=', userId).orderBy('id').execute(),
    db
      .selectFrom('event_registrations as r')
      .innerJoin('events as e', 'e.id', 'r.event_id')
      .select(['e.title', 'e.starts_at', 'r.response', 'r.status', 'r.accommodations', 'r.interpretation_language', 'r.accommodation_notes', 'r.attended', 'r.created_at'])
      .where('r.user_id', '=', userId)
      .orderBy('e.starts_at')
      .execute(),
    db.selectFrom('use_reports').selectAll().where('user_id', '=', userId).orderBy('id').execute(),
    db.selectFrom('dissemination_reports').selectAll().where('reported_by', '=', userId).orderBy('id').execute(),
    db.selectFrom('notifications').select(['kind', 'thread_id', 'post_id', 'data', 'created_at', 'read_at']).where('user_id', '=', userId).orderBy('id').execute(),
    db.selectFrom('sessions').select(['created_at', 'last_seen_at', 'user_agent']).where('user_id', '=', userId).execute(),
    db.selectFrom('api_tokens').select(['name', 'prefix', 'created_at', 'last_used_at', 'revoked_at']).where('user_id', '=', userId).execute(),
    db.selectFrom('user_identities as i').innerJoin('oidc_providers as p', 'p.id', 'i.provider_id').select(['p.name', 'i.created_at', 'i.last_used_at']).where('i.user_id', '=', userId).execute(),
    db.selectFrom('contact_requests').select(['topic', 'body', 'status', 'created_at']).where('user_id', '=', userId).execute(),
  ]);
  // Taking part by email, devices and partners' endpoints.
  // Evidence of value: stories told, votes cast, questions about use.
  // Translations written or corrected, and translations asked for.
  const [translations, translationRequests] = await Promise.all([
    db
      .selectFrom('member_translations')
      .select(['id', 'post_id', 'resource_id', 'language', 'title', 'body', 'created_at', 'updated_at'])
      .where((eb) => eb.or([eb('translated_by', '=', userId), eb('corrected_by', '=', userId)]))
      .orderBy('id')
      .execute(),
    db.selectFrom('translation_requests').select(['post_id', 'resource_id', 'language', 'created_at', 'fulfilled_at']).where('requested_by', '=', userId).orderBy('id').execute(),
  ]);
  const [stories, votes, followups] = await Promise.all([
    db.selectFrom('value_stories').select(['id', 'title', 'body', 'language', 'cycles', 'perspectives', 'audience', 'status', 'created_at', 'updated_at']).where('author_id', '=', userId).orderBy('id').execute(),
    db.selectFrom('decision_votes as v').innerJoin('decisions as d', 'd.id', 'v.decision_id').select(['d.id as decision_id', 'd.title', 'v.option_ids', 'v.stance', 'v.reason', 'v.created_at', 'v.updated_at']).where('v.user_id', '=', userId).orderBy('v.created_at').execute(),
    db.selectFrom('use_followups').select(['id', 'resource_id', 'event_id', 'trigger', 'created_at', 'asked_at', 'answered_at', 'outcome']).where('user_id', '=', userId).orderBy('id').execute(),
  ]);
  const [mailingLists, heldMessages, pushDevices, webhooks] = await Promise.all([
    db.selectFrom('list_subscriptions as s').innerJoin('practice_groups as g', 'g.id', 's.group_id').select(['g.name', 'g.slug', 's.created_at']).where('s.user_id', '=', userId).execute(),
    db.selectFrom('held_posts').select(['id', 'title', 'body', 'reason', 'created_at']).where('user_id', '=', userId).orderBy('id').execute(),
    db.selectFrom('push_subscriptions').select(['label', 'created_at', 'last_sent_at']).where('user_id', '=', userId).orderBy('id').execute(),
    db.selectFrom('webhook_endpoints').select(['url', 'description', 'events', 'created_at', 'disabled_at']).where('owner_id', '=', userId).orderBy('id').execute(),
  ]);
  return { user, organizations, groups, threads, posts, reactions, messages, resources, files, registrations, useReports, disseminationReports, notifications, sessions, tokens, identities, contact, mailingLists, heldMessages, pushDevices, webhooks, stories, votes, followups, translations, translationRequests };
}

/** Builds the archive: data.json, README.txt and the person's uploads under files/. */
export async function runExport(deps: TrustDeps, requestId: number): Promise<void> {
  const { db, config } = deps;
  const req = await db.selectFrom('account_requests').selectAll().where('id', '=', requestId).executeTakeFirst();
  if (!req || req.status !== 'pending' || req.kind !== 'export' || req.user_id === null) return;
  const data = await collectPersonalData(db, req.user_id);
  const store = uploadStore(config.dataDir);
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(JSON.stringify({ exported_at: new Date().toISOString(), ...data, files: data.files.map(({ storage_key: _k, ...f }) => f) }, null, 2)), 'data.json');
  zip.addBuffer(
    Buffer.from(
      'This archive holds what Convene keeps about you: data.json (your profile, memberships, threads, posts, resources, event registrations, reports, notifications, sessions, API tokens and linked sign-in providers) and files/ (the files you uploaded).\n',
    ),
    'README.txt',
  );
  for (const f of data.files) {
    if (store.exists(f.storage_key)) zip.addFile(store.readPath(f.storage_key), `files/${f.id}-${f.filename.replace(/[/\\]/g, '_')}`);
  }
  zip.end();
  mkdirSync(exportDir(config.dataDir), { recursive: true });
  const fileName = `${randomToken(24)}.zip`;
  await pipeline(zip.outputStream, createWriteStream(exportPath(config.dataDir, fileName), { mode: 0o600 }));
  const expires = new Date(Date.now() + EXPORT_DAYS * 86400_000);
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('account_requests').set({ status: 'done', file_name: fileName, done_at: new Date(), expires_at: expires }).where('id', '=', requestId).execute();
    await audit(tx, req.user_id, 'account.export_ready', { type: 'user', id: req.user_id });
  });
  await deps.mailer.send(
    mailTo(data.user, (t) => ({
      subject: t('your_data.mail_export_subject'),
      paragraphs: [t('your_data.mail_export_body')],
      action: { label: t('your_data.mail_export_action'), url: `${config.baseUrl}/settings/data` },
    })),
  );
}

/**
 * Removes an account. Posts are kept under "Former member" (the author link
 * is cleared when the row goes) or erased (text and revisions removed; threads
 * nobody else answered are removed too). Seats given up promote the waitlist;
 * group and event counts are kept true.
 */
export async function runDeletion(deps: TrustDeps, requestId: number): Promise<void> {
  const { db, jobs, config } = deps;
  const req = await db.selectFrom('account_requests').selectAll().where('id', '=', requestId).executeTakeFirst();
  if (!req || req.status !== 'pending' || req.kind !== 'delete' || req.user_id === null) return;
  const userId = req.user_id;
  const user = await db.selectFrom('users').select(['email', 'name', 'locale']).where('id', '=', userId).executeTakeFirst();
  if (!user) return;
  await db.transaction().execute(async (tx) => {
    await removeAccount(tx, jobs, config.dataDir, userId, req.posts ?? 'anonymize');
    await tx.updateTable('account_requests').set({ status: 'done', done_at: new Date() }).where('id', '=', requestId).execute();
    // The audit entry keeps no personal data: only that an account was removed.
    await audit(tx, null, 'account.deleted', { type: 'user', id: userId }, { posts: req.posts, request: requestId });
  });
  const community = (await db.selectFrom('community').select('name').executeTakeFirst())?.name ?? 'Convene';
  await deps.mailer.send(
    mailTo(user, (t) => ({
      subject: t('your_data.mail_deleted_subject'),
      paragraphs: [t('your_data.mail_deleted_body', { community, what: t(req.posts === 'erase' ? 'your_data.mail_deleted_erased' : 'your_data.mail_deleted_anonymized') })],
    })),
  );
}

export async function removeAccount(tx: Tx, jobs: Jobs, dataDir: string, userId: number, posts: 'anonymize' | 'erase'): Promise<void> {
  if (posts === 'erase') {
    const mine = tx.selectFrom('posts').select('id').where('author_id', '=', userId);
    await tx.deleteFrom('post_revisions').where('post_id', 'in', mine).execute();
    // Their private messages are erased for everyone too.
    await tx.deleteFrom('conversation_messages').where('author_id', '=', userId).execute();
    // So are the stories of value they told (votes and questions about use go with the account itself).
    await tx.deleteFrom('value_stories').where('author_id', '=', userId).execute();
    // Their pictures and files go too (the bytes right away: nothing else refers to them).
    const attached = await tx.deleteFrom('post_attachments').where('post_id', 'in', mine).returning('storage_key').execute();
    await removeStored(uploadStore(dataDir), attached.map((r) => r.storage_key));
    await tx.updateTable('posts').set({ body: '[removed]', body_html: null, deleted_at: sql`coalesce(deleted_at, now())` }).where('author_id', '=', userId).execute();
    // Threads they started that nobody else joined go with them.
    await tx
      .updateTable('threads')
      .set({ deleted_at: sql`coalesce(deleted_at, now())` })
      .where('author_id', '=', userId)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('posts as p').select('p.id').whereRef('p.thread_id', '=', 'threads.id').where('p.author_id', '!=', userId))))
      .execute();
  }
  // Seats given up at upcoming events go to the waitlist; every count is redone.
  const regs = await tx
    .selectFrom('event_registrations as r')
    .innerJoin('events as e', 'e.id', 'r.event_id')
    .select(['e.id', 'e.capacity', 'r.status', 'e.ends_at'])
    .where('r.user_id', '=', userId)
    .execute();
  const groups = await tx.selectFrom('group_memberships').select('group_id').where('user_id', '=', userId).execute();
  // Their uploads stay with the resources they belong to (others may rely on them) but lose the uploader.
  const exportsOf = await tx.selectFrom('account_requests').select('file_name').where('user_id', '=', userId).where('file_name', 'is not', null).execute();
  // Events are locked first, in id order, as registration does, so the two never wait on each other.
  const eventIds = [...new Set(regs.map((r) => r.id))].sort((a, b) => a - b);
  if (eventIds.length) await tx.selectFrom('events').select('id').where('id', 'in', eventIds).orderBy('id').forUpdate().execute();
  await tx.deleteFrom('event_registrations').where('user_id', '=', userId).execute();
  for (const r of regs) {
    if (r.status === 'confirmed' && r.ends_at > new Date()) await promote(tx, jobs, r);
    await recount(tx, r.id);
  }
  // Their reactions go with them, and the posts they reacted to are counted again.
  const reactedTo = await tx.selectFrom('post_reactions').select('post_id').distinct().where('user_id', '=', userId).execute();
  await tx.deleteFrom('users').where('id', '=', userId).execute();
  await recountReactions(tx, reactedTo.map((r) => r.post_id));
  for (const g of groups) {
    await sql`UPDATE practice_groups SET member_count = (SELECT count(*) FROM group_memberships WHERE group_id = ${g.group_id} AND status = 'active') WHERE id = ${g.group_id}`.execute(tx);
  }
  for (const e of exportsOf) {
    const p = exportPath(dataDir, e.file_name!);
    if (existsSync(p)) rmSync(p);
  }
}

/**
 * The daily retention pass: notifications past the community's limit go;
 * accounts unused past the limit are warned 30 days ahead, then removed (their
 * posts kept under "Former member"). Facilitators and admins are never removed
 * this way; expired downloads are deleted. Returns what it did.
 */
export async function runRetention(deps: TrustDeps, now = new Date()): Promise<{ notifications: number; warned: number; removed: number; exports: number }> {
  const { db, jobs, config } = deps;
  const c = await db.selectFrom('community').select(['name', 'retention_inactive_days', 'retention_notification_days']).executeTakeFirst();
  let notifications = 0;
  if (c?.retention_notification_days) {
    const r = await db.deleteFrom('notifications').where('created_at', '<', new Date(now.getTime() - c.retention_notification_days * 86400_000)).executeTakeFirst();
    notifications = Number(r.numDeletedRows);
  }
  let warned = 0;
  let removed = 0;
  // Messages held from email that their authors never published, and the record of received mail.
  await pruneHeld(db, now);
  await db.deleteFrom('inbound_messages').where('received_at', '<', new Date(now.getTime() - 90 * 86400_000)).execute();
  if (c?.retention_inactive_days) {
    const limit = c.retention_inactive_days;
    const lastUse = sql<Date>`coalesce(last_seen_at, created_at)`;
    // Only members: facilitators and admins are never removed this way.
    const members = () =>
      db.selectFrom('users').select(['id', 'email', 'name', 'locale', lastUse.as('last_use')]).where('deactivated_at', 'is', null).where('role', '=', 'member');
    // Warn those who reach the limit within 30 days and were not warned since they last came.
    const toWarn = await members()
      .where(lastUse, '<', new Date(now.getTime() - (limit - 30) * 86400_000))
      .where((eb) => eb.or([eb('retention_warned_at', 'is', null), eb('retention_warned_at', '<', lastUse)]))
      .limit(500)
      .execute();
    for (const u of toWarn) {
      const removeOn = new Date(Math.max(u.last_use.getTime() + limit * 86400_000, now.getTime() + 30 * 86400_000));
      await deps.mailer.send(
        mailTo(u, (t, locale) => ({
          subject: t('retention.mail_warning_subject'),
          paragraphs: [t('retention.mail_warning_body', { community: c.name, date: formatters(locale).date(removeOn) })],
          action: { label: t('retention.mail_warning_action'), url: `${config.baseUrl}/login` },
        })),
      );
      await db.updateTable('users').set({ retention_warned_at: now }).where('id', '=', u.id).execute();
      warned++;
    }
    // Remove those past the limit who were warned at least 30 days ago and have not come back.
    const toRemove = await members()
      .where(lastUse, '<', new Date(now.getTime() - limit * 86400_000))
      .where('retention_warned_at', '<', new Date(now.getTime() - 30 * 86400_000))
      .where('retention_warned_at', '>', lastUse)
      .limit(500)
      .execute();
    for (const u of toRemove) {
      await db.transaction().execute(async (tx) => {
        await removeAccount(tx, jobs, config.dataDir, u.id, 'anonymize');
        await audit(tx, null, 'retention.account_removed', { type: 'user', id: u.id }, { inactive_days: limit });
      });
      removed++;
    }
  }
  const expired = await db
    .updateTable('account_requests')
    .set({ status: 'expired' })
    .where('kind', '=', 'export')
    .where('status', '=', 'done')
    .where('expires_at', '<', now)
    .returning('file_name')
    .execute();
  for (const e of expired) {
    if (!e.file_name) continue;
    const p = exportPath(config.dataDir, e.file_name);
    if (existsSync(p)) rmSync(p);
  }
  if (notifications || warned || removed) await audit(db, null, 'retention.run', { type: 'community' }, { notifications, warned, removed });
  return { notifications, warned, removed, exports: expired.length };
}

export function registerTrustJobs(deps: TrustDeps): void {
  deps.jobs.handle(QUEUES.accountExport, async (d) => {
    const id = Number(d.requestId);
    if (!Number.isSafeInteger(id)) throw new Error('export job has bad data');
    await runExport(deps, id);
  });
  deps.jobs.handle(QUEUES.accountDelete, async (d) => {
    const id = Number(d.requestId);
    if (!Number.isSafeInteger(id)) throw new Error('delete job has bad data');
    await runDeletion(deps, id);
  });
  deps.jobs.handle(QUEUES.retention, async () => {
    await runRetention(deps);
  });
}
