import { Type, type Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Db, Tx } from '../platform/db/db.js';
import type { Config } from '../platform/config.js';
import type { Mailer } from '../platform/mail/mailer.js';
import type { Actor, UserActor } from '../platform/auth/actor.js';
import { authorize, can } from '../platform/auth/policy.js';
import { AppError, msg } from '../platform/http/errors.js';
import { hitAll } from '../platform/auth/rate-limit.js';
import { audit, once } from '../platform/db/tx.js';
import { Enum, Line, OptionalText, RequiredText, clean } from '../platform/http/schema-helpers.js';
import { QUEUES, type Jobs } from '../platform/jobs/jobs.js';
import { absoluteLinks, mailTo } from '../platform/mail/templates.js';
import { MARKDOWN_LIMITS, excerpt, markdownOverLimit, renderMarkdown } from '../discussions/markdown.js';
import { FLAG_REASONS } from '../discussions/moderation.js';
import { privacyCheck } from '../trust/privacy-guard.js';
import type { ConversationSubject } from './policy.js';

/** Two to ten people, the author included. */
export const MAX_PEOPLE = 10;
const MESSAGES_PER_MINUTE = { max: 10, windowSeconds: 60 };
const MESSAGES_PER_HOUR = { max: 120, windowSeconds: 3600 };
export const CONVERSATIONS_PAGE = 30;

const Acknowledge = () => Type.Optional(Type.Boolean());
export const StartInput = Type.Object({
  to: RequiredText(600, { description: 'Handles of the people to include, separated by commas or spaces (with or without @)' }),
  subject: Line(200),
  body: RequiredText(20_000),
  acknowledge_privacy: Acknowledge(),
});
export const MessageInput = Type.Object({ body: RequiredText(20_000), acknowledge_privacy: Acknowledge() });
export const ReportInput = Type.Object({ reason: Enum(FLAG_REASONS), note: OptionalText(1000) });

export interface ConversationDeps {
  db: Db;
  jobs: Jobs;
}

const fieldError = (field: string, key: string, params?: Record<string, unknown>) => new AppError('validation_failed', { fields: { [field]: msg(key, params) } });

function checkBody(body: string) {
  const over = markdownOverLimit(body);
  if (over) throw fieldError('body', `discussions.markdown_limit.${over}`, { max: MARKDOWN_LIMITS[over] });
}

async function messageLimit(db: Db, userId: number) {
  await hitAll(db, [
    { key: `msg:min:${userId}`, limit: MESSAGES_PER_MINUTE },
    { key: `msg:hour:${userId}`, limit: MESSAGES_PER_HOUR },
  ]);
}

/** The handles in a "To" field: split on commas, semicolons and spaces, the @ optional, each once. */
export function parseHandles(to: string): string[] {
  return [...new Set(to.split(/[\s,;]+/).map((h) => h.replace(/^@/, '').toLowerCase()).filter(Boolean))];
}

/**
 * The youth contact rule for a group of people: a youth member may be in a
 * conversation only with people who share an active practice group with them,
 * or with facilitators and administrators. Returns everyone in a pair that
 * breaks it (so a refusal can name the people, never say who is the youth).
 */
export async function youthRuleBreakers(db: Db | Tx, userIds: number[]): Promise<number[]> {
  const people = await db.selectFrom('users').select(['id', 'is_youth', 'role']).where('id', 'in', userIds).execute();
  if (!people.some((p) => p.is_youth)) return [];
  const memberships = await db.selectFrom('group_memberships').select(['user_id', 'group_id']).where('user_id', 'in', userIds).where('status', '=', 'active').execute();
  const groupsOf = new Map<number, Set<number>>();
  for (const m of memberships) groupsOf.set(m.user_id, (groupsOf.get(m.user_id) ?? new Set()).add(m.group_id));
  const staff = (p: { role: string }) => p.role === 'facilitator' || p.role === 'admin';
  const involved = new Set<number>();
  for (const y of people.filter((p) => p.is_youth && !staff(p))) {
    const theirs = groupsOf.get(y.id) ?? new Set<number>();
    for (const p of people) {
      if (p.id === y.id || staff(p)) continue;
      if ([...(groupsOf.get(p.id) ?? [])].some((g) => theirs.has(g))) continue;
      involved.add(y.id).add(p.id);
    }
  }
  return [...involved];
}

/** Whether `author` may start a conversation with `other` alone (for a profile's "Send a message"). */
export async function mayMessage(db: Db, author: UserActor, otherId: number): Promise<boolean> {
  if (author.id === otherId || !can(author, 'conversation.start', undefined)) return false;
  const other = await db.selectFrom('users').select(['hidden', 'deactivated_at', 'email_verified_at']).where('id', '=', otherId).executeTakeFirst();
  if (!other || other.hidden || other.deactivated_at || !other.email_verified_at) return false;
  return (await youthRuleBreakers(db, [author.id, otherId])).length === 0;
}

/**
 * Starts a conversation: the author and the people named in "To" (by handle;
 * nobody hidden, deactivated or unconfirmed; at most ten in all), with its
 * first message. The student-privacy guard applies as to posts. One
 * transaction; a double submit starts one.
 */
export async function startConversation(deps: ConversationDeps, actor: Actor, input: Static<typeof StartInput>, idempotencyKey?: string): Promise<{ id: number }> {
  authorize(actor, 'conversation.start', undefined);
  const author = actor as UserActor;
  const { db } = deps;
  const handles = parseHandles(input.to);
  const subject = clean(input.subject);
  const body = clean(input.body);
  checkBody(body);
  if (handles.length === 0) throw fieldError('to', 'conversations.to_empty');
  if (handles.length > MAX_PEOPLE - 1) throw fieldError('to', 'conversations.to_many', { max: MAX_PEOPLE });
  const found = await db
    .selectFrom('users')
    .select(['id', 'name', 'is_youth', sql<string>`lower(handle)`.as('handle')])
    .where(sql`lower(handle)`, 'in', handles)
    .where('hidden', '=', false)
    .where('deactivated_at', 'is', null)
    .where('email_verified_at', 'is not', null)
    .execute();
  const unknown = handles.filter((h) => !found.some((f) => f.handle === h));
  if (unknown.length) throw fieldError('to', 'conversations.to_unknown', { handles: unknown.map((h) => `@${h}`).join(', ') });
  const others = found.filter((f) => f.id !== author.id);
  if (others.length === 0) throw fieldError('to', 'conversations.to_self');
  const ids = [author.id, ...others.map((o) => o.id)];
  const breakers = await youthRuleBreakers(db, ids);
  if (breakers.length) {
    const names = others.filter((f) => breakers.includes(f.id)).map((f) => f.name);
    throw fieldError('to', 'conversations.youth_rule', { names: names.join(', ') });
  }
  privacyCheck(input.acknowledge_privacy, subject, body);
  await messageLimit(db, author.id);
  const involvesYouth = others.some((f) => f.is_youth) || author.isYouth;
  return once(db, author.id, idempotencyKey, async (tx) => {
    const now = new Date();
    const c = await tx.insertInto('conversations').values({ subject, created_by: author.id, involves_youth: involvesYouth, created_at: now, last_message_at: now }).returning('id').executeTakeFirstOrThrow();
    await tx
      .insertInto('conversation_members')
      .values(ids.map((id) => ({ conversation_id: c.id, user_id: id, joined_at: now, read_at: id === author.id ? now : null })))
      .execute();
    await insertMessage(tx, deps.jobs, c.id, author.id, body, now);
    return { id: c.id };
  });
}

async function insertMessage(tx: Tx, jobs: Jobs, conversationId: number, authorId: number, body: string, now: Date): Promise<number> {
  const m = await tx.insertInto('conversation_messages').values({ conversation_id: conversationId, author_id: authorId, body, body_html: renderMarkdown(body), created_at: now }).returning('id').executeTakeFirstOrThrow();
  await tx.updateTable('conversations').set({ last_message_at: now }).where('id', '=', conversationId).execute();
  await tx.updateTable('conversation_members').set({ read_at: now }).where('conversation_id', '=', conversationId).where('user_id', '=', authorId).execute();
  const others = await tx.selectFrom('conversation_members').select('user_id').where('conversation_id', '=', conversationId).where('user_id', '!=', authorId).where('left_at', 'is', null).execute();
  for (const o of others) await jobs.send(tx, QUEUES.conversationEmail, { messageId: m.id, userId: o.user_id }, { key: `cm:${m.id}:${o.user_id}` });
  return m.id;
}

export interface ConversationRow {
  id: number;
  subject: string;
  involves_youth: boolean;
  created_at: Date;
  last_message_at: Date;
  members: { id: number; name: string; handle: string; left: boolean; read_at: Date | null }[];
}

export const subjectOf = (c: ConversationRow): ConversationSubject => ({ memberIds: c.members.filter((m) => !m.left).map((m) => m.id), involves_youth: c.involves_youth });

export async function getConversation(db: Db | Tx, id: number): Promise<ConversationRow | undefined> {
  const c = await db.selectFrom('conversations').select(['id', 'subject', 'involves_youth', 'created_at', 'last_message_at']).where('id', '=', id).executeTakeFirst();
  if (!c) return undefined;
  const members = await db
    .selectFrom('conversation_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.name', 'u.handle', 'm.left_at', 'm.read_at'])
    .where('m.conversation_id', '=', id)
    .orderBy('m.joined_at')
    .orderBy('u.id')
    .execute();
  return { ...c, members: members.map((m) => ({ id: m.id, name: m.name, handle: m.handle, left: m.left_at !== null, read_at: m.read_at })) };
}

/** The conversation, if the actor may read it; else not found (its existence is not theirs to know). */
export async function getVisibleConversation(db: Db, actor: Actor, id: number): Promise<ConversationRow> {
  const c = await getConversation(db, id);
  if (!c || !can(actor, 'conversation.view', subjectOf(c))) throw new AppError('not_found');
  return c;
}

export async function sendMessage(deps: ConversationDeps, actor: Actor, c: ConversationRow, input: Static<typeof MessageInput>, idempotencyKey?: string): Promise<{ id: number }> {
  authorize(actor, 'conversation.write', subjectOf(c));
  const author = actor as UserActor;
  const body = clean(input.body);
  checkBody(body);
  privacyCheck(input.acknowledge_privacy, body);
  await messageLimit(deps.db, author.id);
  return once(deps.db, author.id, idempotencyKey, async (tx) => {
    // Still a member when it is written (someone may have left a moment ago).
    const still = await tx.selectFrom('conversation_members').select('user_id').where('conversation_id', '=', c.id).where('user_id', '=', author.id).where('left_at', 'is', null).forUpdate().executeTakeFirst();
    if (!still) throw new AppError('forbidden');
    return { id: await insertMessage(tx, deps.jobs, c.id, author.id, body, new Date()) };
  });
}

export async function leaveConversation(db: Db, actor: Actor, c: ConversationRow): Promise<void> {
  authorize(actor, 'conversation.write', subjectOf(c));
  await db.updateTable('conversation_members').set({ left_at: new Date() }).where('conversation_id', '=', c.id).where('user_id', '=', actor.id!).execute();
}

export async function markConversationRead(db: Db, userId: number, c: ConversationRow): Promise<void> {
  const me = c.members.find((m) => m.id === userId);
  if (!me || me.left || (me.read_at && me.read_at >= c.last_message_at)) return;
  await db.updateTable('conversation_members').set({ read_at: new Date() }).where('conversation_id', '=', c.id).where('user_id', '=', userId).execute();
}

export interface MessageRow {
  id: number;
  author_id: number | null;
  author_name: string | null;
  author_photo: number | null;
  author_youth: boolean;
  html: string;
  created_at: Date;
  hidden: boolean;
}

/** A conversation's messages, oldest first; a hidden message's text only for facilitators. */
export async function conversationMessages(db: Db, viewer: Actor, conversationId: number): Promise<MessageRow[]> {
  const rows = await db
    .selectFrom('conversation_messages as m')
    .leftJoin('users as u', 'u.id', 'm.author_id')
    .select(['m.id', 'm.author_id', 'u.name as author_name', 'm.body_html', 'm.created_at', 'm.hidden_at'])
    .select(sql<number | null>`CASE WHEN u.hidden OR u.deactivated_at IS NOT NULL THEN NULL ELSE u.photo_version END`.as('author_photo'))
    .select(sql<boolean>`coalesce(u.is_youth, false)`.as('author_youth'))
    .where('m.conversation_id', '=', conversationId)
    .orderBy('m.id')
    .limit(1000)
    .execute();
  const oversee = can(viewer, 'conversation.oversee', undefined);
  return rows.map(({ body_html, hidden_at, ...r }) => ({ ...r, hidden: hidden_at !== null, html: hidden_at && !oversee ? '' : body_html }));
}

export interface ConversationListItem {
  id: number;
  subject: string;
  last_message_at: Date;
  unread: boolean;
  people: string[];
  last_author: string | null;
  last_excerpt: string;
}

/**
 * A person's conversations (or, for facilitators, `view` 'youth': every
 * conversation involving a youth member), the latest first, with who is in
 * each, whether something is unread, and the last message's start.
 */
export async function listConversations(db: Db, viewer: UserActor, view: 'mine' | 'youth', page = 1): Promise<{ items: ConversationListItem[]; more: boolean }> {
  if (view === 'youth') authorize(viewer, 'conversation.oversee', undefined);
  const rows = await db
    .selectFrom('conversations as c')
    .$if(view === 'mine', (q) => q.innerJoin('conversation_members as me', (j) => j.onRef('me.conversation_id', '=', 'c.id').on('me.user_id', '=', viewer.id).on('me.left_at', 'is', null)))
    .$if(view === 'youth', (q) => q.where('c.involves_youth', '=', true))
    .select(['c.id', 'c.subject', 'c.last_message_at'])
    .select(
      view === 'mine'
        ? sql<boolean>`(me.read_at IS NULL OR me.read_at < c.last_message_at)`.as('unread')
        : sql<boolean>`false`.as('unread'),
    )
    .select(sql<string[]>`ARRAY(SELECT u.name FROM conversation_members cm JOIN users u ON u.id = cm.user_id WHERE cm.conversation_id = c.id AND cm.left_at IS NULL AND cm.user_id <> ${view === 'mine' ? viewer.id : 0} ORDER BY cm.joined_at, u.id)`.as('people'))
    .select(sql<{ author: string | null; body: string; hidden: boolean } | null>`(SELECT json_build_object('author', u.name, 'body', m.body, 'hidden', m.hidden_at IS NOT NULL) FROM conversation_messages m LEFT JOIN users u ON u.id = m.author_id WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 1)`.as('last'))
    .orderBy('c.last_message_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(CONVERSATIONS_PAGE + 1)
    .offset((page - 1) * CONVERSATIONS_PAGE)
    .execute();
  return {
    items: rows.slice(0, CONVERSATIONS_PAGE).map((r) => ({
      id: r.id,
      subject: r.subject,
      last_message_at: r.last_message_at,
      unread: Boolean(r.unread),
      people: r.people,
      last_author: r.last?.author ?? null,
      last_excerpt: r.last && !r.last.hidden ? excerpt(r.last.body, 140) : '',
    })),
    more: rows.length > CONVERSATIONS_PAGE,
  };
}

// ---- reports ----------------------------------------------------------------------------------------------

/** The message, with its conversation, if the actor may see it. */
export async function visibleMessage(db: Db, actor: Actor, messageId: number) {
  const m = await db.selectFrom('conversation_messages').select(['id', 'conversation_id', 'author_id', 'body', 'hidden_at', 'created_at']).where('id', '=', messageId).executeTakeFirst();
  if (!m) throw new AppError('not_found');
  const c = await getVisibleConversation(db, actor, m.conversation_id);
  return { message: m, conversation: c };
}

/** A member reports a message to the facilitators (once per person and message). */
export async function reportMessage(db: Db, actor: Actor, messageId: number, input: Static<typeof ReportInput>): Promise<{ conversationId: number }> {
  const { message, conversation } = await visibleMessage(db, actor, messageId);
  authorize(actor, 'conversation.write', subjectOf(conversation));
  if (message.author_id === actor.id) throw new AppError('forbidden');
  await db
    .insertInto('conversation_reports')
    .values({ message_id: message.id, reporter_id: actor.id!, reason: input.reason, note: clean(input.note) })
    .onConflict((oc) => oc.columns(['message_id', 'reporter_id']).doUpdateSet({ reason: input.reason, note: clean(input.note), resolved_at: null, resolved_by: null }))
    .execute();  return { conversationId: conversation.id };
}

export interface ReportedMessage {
  message_id: number;
  conversation_id: number;
  subject: string;
  author_name: string | null;
  body: string;
  hidden: boolean;
  reasons: string[];
  notes: string[];
  reports: number;
  first_reported_at: Date;
}

/** Open reports, one row per message, oldest first (facilitators). */
export async function openReports(db: Db, actor: Actor): Promise<ReportedMessage[]> {
  authorize(actor, 'conversation.oversee', undefined);
  const rows = await db
    .selectFrom('conversation_reports as r')
    .innerJoin('conversation_messages as m', 'm.id', 'r.message_id')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .leftJoin('users as u', 'u.id', 'm.author_id')
    .select(['m.id as message_id', 'c.id as conversation_id', 'c.subject', 'u.name as author_name', 'm.body', 'm.hidden_at'])
    .select(sql<string[]>`array_agg(DISTINCT r.reason)`.as('reasons'))
    .select(sql<string[]>`array_remove(array_agg(r.note ORDER BY r.created_at), '')`.as('notes'))
    .select(sql<number>`count(*)::int`.as('reports'))
    .select(sql<Date>`min(r.created_at)`.as('first_reported_at'))
    .where('r.resolved_at', 'is', null)
    .groupBy(['m.id', 'c.id', 'c.subject', 'u.name', 'm.body', 'm.hidden_at'])
    .orderBy(sql`min(r.created_at)`)
    .limit(200)
    .execute();
  return rows.map(({ hidden_at, ...r }) => ({ ...r, hidden: hidden_at !== null }));
}

/** A facilitator hides a reported message (or keeps it); either way its reports are resolved. Audited. */
export async function resolveReport(db: Db, actor: Actor, messageId: number, action: 'hide' | 'keep'): Promise<void> {
  authorize(actor, 'conversation.oversee', undefined);
  await db.transaction().execute(async (tx) => {
    const m = await tx.selectFrom('conversation_messages').select(['id', 'conversation_id']).where('id', '=', messageId).forUpdate().executeTakeFirst();
    if (!m) throw new AppError('not_found');
    const now = new Date();
    if (action === 'hide') await tx.updateTable('conversation_messages').set({ hidden_at: now, hidden_by: actor.id! }).where('id', '=', m.id).execute();
    await tx.updateTable('conversation_reports').set({ resolved_at: now, resolved_by: actor.id! }).where('message_id', '=', m.id).where('resolved_at', 'is', null).execute();
    await audit(tx, actor.id!, action === 'hide' ? 'conversation.message_hide' : 'conversation.report_dismiss', { type: 'conversation', id: m.conversation_id }, { message: m.id });
  });
}

// ---- email --------------------------------------------------------------------------------------------------

export interface ConversationMailDeps extends ConversationDeps {
  mailer: Mailer;
  config: Config;
}

/**
 * Job: emails one new message to one member who asked for mail right away.
 * Nothing is sent when the person left, turned immediate mail off, was
 * deactivated, has read the conversation since, or the message was hidden.
 */
export async function emailMessage(deps: ConversationMailDeps, messageId: number, userId: number): Promise<'sent' | 'skipped'> {
  const { db, config } = deps;
  const m = await db.selectFrom('conversation_messages as m').leftJoin('users as a', 'a.id', 'm.author_id').select(['m.id', 'm.conversation_id', 'm.body', 'm.body_html', 'm.hidden_at', 'm.created_at', 'a.name as author_name']).where('m.id', '=', messageId).executeTakeFirst();
  if (!m || m.hidden_at) return 'skipped';
  const user = await db.selectFrom('users').select(['id', 'email', 'name', 'locale', 'email_notifications', 'email_verified_at', 'deactivated_at']).where('id', '=', userId).executeTakeFirst();
  if (!user || user.deactivated_at || !user.email_verified_at || user.email_notifications !== 'immediate') return 'skipped';
  const c = await getConversation(db, m.conversation_id);
  const me = c?.members.find((x) => x.id === userId);
  if (!c || !me || me.left || (me.read_at && me.read_at >= m.created_at)) return 'skipped';
  const url = `${config.baseUrl}/conversations/${c.id}#message-${m.id}`;
  const host = new URL(config.baseUrl).hostname || 'localhost';
  const mail = mailTo(user, (t) => ({
    subject: t('conversations.mail.subject', { subject: c.subject }),
    paragraphs: [t('conversations.mail.body', { name: m.author_name ?? t('discussions.former_member'), subject: c.subject })],
    quoted: { html: absoluteLinks(m.body_html, config.baseUrl), text: excerpt(m.body, 1500) },
    action: { label: t('conversations.mail.open'), url },
    headers: { 'Auto-Submitted': 'auto-generated' },
  }));
  await deps.mailer.send({ ...mail, messageId: `<message-${m.id}-${userId}@${host}>`, references: `<conversation-${c.id}@${host}>` });
  return 'sent';
}

export function registerConversationJobs(deps: ConversationMailDeps): void {
  deps.jobs.handle(QUEUES.conversationEmail, async (d) => {
    const messageId = Number(d.messageId);
    const userId = Number(d.userId);
    if (!Number.isSafeInteger(messageId) || !Number.isSafeInteger(userId)) throw new Error('job data has no valid message');
    await emailMessage(deps, messageId, userId);
  });
}
