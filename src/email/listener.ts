import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { acceptsRecipient, receiveMessage, SmtpRefusal, type MailInDeps } from './inbound.js';

export interface MailListener {
  /** The port it listens on (useful when 0 was asked for). */
  port: number;
  close(): Promise<void>;
}

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

/**
 * The in-process SMTP (or LMTP) listener a mail server hands messages to.
 * Oversized messages are refused at SMTP time (552 5.3.4, from the declared
 * SIZE or from the bytes), unknown recipients at RCPT TO (550 5.1.1), forged
 * mail after DATA (550 5.7.1); a failure of our own is temporary (451), so the
 * sending server tries again and the Message-ID keeps it from counting twice.
 */
export async function startMailListener(deps: MailInDeps, opts: { host: string; port: number; lmtp: boolean; maxBytes: number; log: (m: string) => void }): Promise<MailListener> {
  const server = new SMTPServer({
    lmtp: opts.lmtp,
    name: deps.config.inboundDomain,
    banner: 'Convene',
    size: opts.maxBytes,
    rejectOversized: true,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    maxClients: 50,
    socketTimeout: 60_000,
    logger: false,
    onMailFrom(address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const declared = Number(((address.args || {}) as Record<string, string>).SIZE ?? 0);
      if (declared > opts.maxBytes) return callback(smtpError(552, `5.3.4 Message too big: the limit is ${opts.maxBytes} bytes`));
      callback();
    },
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      if (session.envelope.rcptTo.length >= 20) return callback(smtpError(452, '4.5.3 Too many recipients'));
      const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
      acceptsRecipient(deps, address.address, mailFrom).then(
        (ok) => callback(ok ? undefined : smtpError(550, '5.1.1 No such address here')),
        (err: Error) => {
          opts.log(`mail in: recipient check failed: ${err.message}`);
          callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
        },
      );
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let bytes = 0;
      stream.on('data', (c: Buffer) => {
        bytes += c.length;
        if (bytes <= opts.maxBytes) chunks.push(c);
      });
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded || bytes > opts.maxBytes) return callback(smtpError(552, `5.3.4 Message too big: the limit is ${opts.maxBytes} bytes`));
        const raw = Buffer.concat(chunks);
        receiveMessage(deps, raw, {
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          remoteAddress: session.remoteAddress,
          helo: session.hostNameAppearsAs ?? '',
        }).then(
          () => callback(null, 'OK: message received'),
          (err: Error) => {
            if (err instanceof SmtpRefusal) return callback(smtpError(err.responseCode, err.message));
            // Never the message or its addresses in the log: only what went wrong.
            opts.log(`mail in: could not handle a message: ${err.message}`);
            callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
          },
        );
      });
    },
  });
  server.on('error', (err: Error) => opts.log(`mail in: ${err.message}`));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as { port: number }).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
