import { timingSafeEqual } from 'node:crypto';
import type { Db, Tx } from '../platform/db/db.js';
import type { Config } from '../platform/config.js';
import type { Mailer } from '../platform/mail/mailer.js';
import { QUEUES, type Jobs } from '../platform/jobs/jobs.js';
import { keyedHash } from '../platform/auth/secrets.js';
import { loadActor, type UserActor } from '../platform/auth/actor.js';
import { can } from '../platform/auth/policy.js';
import { AppError, msg } from '../platform/http/errors.js';
import { absoluteLinks, mailTo } from '../platform/mail/templates.js';
import { getThread, threadSubject } from '../discussions/queries.js';
import { RENDER_VERSION, renderMarkdown } from '../discussions/markdown.js';
import { groupAddress, mailInEnabled, replyAddress } from './addresses.js';
import { mayContact } from '../notifications/notify.js';

export interface ListDeps {
  db: Db;
  jobs: Jobs;
  mailer: Mailer;
  config: Config;
}

/** The mail host in Message-IDs: stable, so every copy of a post is one message to mail programs. */
export const mailHost = (config: Config) => new URL(config.baseUrl).hostname || 'localhost';

/** Message-IDs that make mail programs thread a conversation: the opening post is the thread's root. */
export const threadMessageId = (config: Config, threadId: number) => `<thread-${threadId}@${mailHost(config)}>`;
export const postMessageId = (config: Config, post: { id: number; is_opening: boolean; thread_id: number }) =>
  post.is_opening ? threadMessageId(config, post.thread_id) : `<post-${post.id}@${mailHost(config)}>`;

// ---- subscriptions ---------------------------------------------------------------------------------

/** The person's groups (active memberships, not archived: the SQL twin of email.list) and whether each comes to them as a mailing list. */
export async function listChoices(db: Db, userId: number) {
  return db
    .selectFrom('group_memberships as m')
    .innerJoin('practice_groups as g', 'g.id', 'm.group_id')
    .leftJoin('list_subscriptions as s', (j) => j.onRef('s.group_id', '=', 'g.id').on('s.user_id', '=', userId))
    .select(['g.id', 'g.slug', 'g.name', 's.created_at as subscribed_at'])
    .where('m.user_id', '=', userId)
    .where('m.status', '=', 'active')
    .where('g.archived_at', 'is', null)
    .orderBy('g.name')
    .execute();
}

/** Sets which groups arrive post by post: only groups the person may receive (email.list); any other choice is refused. */
export async function setListGroups(db: Db, actor: UserActor, slugs: string[]): Promise<void> {
  const wanted = [...new Set(slugs)];
  const groups = wanted.length ? await db.selectFrom('practice_groups').select(['id', 'slug']).where('slug', 'in', wanted).where('archived_at', 'is', null).execute() : [];
  if (groups.length !== wanted.length || !groups.every((g) => can(actor, 'email.list', { group_id: g.id }))) {
    throw new AppError('validation_failed', { fields: { groups: msg('mail_in.list.not_member') } });
  }
  const ids = groups.map((g) => g.id);
  await db.transaction().execute(async (tx) => {
    let del = tx.deleteFrom('list_subscriptions').where('user_id', '=', actor.id);
    if (ids.length) del = del.where('group_id', 'not in', ids);
    await del.execute();
    if (ids.length) await tx.insertInto('list_subscriptions').values(ids.map((group_id) => ({ user_id: actor.id, group_id, created_at: new Date() }))).onConflict((oc) => oc.doNothing()).execute();
  });
}

/** Is this group's mail coming to the person post by post (so a notification email would be a second copy)? */
export async function onList(db: Db | Tx, userId: number, groupId: number | null): Promise<boolean> {
  if (groupId === null) return false;
  return !!(await db.selectFrom('list_subscriptions').select('user_id').where('user_id', '=', userId).where('group_id', '=', groupId).executeTakeFirst());
}

// ---- one-click leaving a list (RFC 8058) ------------------------------------------------------------

export const listUnsubscribeToken = (secret: string, userId: number, groupId: number) => `${userId}.${groupId}.${keyedHash(secret, `list:${userId}:${groupId}`)}`;

export function readListUnsubscribeToken(secret: string, token: string): { userId: number; groupId: number } | undefined {
  const m = /^(\d{1,15})\.(\d{1,15})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m) return undefined;
  const expected = Buffer.from(keyedHash(secret, `list:${m[1]}:${m[2]}`));
  const given = Buffer.from(m[3]!);
  return expected.length === given.length && timingSafeEqual(expected, given) ? { userId: Number(m[1]), groupId: Number(m[2]) } : undefined;
}

// ---- the fan-out and the email ---------------------------------------------------------------------

/**
 * Called by the post-published job: queues one list email per list-mode member
 * of the post's group (never its author), each re-checked when sent.
 */
export async function queueListEmails(deps: Pick<ListDeps, 'db' | 'jobs'>, post: { id: number; author_id: number | null }, groupId: number | null): Promise<void> {
  if (groupId === null) return;
  const subs = await deps.db.selectFrom('list_subscriptions').select('user_id').where('group_id', '=', groupId).execute();
  for (const s of subs) {
    if (s.user_id === post.author_id) continue;
    await deps.jobs.send(deps.db, QUEUES.listEmail, { postId: post.id, userId: s.user_id }, { key: `list:${post.id}:${s.user_id}` });
  }
}

/**
 * Job: one post, as its own email, to one list-mode member. Sends nothing
 * when it was sent before, the person left the list or lost access, may not
 * hear from the author (the youth contact rule), or the post is gone.
 */
export async function sendListEmail(deps: ListDeps, postId: number, userId: number): Promise<'sent' | 'skipped'> {
  const { db, config } = deps;
  return db.transaction().execute(async (tx) => {
    const first = await tx.insertInto('list_deliveries').values({ post_id: postId, user_id: userId, sent_at: new Date() }).onConflict((oc) => oc.doNothing()).returning('post_id').executeTakeFirst();
    if (!first) return 'skipped';
    const post = await tx
      .selectFrom('posts as p')
      .leftJoin('users as a', 'a.id', 'p.author_id')
      .select(['p.id', 'p.thread_id', 'p.author_id', 'p.is_opening', 'p.reply_to_id', 'p.body', 'p.body_html', 'p.render_version', 'p.language', 'p.deleted_at', 'p.hidden_at', 'a.name as author_name'])
      .where('p.id', '=', postId)
      .executeTakeFirst();
    if (!post || post.deleted_at || post.hidden_at) return 'skipped';
    const thread = await getThread(tx, post.thread_id);
    if (!thread || thread.deleted_at || thread.group_id === null) return 'skipped';
    if (!(await onList(tx, userId, thread.group_id))) return 'skipped';
    const user = await tx.selectFrom('users').select(['id', 'email', 'name', 'locale', 'email_verified_at', 'deactivated_at']).where('id', '=', userId).executeTakeFirst();
    if (!user || user.deactivated_at || !user.email_verified_at) return 'skipped';
    const reader = await loadActor(tx, userId, 'session');
    if (reader.kind !== 'user' || !can(reader, 'email.list', { group_id: thread.group_id }) || !can(reader, 'thread.view', threadSubject(thread))) return 'skipped';
    if (post.author_id !== null && !(await mayContact(tx, post.author_id, [userId])).has(userId)) return 'skipped';
    const group = await tx.selectFrom('practice_groups').select(['slug', 'name', 'short_name']).where('id', '=', thread.group_id).executeTakeFirstOrThrow();
    const html = absoluteLinks(post.body_html && post.render_version === RENDER_VERSION ? post.body_html : renderMarkdown(post.body), config.baseUrl);
    const threadUrl = `${config.baseUrl}/threads/${thread.id}#post-${post.id}`;
    // What this post answers: the post it replies to (the root when that is the opening post), else the thread's root.
    const root = threadMessageId(config, thread.id);
    const inReplyTo = post.is_opening ? undefined : post.reply_to_id ? await parentMessageId(tx, config, post.reply_to_id, thread.id) : root;
    const listId = `${group.slug}.${mailHost(config)}`;
    const unsubscribeUrl = `${config.baseUrl}/unsubscribe/list/${listUnsubscribeToken(config.sessionSecret, userId, thread.group_id)}`;
    const headers: Record<string, string> = {
      'List-Id': `${group.short_name || group.name} <${listId}>`,
      'List-Archive': `<${config.baseUrl}/groups/${group.slug}/threads>`,
      'List-Unsubscribe': `<${unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      Precedence: 'list',
      'X-Auto-Response-Suppress': 'All',
      'X-Convene-Loop': '1',
    };
    if (mailInEnabled(config)) headers['List-Post'] = `<mailto:${groupAddress(config, group.slug)}>`;
    const mail = mailTo(user, (t) => ({
      greet: false,
      subject: `${post.is_opening ? '' : 'Re: '}[${group.short_name || group.name}] ${thread.title}`,
      paragraphs: [],
      body: { html, text: post.body, lang: post.language },
      action: { label: t('notifications.mail.open'), url: threadUrl },
      footer: t(mailInEnabled(config) ? 'mail_in.list.footer_reply' : 'mail_in.list.footer', { group: group.name }),
      unsubscribe: { label: t('mail_in.list.leave', { group: group.name }), url: unsubscribeUrl },
      headers,
    }));
    await deps.mailer.send({
      ...mail,
      fromName: `${post.author_name ?? 'Convene'} (${group.short_name || group.name})`,
      messageId: postMessageId(config, post),
      ...(inReplyTo ? { inReplyTo, references: inReplyTo === root ? root : `${root} ${inReplyTo}` } : {}),
      ...(mailInEnabled(config) ? { replyTo: replyAddress(config, userId, post.id) } : {}),
    });
    return 'sent';
  });
}

/** The Message-ID of the post replied to: the thread's root when it is the opening post. */
async function parentMessageId(tx: Tx, config: Config, replyToId: number, threadId: number): Promise<string> {
  const p = await tx.selectFrom('posts').select(['id', 'is_opening', 'thread_id']).where('id', '=', replyToId).executeTakeFirst();
  return p ? postMessageId(config, p) : threadMessageId(config, threadId);
}

/** Registers the list email job's handler. */
export function registerListJobs(deps: ListDeps): void {
  deps.jobs.handle(QUEUES.listEmail, async (d) => {
    const postId = Number(d.postId);
    const userId = Number(d.userId);
    if (!Number.isSafeInteger(postId) || postId < 1 || !Number.isSafeInteger(userId) || userId < 1) throw new Error('job data has no valid postId or userId');
    await sendListEmail(deps, postId, userId);
  });
}
