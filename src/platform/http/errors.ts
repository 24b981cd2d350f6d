/**
 * The catalogue of errors Convene answers with. Each has a stable code, an HTTP
 * status and a message key; one renderer (see error-handler.ts) turns them into
 * an HTML page for browsers and `{"error":{code,message,fields}}` for the API.
 * Code never matches errors by their message text.
 */
export const ERRORS = {
  validation_failed: { status: 400, key: 'errors.validation_failed' },
  bad_request: { status: 400, key: 'errors.bad_request' },
  invalid_encoding: { status: 400, key: 'errors.invalid_encoding' },
  unauthenticated: { status: 401, key: 'errors.unauthenticated' },
  forbidden: { status: 403, key: 'errors.forbidden' },
  csrf_failed: { status: 403, key: 'errors.csrf_failed' },
  not_found: { status: 404, key: 'errors.not_found' },
  method_not_allowed: { status: 405, key: 'errors.method_not_allowed' },
  conflict: { status: 409, key: 'errors.conflict' },
  payload_too_large: { status: 413, key: 'errors.payload_too_large' },
  privacy_warning: { status: 422, key: 'errors.privacy_warning' },
  jargon_check: { status: 422, key: 'errors.jargon_check' },
  unsupported_media_type: { status: 415, key: 'errors.unsupported_media_type' },
  rate_limited: { status: 429, key: 'errors.rate_limited' },
  internal: { status: 500, key: 'errors.internal' },
  unavailable: { status: 503, key: 'errors.unavailable' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/**
 * A field's message: a translation key (with its values) that the error
 * renderer translates for the requester, so commands never need a
 * translator; or text already translated (schema validation, which runs
 * with the request's translator).
 */
export interface MessageKey {
  key: string;
  params?: Record<string, unknown>;
}
/** A message composed of several translated parts (the privacy and jargon warnings): written with the requester's translator when the error is sent. */
export type ComposedMessage = (t: (key: string, params?: Record<string, unknown>) => string) => string;
export type FieldMessage = string | MessageKey | ComposedMessage;

/** Field name → its message. */
export type FieldErrors = Record<string, FieldMessage>;

/** A field error by translation key: `fields: { email: msg('accounts.email_taken') }`. */
export const msg = (key: string, params?: Record<string, unknown>): MessageKey => ({ key, params });

/** The field messages in the requester's language. */
export function translateFields(fields: FieldErrors, t: (key: string, params?: Record<string, unknown>) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, m] of Object.entries(fields)) out[name] = typeof m === 'string' ? m : typeof m === 'function' ? m(t) : t(m.key, m.params);
  return out;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields?: FieldErrors;
  readonly retryAfter?: number;
  /** Interpolation values for the message key. */
  readonly params?: Record<string, unknown>;

  constructor(code: ErrorCode, opts: { fields?: FieldErrors; retryAfter?: number; params?: Record<string, unknown>; message?: string } = {}) {
    super(opts.message ?? code);
    this.code = code;
    this.status = ERRORS[code].status;
    this.fields = opts.fields;
    this.retryAfter = opts.retryAfter;
    this.params = opts.params;
  }
}

export const notFound = () => new AppError('not_found');
export const forbidden = () => new AppError('forbidden');
export const unauthenticated = () => new AppError('unauthenticated');
export const validationFailed = (fields: FieldErrors) => new AppError('validation_failed', { fields });
export const conflict = (fields?: FieldErrors) => new AppError('conflict', { fields });
