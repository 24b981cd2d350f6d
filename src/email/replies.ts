import { createHash } from 'node:crypto';
import type { Db } from '../platform/db/db.js';
import type { Config } from '../platform/config.js';
import type { Mailer } from '../platform/mail/mailer.js';
import { buildMail, mailLocale, mailTo } from '../platform/mail/templates.js';
import { translator } from '../platform/i18n/i18n.js';
import { hit } from '../platform/auth/rate-limit.js';
import { AppError, translateFields, type FieldErrors } from '../platform/http/errors.js';
import type { ThreadRow } from '../discussions/queries.js';
import type { CommandEffect } from './inbound.js';

/** What Convene answers a message it cannot post with. */
export type BounceReason =
  | 'bad_key'
  | 'wrong_sender'
  | 'gone'
  | 'closed'
  | 'not_allowed'
  | 'not_member'
  | 'unknown_sender'
  | 'unverified'
  | 'empty'
  | 'no_subject'
  | 'too_long'
  | 'rate_limited'
  | 'invalid';

interface ReplyDeps {
  db: Db;
  mailer: Mailer;
  config: Config;
  ownDomains: string[];
}

/** At most this many bounces to one address an hour: a forged sender cannot turn Convene into a mail cannon. */
const BOUNCES_PER_HOUR = { max: 5, windowSeconds: 3600 };

/** Headers of every answer: an automatic reply to that message (RFC 3834), so no auto-responder answers it back. */
const answerHeaders = () => ({ 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All', 'X-Convene-Loop': '1' });

/**
 * A short, helpful bounce: why the message was not posted and what to do,
 * with the text the person wrote so nothing is lost. Never sent to Convene's
 * own domains, and at most a few an hour to one address.
 */
export async function sendBounce(
  deps: ReplyDeps,
  b: { to: string; locale: string; name?: string; reason: BounceReason; params: Record<string, unknown>; subject: string; messageId?: string; text?: string },
): Promise<void> {
  const domain = b.to.slice(b.to.lastIndexOf('@') + 1).toLowerCase();
  if (deps.ownDomains.includes(domain)) return;
  try {
    await hit(deps.db, `mail-bounce:${createHash('sha256').update(b.to.toLowerCase()).digest('base64url').slice(0, 22)}`, BOUNCES_PER_HOUR);
  } catch (err) {
    if (err instanceof AppError && err.code === 'rate_limited') return;
    throw err;
  }
  const locale = mailLocale({ locale: b.locale });
  const t = translator(locale);
  const fields = b.reason === 'invalid' ? Object.values(translateFields((b.params.fields ?? {}) as FieldErrors, t)).filter((m) => m && !m.startsWith('_')) : [];
  const paragraphs = [t(`mail_in.bounce.${b.reason}`, { ...b.params, site: deps.config.baseUrl }), ...fields];
  if (b.text) paragraphs.push(t('mail_in.bounce.your_text'));
  const mail = buildMail({
    t,
    locale,
    to: b.to,
    greeting: b.name ? t('mail.greeting', { name: b.name }) : t('mail_in.bounce.greeting'),
    subject: t('mail_in.bounce.subject', { subject: b.subject.slice(0, 150) || t('mail_in.no_subject') }),
    paragraphs,
    quoted: b.text ? { html: escapeHtml(b.text.slice(0, 5000)).replace(/\n/g, '<br>'), text: b.text.slice(0, 5000) } : undefined,
    headers: answerHeaders(),
  });
  await deps.mailer.send({ ...mail, ...(b.messageId ? { inReplyTo: b.messageId, references: b.messageId } : {}) });
}

/** The privacy guard or the jargon check flagged an emailed message: the author is told why, with a link to review and publish it. */
export async function sendHeld(
  deps: ReplyDeps,
  person: { email: string; name: string; locale: string },
  heldId: number,
  warning: AppError,
  subject: string,
  hadAttachment: boolean,
): Promise<void> {
  const url = `${deps.config.baseUrl}/held/${heldId}`;
  const mail = mailTo(person, (t) => {
    const why = Object.entries(translateFields(warning.fields ?? {}, t))
      .filter(([k]) => !k.startsWith('_'))
      .map(([, v]) => v);
    return {
      subject: t('mail_in.held.subject', { subject: subject.slice(0, 150) || t('mail_in.no_subject') }),
      paragraphs: [t(`mail_in.held.intro_${warning.code === 'privacy_warning' ? 'privacy' : 'jargon'}`), ...why, ...(hadAttachment ? [t('mail_in.held.attachment')] : []), t('mail_in.held.outro')],
      action: { label: t('mail_in.held.action'), url },
      headers: answerHeaders(),
    };
  });
  await deps.mailer.send(mail);
}

/** Confirms an email command (mute, watch, unsubscribe) so the person knows it worked and how to undo it. */
export async function sendCommandDone(deps: ReplyDeps, person: { email: string; name: string; locale: string }, effect: CommandEffect, thread: ThreadRow): Promise<void> {
  const mail = mailTo(person, (t) => ({
    subject: t(`mail_in.command.subject_${effect}`, { title: thread.title }),
    paragraphs: [t(`mail_in.command.${effect}`, { title: thread.title, group: thread.group_name ?? '' })],
    action: { label: t('mail_in.command.settings'), url: `${deps.config.baseUrl}/settings/notifications` },
    headers: answerHeaders(),
  }));
  await deps.mailer.send(mail);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
