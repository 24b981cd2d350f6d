import { render } from 'preact-render-to-string';
import { isLocale, translator, type Locale, type T } from '../i18n/i18n.js';
import type { MailMessage } from './mailer.js';

export interface MailOptions {
  t: T;
  locale: string;
  to: string;
  subject: string;
  greeting: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  footer?: string;
  /** Already-sanitized HTML shown as the message itself (a post in mailing-list mode), with its plain-text form. */
  body?: { html: string; text: string; lang?: string };
  /** Already-sanitized HTML shown after the paragraphs (a post's body), with its plain-text form. */
  quoted?: { html: string; text: string; lang?: string };
  /** Items listed after the paragraphs (a digest), each linking back. */
  items?: { title: string; detail: string; url: string }[];
  /** A link that turns these emails off, shown in the footer (and sent as List-Unsubscribe). */
  unsubscribe?: { label: string; url: string };
  headers?: Record<string, string>;
}

/** Someone a message is written for: where it goes, the name it greets, the language it is in. */
export interface Addressee {
  email: string;
  name: string;
  locale: string;
}

/** A person's language for mail: theirs when Convene speaks it, otherwise English. */
export const mailLocale = (person: { locale: string }): Locale => (isLocale(person.locale) ? person.locale : 'en');

/**
 * A message to one person, in their language, greeting them by name. `compose`
 * writes the rest with that person's translator; every email to a person is
 * made here, so none can be sent in the sender's language by mistake.
 */
export function mailTo(person: Addressee, compose: (t: T, locale: Locale) => Omit<MailOptions, 't' | 'locale' | 'to' | 'greeting'> & { /** false: no greeting (a post sent as a list message starts with its author's words). */ greet?: false }): MailMessage {
  const locale = mailLocale(person);
  const t = translator(locale);
  const { greet, ...rest } = compose(t, locale);
  return buildMail({ t, locale, to: person.email, greeting: greet === false ? '' : t('mail.greeting', { name: person.name }), ...rest });
}

/**
 * Builds a simple transactional email with a plain-text part and an HTML part,
 * both from the same paragraphs, with an optional call-to-action link.
 */
export function buildMail(opts: MailOptions): MailMessage {
  const { t } = opts;
  const footer = opts.footer ?? t('mail.footer');
  const text = [
    ...(opts.greeting ? [opts.greeting, ''] : []),
    ...opts.paragraphs.flatMap((p) => [p, '']),
    ...(opts.body ? [opts.body.text, ''] : []),
    ...(opts.quoted ? [...opts.quoted.text.split('\n').map((l) => `> ${l}`), ''] : []),
    ...(opts.items ?? []).flatMap((i) => [`* ${i.title}`, `  ${i.detail}`, `  ${i.url}`, '']),
    ...(opts.action ? [`${opts.action.label}: ${opts.action.url}`, ''] : []),
    '-- ',
    footer,
    ...(opts.unsubscribe ? [`${opts.unsubscribe.label}: ${opts.unsubscribe.url}`] : []),
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
          {opts.greeting && <p>{opts.greeting}</p>}
          {opts.paragraphs.map((p) => (
            <p>{p}</p>
          ))}
          {opts.body && <div lang={opts.body.lang} dangerouslySetInnerHTML={{ __html: opts.body.html }} />}
          {opts.quoted && (
            <blockquote lang={opts.quoted.lang} style="margin: 0 0 1em; padding: 0 1em; border-left: 4px solid #dfe1e2;" dangerouslySetInnerHTML={{ __html: opts.quoted.html }} />
          )}
          {opts.items && opts.items.length > 0 && (
            <ul>
              {opts.items.map((i) => (
                <li style="margin-bottom: 0.75em;">
                  <a href={i.url}>{i.title}</a>
                  <br />
                  {i.detail}
                </li>
              ))}
            </ul>
          )}
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
          {opts.unsubscribe && (
            <p style="font-size: 0.9em;">
              <a href={opts.unsubscribe.url}>{opts.unsubscribe.label}</a>
            </p>
          )}
        </body>
      </html>,
    );
  return { to: opts.to, subject: opts.subject, text, html, ...(opts.headers ? { headers: opts.headers } : {}) };
}

/**
 * Mail programs cannot open a site-relative link ("/u/rosadelgado"): every
 * href and src in quoted HTML is made absolute against the site's address.
 */
export function absoluteLinks(html: string, baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return html.replace(/(\s(?:href|src)=["'])\/(?![\/\\])/gi, `$1${base}/`);
}
