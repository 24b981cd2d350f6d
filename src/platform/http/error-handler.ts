import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorObject } from 'ajv';
import { AppError, ERRORS, translateFields, type ErrorCode } from './errors.js';
import { fieldErrors } from './validation.js';
import { pageContext, sendPage } from './request-context.js';
import { translator } from '../i18n/i18n.js';
import { ANONYMOUS } from '../auth/actor.js';
import { h } from 'preact';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);

/**
 * True for errors that mean "the database is not there right now" (refused,
 * restarting, shutting down, a connection cut), as opposed to a bad query.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.code && CONNECTION_CODES.has(e.code)) return true;
  return /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated due to connection timeout)/.test(e.message ?? '');
}

/** Maps anything thrown in a request to a catalogue error. */
function toAppError(err: FastifyError | AppError | Error, request: FastifyRequest): AppError {
  if (err instanceof AppError) return err;
  // The database is away (restarting, say): a plain "try again shortly", never a 500.
  if (isDatabaseUnavailable(err)) return new AppError('unavailable', { retryAfter: 5 });
  const fe = err as FastifyError;
  if (fe.validation) {
    const t = request.t ?? translator('en');
    return new AppError('validation_failed', { fields: fieldErrors(fe.validation as ErrorObject[], t) });
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413) return new AppError('payload_too_large');
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.statusCode === 415) return new AppError('unsupported_media_type');
  if (fe.code?.startsWith('FST_CSRF')) return new AppError('csrf_failed');
  // A malformed upload (no boundary, a body cut short): busboy's errors carry no code of their own.
  if (!fe.statusCode && request.isMultipart?.() && /^(Multipart: |Unexpected end of (form|file|multipart data)|Malformed part header|Part terminated early)/.test(err.message)) return new AppError('bad_request');
  if (fe.statusCode === 404) return new AppError('not_found');
  if (fe.statusCode === 429) return new AppError('rate_limited');
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return new AppError('bad_request');
  return new AppError('internal');
}

export function wantsJson(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || request.url === '/healthz' || request.url === '/readyz';
}

function send(app: FastifyInstance, e: AppError, request: FastifyRequest, reply: FastifyReply) {
  if (!request.t) {
    request.t = translator('en');
    request.actor = ANONYMOUS;
  }
  const t = request.t;
  const message = t(ERRORS[e.code as ErrorCode].key, e.params);
  if (e.retryAfter) reply.header('retry-after', String(e.retryAfter));
  if (wantsJson(request)) {
    return reply.code(e.status).type('application/json; charset=utf-8').send({
      error: { code: e.code, message, ...(e.fields ? { fields: translateFields(e.fields, t) } : {}) },
    });
  }
  // A visitor who must sign in to see a page is taken to the sign-in form and back.
  if (e.code === 'unauthenticated' && request.method === 'GET' && !e.fields) {
    return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
  }
  const ctx = pageContext(request, reply, app.community.nameOrDefault(request.locale));
  // A request from a page with no form of its own to show them again (a button, a link) still says what was wrong.
  const fields = e.fields ? Object.values(translateFields(e.fields, t)) : [];
  const children = fields.length ? h('div', { class: 'usa-alert usa-alert--error usa-alert--slim', role: 'alert' }, h('div', { class: 'usa-alert__body' }, h('ul', { class: 'usa-list usa-alert__text' }, fields.map((f) => h('li', null, f))))) : undefined;
  return sendPage(reply, { ctx, title: t(`errors.title.${e.status}`, { defaultValue: t('errors.title.default') }), lead: message, children }, e.status);
}

/** One renderer for every error: an HTML page for browsers, JSON for the API. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const e = toAppError(err as FastifyError, request);
    if (e.code === 'unavailable') request.log.warn(`database unavailable: ${(err as Error).message}`);
    else if (e.status >= 500) request.log.error({ err }, 'request failed');
    return send(app, e, request, reply);
  });
  app.setNotFoundHandler((request, reply) => send(app, new AppError('not_found'), request, reply));
}
