import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import * as addFormatsModule from 'ajv-formats';
import type { Static, TSchema } from '@sinclair/typebox';
import type { T } from '../i18n/i18n.js';
import { AppError } from './errors.js';

// ajv-formats is CommonJS; under NodeNext its function arrives as the default export's default.
const addFormats = (addFormatsModule as unknown as { default: { default: (a: Ajv) => Ajv } }).default.default;

/** The Ajv options the HTTP layer and form validation share. */
export const AJV_OPTIONS = {
  allErrors: true,
  coerceTypes: 'array' as const,
  removeAdditional: true as const,
  useDefaults: true,
  keywords: ['x-message'],
};

const ajv = new Ajv(AJV_OPTIONS);
addFormats(ajv);
const compiled = new WeakMap<object, ValidateFunction>();

export function compile(schema: TSchema): ValidateFunction {
  const known = compiled.get(schema);
  if (known) return known;
  const fn = ajv.compile(schema);
  compiled.set(schema, fn);
  return fn;
}

/** The field an Ajv error is about, as the form names it. */
function fieldOf(e: ErrorObject): string {
  if (e.keyword === 'required') return String((e.params as { missingProperty: string }).missingProperty);
  const parts = e.instancePath.split('/').filter(Boolean);
  // An error on an array item is reported on the array field.
  const named = parts.filter((p) => !/^\d+$/.test(p));
  return named.join('.') || '_';
}

function schemaAt(root: TSchema, field: string): TSchema | undefined {
  let cur: TSchema | undefined = root;
  for (const part of field.split('.')) {
    cur = (cur as { properties?: Record<string, TSchema> } | undefined)?.properties?.[part];
  }
  return cur;
}

/**
 * Turns Ajv errors into one plain-language message per field, in the
 * requester's language. A schema may give its own message with `x-message`
 * (an i18n key) when the generic one would not help, e.g. for a pattern.
 */
export function fieldErrors(errors: ErrorObject[], t: T, root?: TSchema): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) {
    const field = fieldOf(e);
    if (out[field]) continue;
    const custom = root ? (schemaAt(root, field) as { 'x-message'?: string } | undefined)?.['x-message'] : undefined;
    const p = e.params as Record<string, unknown>;
    let msg: string;
    switch (e.keyword) {
      case 'required':
        msg = t('validation.required');
        break;
      case 'minLength':
        msg = p.limit === 1 ? t('validation.required') : t('validation.min_length', { count: Number(p.limit) });
        break;
      case 'maxLength':
        msg = t('validation.max_length', { count: Number(p.limit) });
        break;
      case 'minimum':
      case 'exclusiveMinimum':
        msg = t('validation.minimum', { limit: p.limit });
        break;
      case 'maximum':
      case 'exclusiveMaximum':
        msg = t('validation.maximum', { limit: p.limit });
        break;
      case 'maxItems':
        msg = t('validation.max_items', { count: Number(p.limit) });
        break;
      case 'minItems':
        msg = t('validation.min_items', { count: Number(p.limit) });
        break;
      case 'enum':
      case 'const':
      case 'anyOf':
        msg = custom ? t(custom) : t('validation.choose');
        break;
      case 'format':
        msg = p.format === 'email' ? t('validation.email') : p.format === 'uri' ? t('validation.url') : t('validation.format');
        break;
      case 'type':
        msg = p.type === 'integer' || p.type === 'number' ? t('validation.number') : t('validation.format');
        break;
      case 'additionalProperties':
        continue;
      default:
        msg = custom ? t(custom) : t('validation.format');
    }
    if (custom && (e.keyword === 'pattern' || e.keyword === 'format')) msg = t(custom);
    out[field] = msg;
  }
  return out;
}

export type Validated<S extends TSchema> = { ok: true; value: Static<S> } | { ok: false; errors: Record<string, string> };

/**
 * Validates (and coerces: form fields arrive as strings) `input` against a
 * schema; used by HTML forms, which must re-render with messages rather than
 * throw. The input object is not modified.
 */
export function validate<S extends TSchema>(schema: S, input: unknown, t: T): Validated<S> {
  const copy = structuredClone(input ?? {});
  const fn = compile(schema);
  if (fn(copy)) return { ok: true, value: copy as Static<S> };
  return { ok: false, errors: fieldErrors(fn.errors ?? [], t, schema) };
}

/** Like validate(), but throws a `validation_failed` AppError. */
export function parseOrThrow<S extends TSchema>(schema: S, input: unknown, t: T): Static<S> {
  const r = validate(schema, input, t);
  if (!r.ok) throw new AppError('validation_failed', { fields: r.errors });
  return r.value;
}
