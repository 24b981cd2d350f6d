/**
 * The community's own words in both languages (issue 27).
 *
 * A bilingual row keeps its text in the columns it always had, written in the
 * row's `language`, and the other language's version in `translations`
 * (`{"es": {"title": "…"}}`). Readers see their language when it is there,
 * else the original with its `lang` and an "only in English" note.
 *
 * CONTENT is the one list of what is bilingual: the forms, the commands, the
 * "needs translation" list and the demo's completeness test all read it.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Locale } from './i18n.js';

export type Lang = Locale;
export type Translations = Partial<Record<Lang, Record<string, string | string[]>>>;

/** A row that can be read in either language. */
export interface BilingualRow {
  language?: string | null;
  translations?: unknown;
}

export const otherLang = (l: string): Lang => (l === 'es' ? 'en' : 'es');
export const asLang = (l: unknown): Lang => (l === 'es' ? 'es' : 'en');

/** A row's translations object, whatever the driver handed back (jsonb arrives parsed; be lenient with strings). */
export function translationsOf(row: BilingualRow): Translations {
  const t = row.translations;
  if (!t) return {};
  if (typeof t === 'string') {
    try {
      return JSON.parse(t) as Translations;
    } catch {
      return {};
    }
  }
  return typeof t === 'object' ? (t as Translations) : {};
}

export interface Localized {
  text: string;
  /** The language `text` is written in. */
  lang: Lang;
  /** True when the reader asked for another language and it is not there. */
  fallback: boolean;
}

/**
 * `field` of `row` for a reader of `locale`. `base` names the row's language
 * when the row itself carries none (child rows read their parent's).
 */
export function localized(row: BilingualRow, field: string, locale: Lang, base?: string): Localized {
  const original = String((row as Record<string, unknown>)[field] ?? '');
  const lang = asLang(row.language ?? base);
  if (lang === locale) return { text: original, lang, fallback: false };
  const other = translationsOf(row)[locale]?.[field];
  if (typeof other === 'string' && other.trim() !== '') return { text: other, lang: locale, fallback: false };
  return { text: original, lang, fallback: original.trim() !== '' };
}

/** Shortcut: the text only. */
export const loc = (row: BilingualRow, field: string, locale: Lang, base?: string) => localized(row, field, locale, base).text;

/**
 * A copy of each row with `fields` replaced by the reader's language, plus
 * `lang_of` (field → language actually shown) for `lang` attributes. Rows
 * from shared caches are never changed in place.
 */
export function localizeRows<R extends BilingualRow>(rows: readonly R[], fields: readonly string[], locale: Lang, base?: string): (R & { lang_of: Record<string, Lang> })[] {
  return rows.map((r) => localizeRow(r, fields, locale, base));
}

export function localizeRow<R extends BilingualRow>(row: R, fields: readonly string[], locale: Lang, base?: string): R & { lang_of: Record<string, Lang> } {
  const out: Record<string, unknown> = { ...(row as Record<string, unknown>), lang_of: { ...((row as { lang_of?: Record<string, Lang> }).lang_of ?? {}) } };
  for (const f of fields) {
    if (!(f in (row as object))) continue;
    const l = localized(row, f, locale, base);
    out[f] = l.text;
    (out.lang_of as Record<string, Lang>)[f] = l.lang;
  }
  return out as unknown as R & { lang_of: Record<string, Lang> };
}

// ---- what is bilingual ---------------------------------------------------------------------------

export interface ContentKind {
  table: string;
  /** Text fields written in both languages; `required` ones must be there in the row's language. */
  fields: readonly string[];
  /** When the table has no `language` column: the parent's, through this SQL (alias r). */
  languageFrom?: string;
  /** The i18n key naming this kind of thing, for the needs-translation list. */
  label: string;
}

export const CONTENT: Record<string, ContentKind> = {
  community: { table: 'community', fields: ['name', 'short_name', 'tagline', 'mission', 'shared_agenda'], label: 'translate.kinds.community' },
  group: { table: 'practice_groups', fields: ['name', 'short_name', 'mission'], label: 'translate.kinds.group' },
  group_priority: { table: 'group_priorities', fields: ['text'], languageFrom: '(SELECT g.language FROM practice_groups g WHERE g.id = r.group_id)', label: 'translate.kinds.group_priority' },
  agenda_item: { table: 'agenda_items', fields: ['title', 'description'], label: 'translate.kinds.agenda_item' },
  agenda_why: { table: 'agenda_why', fields: ['reason'], languageFrom: '(SELECT a.language FROM agenda_items a WHERE a.id = r.item_id)', label: 'translate.kinds.agenda_why' },
  milestone: { table: 'agenda_milestones', fields: ['title'], languageFrom: '(SELECT a.language FROM agenda_items a WHERE a.id = r.item_id)', label: 'translate.kinds.milestone' },
  agenda_update: { table: 'agenda_updates', fields: ['body'], label: 'translate.kinds.agenda_update' },
  event: { table: 'events', fields: ['title', 'description', 'agenda'], label: 'translate.kinds.event' },
  resource: { table: 'resources', fields: ['title', 'summary'], label: 'translate.kinds.resource' },
  collection: { table: 'collections', fields: ['title', 'description'], label: 'translate.kinds.collection' },
  organization: { table: 'organizations', fields: ['description'], label: 'translate.kinds.organization' },
  state_initiative: { table: 'state_initiatives', fields: ['description'], label: 'translate.kinds.state_initiative' },
};

/**
 * SQL: true when some non-empty field of the row (alias r) lacks its other
 * language. Used by the needs-translation list and the demo's test.
 */
export function missingTranslationSql(kind: ContentKind): RawBuilder<boolean> {
  const lang = sql.raw(kind.languageFrom ?? 'r.language');
  const checks = kind.fields.map(
    (f) => sql`(r.${sql.raw(f)} <> '' AND COALESCE(r.translations -> (CASE WHEN ${lang} = 'es' THEN 'en' ELSE 'es' END) ->> ${sql.lit(f)}, '') = '')`,
  );
  return sql<boolean>`(${sql.join(checks, sql` OR `)})`;
}

// ---- forms: English and Spanish side by side ---------------------------------------------------------

/** The form field holding `field` in `lang`: English keeps the plain name, Spanish adds `_es`. */
export const formName = (field: string, lang: Lang) => (lang === 'en' ? field : `${field}_es`);

const text = (v: unknown): string => (v === undefined || v === null ? '' : Array.isArray(v) ? String(v[0] ?? '') : String(v));

/**
 * Turns a side-by-side form (`name` in English, `name_es` in Spanish) into a
 * command's input: the row's language text in the plain fields and the other
 * language in `translations`. `language` is the row's language when the form
 * has one (a resource's, an event's); otherwise English, unless only Spanish
 * was written. List fields (one entry per line) stay strings here; the route's
 * own `prepare` splits them.
 */
export function fromBilingualForm(values: Record<string, unknown>, fields: readonly string[], opts: { language?: unknown; required?: readonly string[]; lists?: readonly string[] } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...values };
  const has = (f: string, l: Lang) => text(values[formName(f, l)]).trim() !== '';
  let language: Lang;
  if (opts.language === 'en' || opts.language === 'es') language = opts.language;
  else {
    const req = opts.required?.length ? opts.required : fields;
    language = req.every((f) => !has(f, 'en')) && req.some((f) => has(f, 'es')) ? 'es' : 'en';
  }
  const other = otherLang(language);
  const tr: Record<string, string | string[]> = {};
  for (const f of fields) {
    out[f] = values[formName(f, language)] ?? '';
    const v = text(values[formName(f, other)]);
    if (v.trim() !== '') tr[f] = opts.lists?.includes(f) ? listLines(v) : v;
    delete out[`${f}_es`];
  }
  out.language = language;
  out.translations = { [other]: tr };
  return out;
}

/** A textarea of one entry per line → the entries, without "1." numbering or blank lines. */
export const listLines = (v: string): string[] =>
  v
    .split('\n')
    .map((s) => s.replace(/^\s*\d+[.)]\s*/, '').trim())
    .filter(Boolean);

/** The reverse, for showing a form again: a row (or a command input) → `name` / `name_es` values. */
export function toBilingualForm(values: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...values };
  const language = asLang(values.language);
  const other = otherLang(language);
  const tr = translationsOf(values)[other] ?? {};
  for (const f of fields) {
    const own = values[f];
    const theirs = tr[f];
    out[formName(f, language)] = Array.isArray(own) ? own.join('\n') : (own ?? '');
    out[formName(f, other)] = Array.isArray(theirs) ? theirs.join('\n') : (theirs ?? '');
  }
  delete out.translations;
  return out;
}

/** Field errors of a command's input → the side-by-side form's field names. */
export function bilingualErrors(errors: Record<string, string>, fields: readonly string[], language: unknown): Record<string, string> {
  const lang = asLang(language);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(errors)) {
    const m = /^translations\.(en|es)\.(.+)$/.exec(k);
    if (m && fields.includes(m[2]!)) out[formName(m[2]!, m[1] as Lang)] = v;
    else if (fields.includes(k)) out[formName(k, lang)] = v;
    else out[k] = v;
  }
  return out;
}

/**
 * Normalises a command's `translations` input: only the other language, only
 * known fields, trimmed, empty ones dropped. What is stored is always this shape.
 */
export function cleanTranslations(input: unknown, fields: readonly string[], language: Lang): Translations {
  const other = otherLang(language);
  const src = (input && typeof input === 'object' ? (input as Translations)[other] : undefined) ?? {};
  const out: Record<string, string | string[]> = {};
  for (const f of fields) {
    const v = src[f];
    if (Array.isArray(v)) {
      const list = v.map((s) => String(s).replace(/\r\n?/g, '\n').trim());
      if (list.some(Boolean)) out[f] = list;
    } else if (typeof v === 'string' && v.trim() !== '') out[f] = v.replace(/\r\n?/g, '\n').trim();
  }
  return Object.keys(out).length ? { [other]: out } : {};
}

