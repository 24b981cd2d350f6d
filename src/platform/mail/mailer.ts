import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  /** A stable Message-ID, so a message that is somehow sent twice is one message to mail programs. */
  messageId?: string;
  /** Thread related messages together in mail programs. */
  references?: string;
  /** The In-Reply-To header: the message this one answers (mail programs thread by it). */
  inReplyTo?: string;
  /** Reply-To: where a reply goes (a reply address with its key, when mail in is on). */
  replyTo?: string;
  /** A display name for the From address ("Ana Ruiz via Convene"); the address stays Convene's. */
  fromName?: string;
  /** Files sent with the message (an event's .ics). */
  attachments?: { filename: string; content: string; contentType: string }[];
}

/** The From address: MAIL_FROM, or no-reply at BASE_URL's host. */
export function mailFrom(config: { baseUrl: string }, env: NodeJS.ProcessEnv = process.env): string {
  return env.MAIL_FROM || `Convene <no-reply@${new URL(config.baseUrl).hostname.replace(/^127\.0\.0\.1$|^\[?::1\]?$/, 'localhost')}>`;
}

/** The bare address of a From value ("Name <a@b>" → "a@b"), lower-cased. */
export const bareAddress = (from: string) => (/<([^<>]+)>\s*$/.exec(from)?.[1] ?? from).trim().toLowerCase();

export interface Mailer {
  send(msg: MailMessage): Promise<void>;
  /** Where mail goes, for the start-up log: an SMTP host or the outbox folder. */
  describe(): string;
  close(): void;
}

/** nodemailer's message: the From address with the message's display name, if it has one. */
function envelope(from: string, msg: MailMessage) {
  const { fromName, ...rest } = msg;
  return { ...rest, from: fromName ? { name: fromName, address: bareAddress(from) } : from };
}

/**
 * Mail through SMTP when `smtpUrl` is set; otherwise each message is written
 * as an `.eml` file in `<dataDir>/outbox/`, so a local user can open it.
 */
export function createMailer(opts: { smtpUrl?: string; dataDir: string; from: string }): Mailer {
  if (opts.smtpUrl) {
    const transport: Transporter = nodemailer.createTransport(opts.smtpUrl);
    const host = new URL(opts.smtpUrl).host;
    return {
      async send(msg) {
        await transport.sendMail(envelope(opts.from, msg));
      },
      describe: () => `SMTP ${host}`,
      close: () => transport.close(),
    };
  }
  const outbox = path.join(opts.dataDir, 'outbox');
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let seq = 0;
  return {
    async send(msg) {
      const info = await transport.sendMail(envelope(opts.from, msg));
      mkdirSync(outbox, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = path.join(outbox, `${stamp}-${process.pid}-${++seq}.eml`);
      writeFileSync(file, info.message as Buffer, { mode: 0o600 });
    },
    describe: () => `files in ${outbox}`,
    close: () => {},
  };
}
