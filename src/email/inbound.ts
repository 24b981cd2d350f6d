import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { authenticate } from 'mailauth';
import { sql } from 'kysely';
import type { Db } from '../platform/db/db.js';
import type { Config } from '../platform/config.js';
import { isLoopbackHost } from '../platform/loopback.js';
import type { Mailer } from '../platform/mail/mailer.js';
import type { Jobs } from '../platform/jobs/jobs.js';
import type { GlossaryService } from '../glossary/service.js';
import type { FileStore } from '../resources/storage.js';
import { loadActor, type UserActor } from '../platform/auth/actor.js';
import { can } from '../platform/auth/policy.js';
import { AppError } from '../platform/http/errors.js';
import { getThread, threadSubject, type ThreadRow } from '../discussions/queries.js';
import { createThread, reply } from '../discussions/commands.js';
import { prepareAttachment, type PreparedAttachment } from '../discussions/attachments.js';
import { setThreadWatch } from '../notifications/watch.js';
import { parseRecipient, type Recipient } from './addresses.js';
import { automatic, fromAddress, mailCommand, titleOf, writtenText, type MailCommand } from './parse.js';
import { sendBounce, sendCommandDone, sendHeld, type BounceReason } from './replies.js';

export type Resolver = (name: string, rrtype: string) => Promise<unknown>;

export interface MailInDeps {
  db: Db;
  jobs: Jobs;
  mailer: Mailer;
  config: Config;
  glossary?: GlossaryService;
  files?: FileStore;
  /** DNS for SPF, DKIM and DMARC (tests give their own records); the system's resolver otherwise. */
  resolver?: Resolver;
  /** Domains that are Convene's own (its From address): mail from them is a loop. */
  ownDomains: string[];
}

/** The SMTP envelope, as the listener saw it. */
export interface Envelope {
  /** MAIL FROM; null or '' for a bounce (`MAIL FROM:<>`). */
  mailFrom: string | null;
  rcptTo: string[];
  remoteAddress: string;
  helo: string;
}

/** An answer given at SMTP time: the sending server keeps the message and tells its sender. */
export class SmtpRefusal extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

export type Outcome = 'posted' | 'thread' | 'held' | 'command' | 'bounced' | 'dropped' | 'duplicate';

const normalIp = (ip: string) => ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');

/** Is this connection from a mail server whose own Received line we trust (INBOUND_RELAYS)? */
export function fromRelay(config: Config, remoteAddress: string): boolean {
  const ip = normalIp(remoteAddress);
  return (config.inboundRelays ?? ['loopback']).some((r) => (r === 'loopback' ? isLoopbackHost(ip) : isIP(r) && normalIp(r) === ip));
}

// ---- who may post at RCPT TO ------------------------------------------------------------------

/**
 * Is this recipient one Convene receives for? Unknown addresses are refused
 * before the message is read. A private group's address answers as if it did
 * not exist unless the envelope sender is one of its readers, so the address
 * does not tell outsiders the group is there.
 */
export async function acceptsRecipient(deps: Pick<MailInDeps, 'db' | 'config'>, address: string, mailFrom: string | null): Promise<boolean> {
  const r = parseRecipient(deps.config, address);
  if (!r) return false;
  if (r.kind === 'reply') return true;
  const group = await deps.db.selectFrom('practice_groups').select(['id', 'visibility', 'join_policy', 'archived_at']).where('slug', '=', r.slug).where('archived_at', 'is', null).executeTakeFirst();
  if (!group) return false;
  if (group.visibility !== 'private') return true;
  // The group policy decides, for the person the envelope names.
  const sender = mailFrom ? await senderByAddress(deps.db, mailFrom.toLowerCase()) : undefined;
  return !!sender && can(await loadActor(deps.db, sender.id, 'session'), 'group.view', group);
}

// ---- one message ------------------------------------------------------------------------------

interface Authenticity {
  /** A published SPF, DKIM or DMARC record says this message is not from where it claims. */
  failed: boolean;
  /** The From domain is vouched for: DMARC passes, or SPF or DKIM passes for the From domain itself. */
  aligned: boolean;
}

const sameOrg = (a: string, b: string) => a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);

async function checkAuthenticity(deps: MailInDeps, raw: Buffer, env: Envelope, fromDomain: string): Promise<Authenticity> {
  const relay = fromRelay(deps.config, env.remoteAddress);
  const result = (await authenticate(raw, {
    ...(relay ? { trustReceived: true } : { ip: normalIp(env.remoteAddress), helo: env.helo }),
    sender: env.mailFrom || undefined,
    mta: deps.config.inboundDomain,
    ...(deps.resolver ? { resolver: deps.resolver } : {}),
    disableArc: true,
    disableBimi: true,
  } as Parameters<typeof authenticate>[1])) as unknown as {
    spf?: { status?: { result?: string }; domain?: string } | false;
    dkim?: { results?: { status?: { result?: string; comment?: string | false }; signingDomain?: string }[] };
    dmarc?: { status?: { result?: string } } | false;
  };
  const spf = result.spf ? result.spf.status?.result : undefined;
  const dmarc = result.dmarc ? result.dmarc.status?.result : undefined;
  const dkims = result.dkim?.results ?? [];
  const dkimPass = dkims.filter((d) => d.status?.result === 'pass');
  // A signature that does not verify: a bad signature, or a body changed since it was signed (which
  // mailauth reports as "neutral"); a key it could not fetch or an expired signature is not held against it.
  const dkimFail = dkims.some((d) => d.status?.result === 'fail' || (d.status?.result === 'neutral' && d.status.comment === 'body hash did not verify'));
  const spfDomain = result.spf ? (result.spf.domain ?? '').toLowerCase() : '';
  const aligned = dmarc === 'pass' || (spf === 'pass' && sameOrg(spfDomain, fromDomain)) || dkimPass.some((d) => sameOrg((d.signingDomain ?? '').toLowerCase(), fromDomain));
  const failed = dmarc === 'fail' || (dmarc !== 'pass' && (spf === 'fail' || (dkimFail && dkimPass.length === 0 && spf !== 'pass')));
  return { failed, aligned };
}

/** A Message-ID we can key on: the message's own, or a hash of its bytes when it has none. */
function messageKey(mail: ParsedMail, raw: Buffer): string {
  const id = (mail.messageId ?? '').trim();
  return id && id.length <= 300 ? id : `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/**
 * Handles one received message: drops automatic mail, refuses forged mail
 * (throws SmtpRefusal), then for each of our recipients, once per Message-ID:
 * posts the reply or starts the thread with every check a web post gets,
 * holds what the privacy guard or the jargon check flags, runs email commands,
 * and answers a refusal with a short bounce. Returns each recipient's outcome.
 */
export async function receiveMessage(deps: MailInDeps, raw: Buffer, env: Envelope): Promise<Map<string, Outcome>> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true, skipHtmlToText: true });
  const recipients = [...new Set(env.rcptTo.map((r) => r.toLowerCase()))];
  const outcomes = new Map<string, Outcome>();
  const from = fromAddress(mail);
  if (!from || automatic(mail, env.mailFrom, deps.ownDomains)) {
    for (const r of recipients) outcomes.set(r, 'dropped');
    return outcomes;
  }
  const auth = await checkAuthenticity(deps, raw, env, from.slice(from.lastIndexOf('@') + 1));
  if (auth.failed) throw new SmtpRefusal(550, '5.7.1 This message failed its domain\'s SPF, DKIM or DMARC check, so it was not accepted.');
  const key = messageKey(mail, raw);
  for (const address of recipients) {
    const recipient = parseRecipient(deps.config, address);
    if (!recipient) continue;
    const fresh = await deps.db.insertInto('inbound_messages').values({ message_id: key, recipient: address }).onConflict((oc) => oc.doNothing()).returning('message_id').executeTakeFirst();
    if (!fresh) {
      outcomes.set(address, 'duplicate');
      continue;
    }
    try {
      const done = await handle(deps, { mail, from, auth, key, address, recipient });
      outcomes.set(address, done.outcome);
      await deps.db.updateTable('inbound_messages').set({ outcome: done.outcome, post_id: done.postId ?? null }).where('message_id', '=', key).where('recipient', '=', address).execute();
    } catch (err) {
      // Unexpected: forget it, so the sending server's retry is handled afresh.
      await deps.db.deleteFrom('inbound_messages').where('message_id', '=', key).where('recipient', '=', address).execute();
      throw err;
    }
  }
  return outcomes;
}

interface Incoming {
  mail: ParsedMail;
  from: string;
  auth: Authenticity;
  key: string;
  address: string;
  recipient: Recipient;
}

interface Sender {
  id: number;
  email: string;
  name: string;
  locale: string;
}

async function senderByAddress(db: Db, address: string): Promise<Sender | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'locale'])
    .where(sql<string>`lower(email)`, '=', address)
    .where('deactivated_at', 'is', null)
    .where('email_verified_at', 'is not', null)
    .executeTakeFirst();
}

/** An idempotency key for the post, from the message and the recipient: a re-delivery can never post twice. */
const postKey = (inc: Incoming) => `mail-${createHash('sha256').update(`${inc.key}\n${inc.address}`).digest('base64url').slice(0, 40)}`;

async function handle(deps: MailInDeps, inc: Incoming): Promise<{ outcome: Outcome; postId?: number }> {
  const bounce = async (reason: BounceReason, to: Sender | undefined, params: Record<string, unknown> = {}, text = writtenText(inc.mail)): Promise<{ outcome: Outcome }> => {
    await sendBounce(deps, { to: to?.email ?? inc.from, locale: to?.locale ?? 'en', name: to?.name, reason, params, subject: inc.mail.subject ?? '', messageId: inc.mail.messageId, text });
    return { outcome: 'bounced' };
  };
  const r = inc.recipient;
  if (r.kind === 'reply') {
    if (!r.valid) return bounce('bad_key', undefined);
    const owner = await deps.db.selectFrom('users').select(['id', 'email', 'name', 'locale', 'deactivated_at', 'email_verified_at']).where('id', '=', r.userId).executeTakeFirst();
    if (!owner || owner.deactivated_at || !owner.email_verified_at) return bounce('bad_key', undefined);
    // The key was sent to one person: from any other address it is refused, and the owner's details are not revealed.
    if (owner.email.toLowerCase() !== inc.from) return bounce('wrong_sender', undefined);
    const sender: Sender = owner;
    const post = await deps.db.selectFrom('posts').select(['id', 'thread_id', 'deleted_at', 'hidden_at']).where('id', '=', r.postId).executeTakeFirst();
    const thread = post && !post.deleted_at ? await getThread(deps.db, post.thread_id) : undefined;
    const actor = await loadActor(deps.db, sender.id, 'session');
    if (!post || !thread || thread.deleted_at || actor.kind !== 'user' || !can(actor, 'thread.view', threadSubject(thread))) return bounce('gone', sender);
    const text = writtenText(inc.mail);
    if (text === undefined) return bounce('too_long', sender);
    const command = mailCommand(text);
    if (command) {
      const effect = await runCommand(deps, actor, thread, command.command);
      await sendCommandDone(deps, sender, effect, thread);
      if (!command.rest) return { outcome: 'command' };
    }
    const body = command ? command.rest : text;
    if (!body) return bounce('empty', sender);
    return publish(deps, inc, sender, bounce, body, { kind: 'reply', actor, thread, replyTo: post.hidden_at ? null : post.id });
  }
  // A group's posting address: a new thread.
  const group = await deps.db
    .selectFrom('practice_groups')
    .select(['id', 'slug', 'name', 'visibility', 'join_policy', 'archived_at', 'led_by'])
    .where('slug', '=', r.slug)
    .executeTakeFirst();
  const sender = await senderByAddress(deps.db, inc.from);
  const actor = sender ? await loadActor(deps.db, sender.id, 'session') : undefined;
  const readable = !!group && !group.archived_at && !!actor && can(actor, 'group.view', group);
  // Nothing is said about a private group to someone who may not see it.
  if (!group || group.archived_at || (group.visibility === 'private' && !readable)) return { outcome: 'dropped' };
  if (!sender || !actor || actor.kind !== 'user') return bounce('unknown_sender', undefined, { group: group.name, url: `${deps.config.baseUrl}/signup` });
  // No secret in a group's address: the From address must be vouched for by its domain.
  if (!inc.auth.aligned) return bounce('unverified', sender);
  if (!can(actor, 'thread.create', { group })) return bounce('not_member', sender, { group: group.name, url: `${deps.config.baseUrl}/groups/${group.slug}` });
  const title = titleOf(inc.mail.subject);
  if (!title) return bounce('no_subject', sender);
  const text = writtenText(inc.mail);
  if (text === undefined) return bounce('too_long', sender);
  if (!text) return bounce('empty', sender);
  return publish(deps, inc, sender, bounce, text, { kind: 'thread', actor, group, title });
}

type Target =
  | { kind: 'reply'; actor: UserActor; thread: ThreadRow; replyTo: number | null }
  | { kind: 'thread'; actor: UserActor; group: { id: number; slug: string; name: string; visibility: 'public' | 'members' | 'private'; join_policy: 'open' | 'request' | 'invite'; archived_at: Date | null; led_by: string }; title: string };

/** Posts through the same commands as the web; a warning holds the message, any other refusal bounces. */
async function publish(
  deps: MailInDeps,
  inc: Incoming,
  sender: Sender,
  bounce: (reason: BounceReason, to: Sender | undefined, params?: Record<string, unknown>, text?: string) => Promise<{ outcome: Outcome }>,
  body: string,
  target: Target,
): Promise<{ outcome: Outcome; postId?: number }> {
  if (body.length > 50_000) return bounce('too_long', sender);
  const discussion = { db: deps.db, jobs: deps.jobs, glossary: deps.glossary, files: deps.files };
  const language = target.kind === 'reply' ? target.thread.language : sender.locale === 'es' ? 'es' : 'en';
  try {
    const attachment = await firstAttachment(inc.mail);
    if (target.kind === 'reply') {
      const r = await reply(discussion, target.actor, target.thread, { body, reply_to: target.replyTo ?? undefined, language: language as 'en' | 'es' }, postKey(inc), attachment);
      return { outcome: 'posted', postId: r.id };
    }
    const r = await createThread(discussion, target.actor, target.group, { title: target.title, body, language: language as 'en' | 'es' }, postKey(inc), attachment);
    return { outcome: 'thread', postId: r.post_id };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.code === 'privacy_warning' || err.code === 'jargon_check') {
      const held = await deps.db
        .insertInto('held_posts')
        .values({
          user_id: sender.id,
          thread_id: target.kind === 'reply' ? target.thread.id : null,
          reply_to_id: target.kind === 'reply' ? target.replyTo : null,
          group_id: target.kind === 'thread' ? target.group.id : null,
          title: target.kind === 'thread' ? target.title : null,
          body,
          language,
          reason: err.code === 'privacy_warning' ? 'privacy' : 'jargon',
          created_at: new Date(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await sendHeld(deps, sender, held.id, err, inc.mail.subject ?? '', attached(inc.mail).length > 0);
      return { outcome: 'held' };
    }
    if (err.code === 'rate_limited') return bounce('rate_limited', sender, {}, body);
    if (err.code === 'forbidden' && target.kind === 'reply') {
      const live = await getThread(deps.db, target.thread.id);
      return bounce(live && (live.locked || live.closed) ? 'closed' : 'not_allowed', sender, {}, body);
    }
    if (err.code === 'forbidden' || err.code === 'not_found' || err.code === 'unauthenticated') return bounce('not_allowed', sender, {}, body);
    return bounce('invalid', sender, { fields: err.fields ?? {} }, body);
  }
}

/** Files the person attached, not pictures inside the message itself (a logo in a signature, say). */
const attached = (mail: ParsedMail) => mail.attachments.filter((x) => x.content?.length && !x.related && x.contentDisposition !== 'inline');

/** The first attached file or picture, checked like a library upload; its file name stands for a picture's description. */
async function firstAttachment(mail: ParsedMail): Promise<PreparedAttachment | undefined> {
  const a = attached(mail)[0];
  if (!a) return undefined;
  const filename = (a.filename ?? 'attachment').slice(0, 200);
  const description = (a.headers.get('content-description') as string | undefined)?.toString().trim() || filename.replace(/\.[A-Za-z0-9]{1,5}$/, '').replace(/[_-]+/g, ' ').trim() || filename;
  return prepareAttachment({ filename, data: a.content }, description.slice(0, 300));
}

export type CommandEffect = 'muted' | 'watching' | 'list_left' | 'email_off';

async function runCommand(deps: MailInDeps, actor: UserActor, thread: ThreadRow, command: MailCommand): Promise<CommandEffect> {
  if (command === 'mute' || command === 'watch') {
    await setThreadWatch(deps.db, actor.id, thread.id, command === 'mute' ? 'muted' : 'watching');
    return command === 'mute' ? 'muted' : 'watching';
  }
  // unsubscribe: from the group's mailing list when the person has one, else from notification email.
  const left =
    thread.group_id === null
      ? undefined
      : await deps.db.deleteFrom('list_subscriptions').where('user_id', '=', actor.id).where('group_id', '=', thread.group_id).returning('group_id').executeTakeFirst();
  if (left) return 'list_left';
  await deps.db.updateTable('users').set({ email_notifications: 'off', updated_at: new Date() }).where('id', '=', actor.id).execute();
  return 'email_off';
}
