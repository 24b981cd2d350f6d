import { render } from 'preact-render-to-string';
import type { T } from '../i18n/i18n.js';
import type { MailMessage } from './mailer.js';

/**
 * Builds a simple transactional email with a plain-text part and an HTML part,
 * both from the same paragraphs, with an optional call-to-action link.
 */
export function buildMail(opts: {
  t: T;
  locale: string;
  to: string;
  subject: string;
  greeting: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  footer?: string;
}): MailMessage {
  const { t } = opts;
  const footer = opts.footer ?? t('mail.footer');
  const text = [
    opts.greeting,
    '',
    ...opts.paragraphs.flatMap((p) => [p, '']),
    ...(opts.action ? [`${opts.action.label}: ${opts.action.url}`, ''] : []),
    '-- ',
    footer,
  ].join('\n');
  const html =
    '<!DOCTYPE html>' +
    render(
      <html lang={opts.locale}>
        <head>
          <meta charSet="utf-8" />
          <title>{opts.subject}</title>
        </head>
        <body style="font-family: sans-serif; line-height: 1.5; color: #1b1b1b; max-width: 40em;">
          <p>{opts.greeting}</p>
          {opts.paragraphs.map((p) => (
            <p>{p}</p>
          ))}
          {opts.action && (
            <p>
              <a href={opts.action.url} style="display: inline-block; padding: 0.6em 1.2em; background: #005ea2; color: #fff; text-decoration: none; border-radius: 4px;">
                {opts.action.label}
              </a>
            </p>
          )}
          {opts.action && (
            <p style="font-size: 0.9em; color: #555;">
              {t('mail.link_fallback')} {opts.action.url}
            </p>
          )}
          <hr />
          <p style="font-size: 0.9em; color: #555;">{footer}</p>
        </body>
      </html>,
    );
  return { to: opts.to, subject: opts.subject, text, html };
}
