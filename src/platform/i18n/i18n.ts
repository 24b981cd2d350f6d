import i18next, { type i18n as I18n } from 'i18next';
import { en } from './en.js';
import { es } from './es.js';

export const LOCALES = ['en', 'es'] as const;
/** The cookie that keeps a signed-out visitor's chosen language. */
export const LANG_COOKIE = 'convene_lang';
export type Locale = (typeof LOCALES)[number];

/** A translation function bound to one locale. */
export type T = (key: string, vars?: Record<string, unknown>) => string;

let instance: I18n | undefined;

function i18n(): I18n {
  if (!instance) {
    instance = i18next.createInstance();
    void instance.init({
      resources: { en: { translation: en }, es: { translation: es } },
      lng: 'en',
      fallbackLng: 'en',
      supportedLngs: [...LOCALES],
      initAsync: false,
      // Views escape everything they print; escaping here would double it.
      interpolation: { escapeValue: false },
      returnNull: false,
      showSupportNotice: false,
    });
  }
  return instance;
}

const cache = new Map<Locale, T>();

/** The translation function for a locale (cached; safe to call per request). */
export function translator(locale: Locale): T {
  let t = cache.get(locale);
  if (!t) {
    const fixed = i18n().getFixedT(locale);
    // Most strings take no values: look each up once (i18next's lookup is costly on busy pages).
    const plain = new Map<string, string>();
    const lookup = (key: string) => {
      let s = plain.get(key);
      if (s === undefined) plain.set(key, (s = String(fixed(key))));
      return s;
    };
    // Plurals: i18next's choice of `key_<form>` (else `key`) by the language's plural rules, made here.
    const rules = new Intl.PluralRules(locale);
    const own = messageKeys(locale === 'es' ? es : en);
    const plural = (key: string, count: number, vars: Record<string, unknown>) => {
      const form = `${key}_${rules.select(count)}`;
      const k = own.has(form) ? form : own.has(key) ? key : undefined;
      // A zero form, or a message this language lacks (the fallback language's rules apply): i18next.
      if (k === undefined || (count === 0 && own.has(`${key}_zero`))) return undefined;
      return fillPlain(lookup(k), vars, true);
    };
    t = (key, vars) => {
      if (vars === undefined) return lookup(key);
      const quick = typeof vars.count === 'number' ? plural(key, vars.count, vars) : fillPlain(lookup(key), vars);
      return quick ?? String(fixed(key, vars as never));
    };
    cache.set(locale, t);
  }
  return t;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * i18next's interpolation for the common case, without its per-call option
 * parsing (a page of 48 members with labelled controls made it a tenth of the
 * server's CPU): `{{name}}` placeholders filled with string or number values.
 * Anything else — plurals and context (`count`, `context`), other i18next
 * options, nesting, formats, a missing or non-scalar value — returns
 * undefined and goes to i18next. With `countChosen`, the caller has already
 * picked the plural form and `{{count}}` is filled like any value. A test
 * checks both agree on every message.
 */
export function fillPlain(template: string, vars: Record<string, unknown>, countChosen = false): string | undefined {
  for (const k in vars) {
    const v = vars[k];
    if ((k === 'count' && !countChosen) || k === 'context' || k === 'ordinal' || k === 'defaultValue' || k === 'lng' || k === 'ns' || k === 'returnObjects' || k === 'replace' || k === 'interpolation') return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  }
  if (template.includes('$t(') || template.includes('{{-') || template.includes(',')) {
    // Nesting, unescaped prefixes and formats (`{{value, number}}`) are i18next's business.
    if (/\$t\(|\{\{-|\{\{[^}]*,[^}]*\}\}/.test(template)) return undefined;
  }
  let missing = false;
  const out = template.replace(PLACEHOLDER, (_m, name: string) => {
    const v = vars[name];
    if (v === undefined) {
      missing = true;
      return '';
    }
    return String(v);
  });
  return missing ? undefined : out;
}

/** Every message key of a language's tree, flattened ("groups.manage_member"). */
function messageKeys(tree: object, prefix = '', out = new Set<string>()): Set<string> {
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === 'string') out.add(prefix + k);
    else if (v && typeof v === 'object') messageKeys(v, `${prefix}${k}.`, out);
  }
  return out;
}

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

/** Picks the best supported locale from an Accept-Language header. */
export function negotiate(acceptLanguage: string | undefined): Locale {
  if (!acceptLanguage) return 'en';
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { lang: (tag ?? '').toLowerCase().split('-')[0] ?? '', q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const r of ranked) if (isLocale(r.lang)) return r.lang;
  return 'en';
}

const formatterCache = new Map<Locale, ReturnType<typeof makeFormatters>>();

/** Locale-aware formatting of numbers and dates (Intl formatters are costly to make: one set per locale). */
export function formatters(locale: Locale) {
  let f = formatterCache.get(locale);
  if (!f) formatterCache.set(locale, (f = makeFormatters(locale)));
  return f;
}

function makeFormatters(locale: Locale) {
  const tag = locale === 'es' ? 'es-US' : 'en-US';
  // Figures follow Spanish use in Spanish (4.500.000; 12,5 %), not the U.S. English grouping es-US keeps.
  const numTag = locale === 'es' ? 'es' : 'en-US';
  const num = new Intl.NumberFormat(numTag);
  const decimal = new Intl.NumberFormat(numTag, { maximumFractionDigits: 2 });
  const percent = new Intl.NumberFormat(numTag, { style: 'percent', maximumFractionDigits: 0 });
  const percent1 = new Intl.NumberFormat(numTag, { style: 'percent', maximumFractionDigits: 1 });
  const date = new Intl.DateTimeFormat(tag, { dateStyle: 'long', timeZone: 'UTC' });
  const dateTime = new Intl.DateTimeFormat(tag, { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' });
  return {
    number: (n: number) => num.format(n),
    /** Up to two decimals (an average rating). */
    decimal: (n: number) => decimal.format(n),
    /** A share from 0 to 1 as a percentage; one decimal when it is small. */
    percent: (share: number) => (Math.abs(share) < 0.1 && share !== 0 ? percent1 : percent).format(share),
    /** A file size in KB or MB. */
    fileSize: (bytes: number) => (bytes >= 1_048_576 ? `${decimal.format(Math.round(bytes / 104_857.6) / 10)} MB` : `${num.format(Math.max(1, Math.round(bytes / 1024)))} KB`),
    date: (d: Date) => date.format(d),
    dateTime: (d: Date) => dateTime.format(d),
  };
}
