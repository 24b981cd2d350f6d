import { Type, type TSchema } from '@sinclair/typebox';

/**
 * A required text field: at least one visible character (spaces, zero-width
 * and other invisible format characters alone do not count), at most `max`.
 */
export const RequiredText = (max: number, extra: Record<string, unknown> = {}) =>
  Type.String({ minLength: 1, maxLength: max, pattern: '[^\\s\\p{Cf}\\p{Cc}]', 'x-message': 'validation.visible', ...extra });

/** An optional text field (may be empty). */
export const OptionalText = (max: number) => Type.Optional(Type.String({ maxLength: max }));

/** Any character but controls and the bidirectional overrides that would reorder the text around a name. */
const LINE_CHAR = '[^\\p{Cc}\\u202A-\\u202E\\u2066-\\u2069]';

/**
 * A required one-line text (a title, a name): like RequiredText, without line
 * breaks or other control characters, which would break out of a calendar
 * line, a mail header or a CSV cell.
 */
export const Line = (max: number) =>
  // The look-ahead skips spaces and invisible characters to a visible one; the two classes do not
  // overlap, so the match stays linear however long the input (no backtracking blow-up).
  Type.String({ minLength: 1, maxLength: max, pattern: `^(?=[\\s\\p{Cf}]*[^\\s\\p{Cf}\\p{Cc}])${LINE_CHAR}*$`, 'x-message': 'validation.line' });

/** An optional one-line text (may be empty). */
export const OptionalLine = (max: number) => Type.Optional(Type.String({ maxLength: max, pattern: `^${LINE_CHAR}*$`, 'x-message': 'validation.line' }));

/** One of a fixed list of codes. */
export const Enum = <T extends readonly string[]>(values: T, extra: Record<string, unknown> = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...extra });

/** Zero or more codes from a fixed list; a single form value arrives as one string and is coerced. */
export const EnumList = <T extends readonly string[]>(values: T, maxItems = values.length) =>
  Type.Array(Enum(values), { maxItems, uniqueItems: true });

export const Slug = (max = 80) =>
  Type.String({ minLength: 2, maxLength: max, pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', 'x-message': 'validation.slug' });

export const Url = () => Type.String({ maxLength: 500, pattern: '^(https?://[^\\s]+)?$', 'x-message': 'validation.url' });

/** The JSON error body every API route may answer with. */
export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    fields: Type.Optional(Type.Record(Type.String(), Type.String())),
  }),
});

/** Standard error responses to attach to an API route's response schema. */
export function errorResponses(...codes: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const c of codes) out[c] = ErrorBody;
  return out;
}

/** Normalises a free-text value: trims, and collapses Windows newlines. */
export const clean = (s: string | undefined | null) => (s ?? '').replace(/\r\n?/g, '\n').trim();

/** A row's language: the language its plain text fields are written in. */
export const LanguageInput = () => Type.Optional(Type.Unsafe<'en' | 'es'>({ type: 'string', enum: ['en', 'es'] }));

/**
 * The other language's version of a row's text fields: `{ "es": { "name": "…" } }`.
 * Each field takes the same limits as its original; all are optional.
 */
export const TranslationsInput = (fields: Record<string, TSchema>) => {
  const one = Type.Object(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Type.Optional(v)])));
  return Type.Optional(Type.Object({ en: Type.Optional(one), es: Type.Optional(one) }));
};

/** The same, as API answers carry it. */
export const TranslationsOutput = Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown()));
