import type { ComponentChildren } from 'preact';
import { render } from 'preact-render-to-string';
import type { PageContext } from './context.js';
import { ANONYMOUS } from '../auth/actor.js';
import { CSRF_SLOT, escaped, fill, keptKey, slot, slottedContext, template, type Template } from './kept.js';

export interface PageProps {
  ctx: PageContext;
  /** The page's title (also its single h1, unless `heading` differs). */
  title: string;
  /** The title's language when it is not the page's (content only written in the other language): set as its `lang`, with a note. */
  titleLang?: string;
  /** True when the page shows a form whose submission failed: the title gets an "Error:" prefix. */
  hasErrors?: boolean;
  /** Breadcrumbs before the h1: label and href, the last one being the parent. */
  breadcrumbs?: { label: string; href: string; /** When the label is not in the page's language. */ lang?: string }[];
  /** Optional short text under the h1. */
  lead?: ComponentChildren;
  children?: ComponentChildren;
  /** Omit the h1 when the page draws its own (e.g. the home hero). */
  ownHeading?: boolean;
  /** Feeds and calendars of this page, linked from the head so feed readers and calendar programs find them. */
  alternates?: Alternate[];
}

/** A `<link rel="alternate">`: an Atom feed or an iCalendar feed of the page's content. */
export interface Alternate {
  type: 'application/atom+xml' | 'text/calendar';
  title: string;
  href: string;
}

/** What the header needs to know about the page's address: which nav entries are current, and the address to come back to (encoded). */
interface Where {
  current: (href: string) => boolean;
  next: string;
}

function LanguageSwitch({ ctx, next }: { ctx: PageContext; next: string }) {
  const other = ctx.locale === 'en' ? 'es' : 'en';
  const href = `/language/${other}?next=${next}`;
  return (
    <a class="convene-lang usa-link" href={href} lang={other} hreflang={other}>
      {ctx.t(`language.switch_to_${other}`)}
    </a>
  );
}

/** The header's menu: at most seven entries in view (six and "More"), the rest under "More". */
function navLinks(ctx: PageContext): { primary: { href: string; label: string }[]; more: { href: string; label: string }[] } {
  const { t, actor } = ctx;
  const primary = [
    { href: '/', label: t('nav.home') },
    { href: '/latest', label: t('nav.latest') },
    { href: '/groups', label: t('nav.groups') },
    { href: '/resources', label: t('nav.library') },
    { href: '/events', label: t('nav.events') },
    { href: '/agenda', label: t('nav.agenda') },
  ];
  const more = [
    { href: '/discussions', label: t('nav.discussions') },
    { href: '/people', label: t('nav.directory') },
    { href: '/glossary', label: t('nav.glossary') },
    { href: '/organizations', label: t('nav.organizations') },
    { href: '/states', label: t('nav.states') },
    { href: '/stories', label: t('nav.stories') },
    { href: '/decisions', label: t('nav.decisions') },
    { href: '/search', label: t('nav.search') },
  ];
  if (actor.kind === 'user') more.push({ href: '/conversations', label: t('nav.conversations') }, { href: '/bookmarks', label: t('nav.bookmarks') }, { href: '/follow-ups', label: t('nav.followups') }, { href: '/translations', label: t('nav.translations') }, { href: '/reach', label: t('nav.reach') });
  if (ctx.nav.analytics) more.push({ href: '/analytics', label: t('nav.analytics') });
  if (ctx.nav.moderate) more.push({ href: '/moderation', label: t('nav.moderation') });
  if (ctx.nav.admin) more.push({ href: '/admin', label: t('nav.admin') });
  return { primary, more };
}

/** The site-wide search box in the header (a plain GET form: it works without JavaScript). */
function HeaderSearch({ ctx, id }: { ctx: PageContext; id: string }) {
  return (
    <form class={`usa-search usa-search--small convene-header__search convene-header__search--${id}`} role="search" method="get" action="/search" aria-label={ctx.t('nav.search_label')}>
      <label class="usa-sr-only" for={id}>
        {ctx.t('nav.search_label')}
      </label>
      <input class="usa-input" id={id} type="search" name="q" maxLength={200} autocomplete="off" />
      <button class="usa-button" type="submit">
        <span class="usa-search__submit-text">{ctx.t('nav.search_button')}</span>
      </button>
    </form>
  );
}

function Header({ ctx, where }: { ctx: PageContext; where: Where }) {
  const { t, actor } = ctx;
  const { primary, more } = navLinks(ctx);
  const { current } = where;
  return (
    <header class="convene-header" role="banner">
      <div class="grid-container convene-header__inner">
        <div class="convene-header__brand">
          <a href="/" class="convene-brand">
            {ctx.communityName}
          </a>
        </div>
        <HeaderSearch ctx={ctx} id="site-search" />
        <div class="convene-header__tools">
          <LanguageSwitch ctx={ctx} next={where.next} />
          {actor.kind === 'user' ? (
            <>
              <a class="usa-link convene-notifications-link" href="/notifications" aria-current={current('/notifications') ? 'page' : undefined}>
                {ctx.nav.unread ? (
                  <>
                    <span aria-hidden="true">{t('nav.notifications')} </span>
                    <span class="convene-badge" aria-hidden="true">
                      {ctx.fmt.number(ctx.nav.unread)}
                    </span>
                    <span class="usa-sr-only">{t('nav.notifications_unread', { count: ctx.nav.unread })}</span>
                  </>
                ) : (
                  t('nav.notifications')
                )}
              </a>
              <a class="usa-link" href="/settings">
                {t('nav.settings')}
              </a>
              <form method="post" action="/logout" class="convene-inline-form">
                <input type="hidden" name="_csrf" value={ctx.csrf()} />
                <button type="submit" class="usa-button usa-button--unstyled convene-header__button">
                  {t('nav.sign_out')}
                </button>
              </form>
            </>
          ) : (
            <>
              <a class="usa-link" href={`/login?next=${where.next}`}>
                {t('nav.sign_in')}
              </a>
              <a class="usa-button usa-button--outline convene-header__cta" href="/signup">
                {t('nav.sign_up')}
              </a>
            </>
          )}
        </div>
      </div>
      <nav class="convene-nav" aria-label={t('nav.label')}>
        {/* On a phone the menu folds behind "Menu" (a disclosure: convene.js closes it on narrow
            screens; without JavaScript it stays open, as on wide screens, where its summary is hidden). */}
        <details class="convene-nav__menu grid-container" open>
          <summary class="convene-nav__toggle">{t('nav.menu')}</summary>
          <HeaderSearch ctx={ctx} id="menu-search" />
          <NavList primary={primary} more={more} current={current} moreLabel={t('nav.more')} />
        </details>
      </nav>
    </header>
  );
}

function NavList({ primary, more, current, moreLabel }: { primary: { href: string; label: string }[]; more: { href: string; label: string }[]; current: (href: string) => boolean; moreLabel: string }) {
  const link = (l: { href: string; label: string }) => (
    <li>
      <a href={l.href} class="convene-nav__link" aria-current={current(l.href) ? 'page' : undefined}>
        {l.label}
      </a>
    </li>
  );
  return (
    <ul class="convene-nav__list">
      {primary.map(link)}
      <li class="convene-nav__more">
        <details>
          <summary class={`convene-nav__link${more.some((l) => current(l.href)) ? ' convene-nav__link--current' : ''}`}>{moreLabel}</summary>
          <ul class="convene-nav__sub">{more.map(link)}</ul>
        </details>
      </li>
    </ul>
  );
}

function Footer({ ctx }: { ctx: PageContext }) {
  const { t } = ctx;
  return (
    <footer class="convene-footer" role="contentinfo">
      <div class="grid-container">
        <p class="convene-footer__crisis">
          <strong>{t('footer.crisis_title')}</strong> {t('footer.crisis_text')}{' '}
          <a class="usa-link" href="tel:988">
            988
          </a>
          {' · '}
          <a class="usa-link" href="sms:988">
            {t('footer.crisis_text_line')}
          </a>
        </p>
        <ul class="convene-footer__links">
          <li class="convene-install" hidden>
            {/* Shown by convene.js when the browser offers to install the site as an app. */}
            <button type="button" class="usa-button usa-button--unstyled convene-install__button">
              {t('push.install')}
            </button>
          </li>
          <li>
            <a class="usa-link" href="/contact">
              {t('contact.footer_link')}
            </a>
          </li>
          <li>
            <a class="usa-link" href="/guidelines">
              {t('policies.guidelines_title')}
            </a>
          </li>
          <li>
            <a class="usa-link" href="/terms">
              {t('policies.terms_title')}
            </a>
          </li>
          <li>
            <a class="usa-link" href="/privacy">
              {t('policies.privacy_title')}
            </a>
          </li>
          <li>
            <a class="usa-link" href="/api/docs">
              {t('footer.api')}
            </a>
          </li>
          <li>
            <a class="usa-link" href="/organizations">
              {t('nav.organizations')}
            </a>
          </li>
        </ul>
        <p class="convene-footer__note">{t('footer.powered_by')}</p>
      </div>
    </footer>
  );
}

/** Flash messages are status messages: announced by screen readers without moving focus. */
export function FlashMessage({ ctx }: { ctx: PageContext }) {
  if (!ctx.flash) return null;
  const { kind, message } = ctx.flash;
  return (
    <div class={`usa-alert usa-alert--${kind} usa-alert--slim margin-bottom-3`} role={kind === 'error' ? 'alert' : 'status'}>
      <div class="usa-alert__body">
        <p class="usa-alert__text">{message}</p>
      </div>
    </div>
  );
}

/** The page's own part of `main`: breadcrumbs, flash message, h1, lead and content. */
function MainContent(props: PageProps) {
  const { ctx, title } = props;
  const { t } = ctx;
  return (
    <>
      {props.breadcrumbs && props.breadcrumbs.length > 0 && (
        <nav class="usa-breadcrumb" aria-label={t('common.breadcrumbs')}>
          <ol class="usa-breadcrumb__list">
            {props.breadcrumbs.map((b) => (
              <li class="usa-breadcrumb__list-item">
                <a href={b.href} class="usa-breadcrumb__link">
                  <span lang={b.lang && b.lang !== ctx.locale ? b.lang : undefined}>{b.label}</span>
                </a>
              </li>
            ))}
          </ol>
        </nav>
      )}
      <FlashMessage ctx={ctx} />
      {!props.ownHeading &&
        (props.titleLang && props.titleLang !== ctx.locale ? (
          <h1 class="convene-title">
            <span lang={props.titleLang}>{title}</span> <span class="convene-only-in">{t(`translate.only_in_${props.titleLang}`)}</span>
          </h1>
        ) : (
          <h1 class="convene-title">{title}</h1>
        ))}
      {props.lead && <p class="usa-intro">{props.lead}</p>}
      {props.children}
    </>
  );
}

const SLOTS = { title: slot('title'), alternates: slot('alternates'), main: slot('main'), nonce: slot('nonce'), next: slot('next'), csrf: CSRF_SLOT };
type SlotName = keyof typeof SLOTS;

/** Everything around `main`, with slots for the title, the page's address, the CSRF token, the nonce and `main` itself. */
function Shell({ ctx, where }: { ctx: PageContext; where: Where }) {
  const { t } = ctx;
  return (
    <html lang={ctx.locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{SLOTS.title}</title>
        <link rel="stylesheet" href="/assets/uswds/css/uswds.min.css" />
        <link rel="stylesheet" href="/assets/convene.css" />
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        <link rel="manifest" href="/manifest.webmanifest" />
        <link rel="apple-touch-icon" href="/icons/192.png" />
        <meta name="theme-color" content="#162e51" />
        {SLOTS.alternates}
      </head>
      <body>
        <a class="usa-skipnav" href="#main-content">
          {t('common.skip_to_main')}
        </a>
        <Header ctx={ctx} where={where} />
        <main id="main-content" class="grid-container convene-main" tabIndex={-1}>
          {SLOTS.main}
        </main>
        <Footer ctx={ctx} />
        <script src="/assets/convene.js" nonce={SLOTS.nonce} defer />
      </body>
    </html>
  );
}

const NAV_HREFS = ['/', '/latest', '/groups', '/discussions', '/resources', '/glossary', '/agenda', '/events', '/people', '/organizations', '/states', '/search', '/conversations', '/bookmarks', '/reach', '/analytics', '/moderation', '/admin'];

/** The entries of the header marked as the current page. */
function currentEntries(path: string): string[] {
  const out = NAV_HREFS.filter((href) => (href === '/' ? path === '/' : path === href || path.startsWith(href + '/') || path.startsWith(href + '?')));
  if (path.startsWith('/notifications')) out.push('/notifications');
  // New and Unread are views of Latest.
  if (/^\/(new|unread)(\/|\?|$)/.test(path)) out.push('/latest');
  return out;
}

/** Everything the page shell shows that differs between viewers. */
interface ShellDeps {
  signedIn: boolean;
  admin: boolean;
  moderate: boolean;
  analytics: boolean;
  unread: number;
  current: string[];
  communityName: string;
}

/**
 * The context the shell renders with: its deps and the language, nothing
 * else about the viewer (forms carry the CSRF slot; reading the path or the
 * flash throws, like any kept part's context).
 */
function shellContext(ctx: PageContext, d: ShellDeps): PageContext {
  const c = slottedContext(ctx);
  const shell: PageContext = {
    t: c.t,
    locale: c.locale,
    fmt: c.fmt,
    tz: c.tz,
    csrf: c.csrf,
    nonce: SLOTS.nonce,
    communityName: d.communityName,
    actor: d.signedIn ? ({ kind: 'user' } as PageContext['actor']) : ANONYMOUS,
    nav: { admin: d.admin, moderate: d.moderate, analytics: d.analytics, unread: d.unread || undefined },
    get path(): string {
      throw new Error('The page shell may not read ctx.path: it is a slot');
    },
  };
  return shell;
}

/**
 * Page shells kept by everything they depend on (`ShellDeps`, keyed by
 * `keptKey` like every kept part, with the language). The rest (title,
 * address, token, nonce) are slots, so a page view renders only its own
 * `main`.
 */
const shells = new Map<string, Template<SlotName>>();
const MAX_SHELLS = 500;

function shellFor(ctx: PageContext): Template<SlotName> {
  const { nav } = ctx;
  const deps: ShellDeps = {
    signedIn: ctx.actor.kind === 'user',
    admin: nav.admin,
    moderate: nav.moderate,
    analytics: nav.analytics,
    unread: nav.unread ?? 0,
    current: currentEntries(ctx.path),
    communityName: ctx.communityName,
  };
  const key = keptKey('shell', { locale: ctx.locale, tz: '' }, { ...deps, current: deps.current.join(' ') });
  let shell = shells.get(key);
  if (!shell) {
    const current = deps.current;
    const html = '<!DOCTYPE html>' + render(<Shell ctx={shellContext(ctx, deps)} where={{ current: (href) => current.includes(href), next: SLOTS.next }} />);
    shell = template(html, SLOTS);
    if (shells.size >= MAX_SHELLS) shells.clear();
    shells.set(key, shell);
  }
  return shell;
}

/** Renders a full HTML document for a page. */
export function renderPage(props: PageProps): string {
  const { ctx } = props;
  const shell = shellFor(ctx);
  const fullTitle = `${props.hasErrors ? ctx.t('common.error_prefix') + ' ' : ''}${props.title} | ${ctx.communityName}`;
  return fill(shell, {
    title: escaped(fullTitle),
    alternates: props.alternates?.length ? render(<>{props.alternates.map((a) => <link rel="alternate" type={a.type} title={a.title} href={a.href} />)}</>) : '',
    main: render(<MainContent {...props} />),
    nonce: escaped(ctx.nonce),
    next: escaped(encodeURIComponent(ctx.path)),
    csrf: shell.slots.includes('csrf') ? escaped(ctx.csrf()) : '',
  });
}
