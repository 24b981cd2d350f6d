import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * No lone surrogates (an escaped "\ud800" in JSON is valid JSON but not text):
 * PostgreSQL would store a replacement character instead, silently.
 */
const wellFormed = (s: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

/** Decodes a request body as strict UTF-8 and refuses NUL characters. */
export function decodeBody(buf: Buffer): string {
  let text: string;
  try {
    text = decoder.decode(buf);
  } catch {
    throw new AppError('invalid_encoding');
  }
  if (text.includes('\u0000')) throw new AppError('invalid_encoding');
  return text;
}

function decodeComponent(s: string): string {
  try {
    const v = decodeURIComponent(s.replace(/\+/g, ' '));
    if (v.includes('\u0000')) throw new AppError('invalid_encoding');
    return v;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('invalid_encoding');
  }
}

/**
 * Parses application/x-www-form-urlencoded text. Unlike Node's querystring it
 * rejects malformed percent-escapes and invalid UTF-8 instead of silently
 * turning them into replacement characters. Repeated names become arrays.
 */
export function parseUrlEncoded(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  if (!text) return out;
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1));
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[key] = [prev, value];
  }
  return { ...out };
}

/** Checks the URL's query for the same problems before routing. */
export function checkQuery(url: string): void {
  const q = url.indexOf('?');
  if (q !== -1) parseUrlEncoded(url.slice(q + 1));
  else decodeComponent(url);
}

/** Replaces the default body parsers with strict ones for JSON and forms. */
export function registerParsers(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    let text: string;
    try {
      text = decodeBody(body as Buffer);
    } catch (err) {
      return done(err as Error, undefined);
    }
    if (text.trim() === '') return done(null, {});
    try {
      // Drop prototype-pollution keys as Fastify's own parser does, and refuse
      // NUL characters that arrive escaped (\u0000): PostgreSQL cannot store them.
      const parsed = JSON.parse(text, (k, v) => {
        if (typeof v === 'string' && (v.includes('\u0000') || !wellFormed(v))) throw new AppError('invalid_encoding');
        if (!wellFormed(k)) throw new AppError('invalid_encoding');
        return k === '__proto__' || k === 'constructor' ? undefined : v;
      });
      done(null, parsed);
    } catch (err) {
      done(err instanceof AppError ? err : new AppError('bad_request', { message: 'invalid JSON' }), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, parseUrlEncoded(decodeBody(body as Buffer)));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
