import { secureRandom } from '../auth/secrets.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The security headers of every response (helmet's), with a fresh CSP nonce
 * for scripts and one for styles per request (`reply.cspNonce`).
 *
 * Helmet builds the headers; it is asked once, when the app starts, with
 * placeholders where the nonces go, and each request then sends those headers
 * with its own nonces put in. `@fastify/helmet` asks helmet afresh on every
 * request instead (parsing, checking and formatting every directive again):
 * measured on the realistic signed-in thread pages, that was about a tenth of
 * the server's time (bench/README.md, session 23).
 */
export interface SecurityHeaderOptions {
  /** Served over HTTPS: HSTS and upgrade-insecure-requests. */
  secure: boolean;
}

declare module 'fastify' {
  interface FastifyReply {
    cspNonce: { script: string; style: string };
  }
}

const SCRIPT_NONCE = 'convene-script-nonce-placeholder';
const STYLE_NONCE = 'convene-style-nonce-placeholder';

/** What helmet sends for these options (header name → value), found by running it once on a stand-in response. */
export function helmetHeaders(options: HelmetOptions): Map<string, string> {
  const headers = new Map<string, string>();
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name, String(value));
      return res;
    },
    removeHeader(name: string) {
      headers.delete(name);
    },
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    failure = err;
  });
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  return headers;
}

export function securityHeaderOptions({ secure }: SecurityHeaderOptions): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", `'nonce-${SCRIPT_NONCE}'`],
        styleSrc: ["'self'", `'nonce-${STYLE_NONCE}'`],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        ...(secure ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: secure ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginEmbedderPolicy: false,
  };
}

export function installSecurityHeaders(app: FastifyInstance, opts: SecurityHeaderOptions): void {
  const headers = helmetHeaders(securityHeaderOptions(opts));
  const csp = headers.get('Content-Security-Policy');
  if (!csp || !csp.includes(SCRIPT_NONCE) || !csp.includes(STYLE_NONCE)) throw new Error('the Content-Security-Policy has no place for its nonces');
  headers.delete('Content-Security-Policy');
  const fixed = [...headers];
  // The policy split where the nonces go: [before script nonce, between, after style nonce] (script-src comes first).
  const [beforeScript, rest] = csp.split(SCRIPT_NONCE) as [string, string];
  const [between, afterStyle] = (rest ?? '').split(STYLE_NONCE) as [string, string | undefined];
  if (afterStyle === undefined) throw new Error('the Content-Security-Policy names its script nonce after its style nonce');

  app.decorateReply('cspNonce', null as never);
  app.addHook('onRequest', (_request, reply, done) => {
    const hex = secureRandom(32).toString('hex');
    const nonce = { script: hex.slice(0, 32), style: hex.slice(32) };
    reply.cspNonce = nonce;
    const raw = reply.raw;
    for (const [name, value] of fixed) raw.setHeader(name, value);
    raw.setHeader('Content-Security-Policy', beforeScript + nonce.script + between + nonce.style + afterStyle);
    done();
  });
}
