import type { Actor } from '../auth/actor.js';
import type { Locale, T } from '../i18n/i18n.js';
import type { formatters } from '../i18n/i18n.js';

export interface Flash {
  kind: 'success' | 'info' | 'warning' | 'error';
  message: string;
}

/** What every page view receives about the request: language, viewer, tokens. */
export interface PageContext {
  t: T;
  locale: Locale;
  fmt: ReturnType<typeof formatters>;
  actor: Actor;
  /** The viewer's time zone: chosen in settings, else the browser's (a cookie set by our script), else the community's. */
  tz: string;
  /** The request path and query, for "return here" links. */
  path: string;
  /** CSRF token for forms on this page (generated on first use). */
  csrf: () => string;
  /** Set once csrf() has been called: the page then holds a per-visitor token and is never cached. */
  csrfUsed?: boolean;
  /** CSP nonce for the page's own script tags. */
  nonce: string;
  flash?: Flash;
  communityName: string;
  /** A practice group's name (as a query returned it) in the reader's language, when translated. */
  groupName?: (name: string) => import('../i18n/content.js').Localized;
  /** The site's public address (BASE_URL), for links that must be absolute (webcal://). */
  siteUrl?: string;
  /** Navigation entries the viewer may use. */
  nav: { admin: boolean; moderate: boolean; /** Facilitators and group leads see engagement analytics. */ analytics: boolean; /** Unread notifications (signed in). */ unread?: number };
}
