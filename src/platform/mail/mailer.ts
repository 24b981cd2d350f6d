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
  /** Files sent with the message (an event's .ics). */
  attachments?: { filename: string; content: string; contentType: string }[];
}

export interface Mailer {
  send(msg: MailMessage): Promise<void>;
  /** Where mail goes, for the start-up log: an SMTP host or the outbox folder. */
  describe(): string;
  close(): void;
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
        await transport.sendMail({ from: opts.from, ...msg });
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
      const info = await transport.sendMail({ from: opts.from, ...msg });
      mkdirSync(outbox, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = path.join(outbox, `${stamp}-${process.pid}-${++seq}.eml`);
      writeFileSync(file, info.message as Buffer, { mode: 0o600 });
    },
    describe: () => `files in ${outbox}`,
    close: () => {},
  };
}
