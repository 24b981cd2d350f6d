import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { isLoopbackHost } from './loopback.js';

/** Everything Convene reads from its environment, resolved once at start-up. */
export interface Config {
  port: number;
  host: string;
  /** Set when an external PostgreSQL is used; unset means the embedded server. */
  databaseUrl: string | undefined;
  /**
   * A streaming replica (DATABASE_REPLICA_URL) for the heavy read-only pages:
   * search, the library's lists and facets, the reach dashboard and
   * engagement analytics. Unset: they read the primary.
   */
  replicaUrl: string | undefined;
  /** Connections each process keeps to the database (DATABASE_POOL_SIZE; default: see `defaultPoolSize`). */
  databasePoolSize: number;
  dataDir: string;
  baseUrl: string;
  /** True when BASE_URL is https: cookies get `Secure` and the `__Host-` prefix. */
  secure: boolean;
  sessionSecret: string;
  smtpUrl: string | undefined;
  logLevel: string;
  seed: 'demo' | 'none';
  /** production|development|test; production turns off pretty errors. */
  env: string;
  /** Roles that must sign in with a second factor (CONVENE_2FA_ROLES, default "facilitator,admin"). */
  twoFactorRoles: string[];
  /** Seconds signed-out visitors' pages are cached (CONVENE_PAGE_CACHE_SECONDS, default 10; 0 turns it off). */
  pageCacheSeconds: number;
  /** Megabytes of signed-out pages kept at most, oldest dropped first (CONVENE_PAGE_CACHE_MB, default 32). */
  pageCacheMb: number;
  /** Seconds a process keeps who is behind a session (CONVENE_SESSION_CACHE_SECONDS, default 30; 0 turns it off): see session-cache.ts. */
  sessionCacheSeconds: number;
  /**
   * The load balancers or reverse proxies in front (CONVENE_TRUST_PROXY):
   * addresses, CIDR ranges, or `loopback`, `linklocal`, `uniquelocal`. A
   * request from one of them is taken to come from the address it names in
   * X-Forwarded-For, so per-address limits and counts see each visitor rather
   * than the balancer. Empty: no proxy is trusted and the header is ignored.
   */
  trustProxy: string[];
  /**
   * Mail in (INBOUND_SMTP=host:port): the SMTP or LMTP listener a mail server
   * hands messages to. Unset: Convene receives no mail.
   */
  inboundSmtp?: { host: string; port: number; lmtp: boolean };
  /**
   * The domain of reply and group posting addresses (INBOUND_MAIL_DOMAIN;
   * BASE_URL's host when only INBOUND_SMTP is set). Set: notifications carry a
   * Reply-To address and group mail a List-Post address. A worker process that
   * sends mail but does not listen sets this alone.
   */
  inboundDomain?: string;
  /** The largest message accepted, in bytes (INBOUND_MAX_MB, default 25). */
  inboundMaxBytes?: number;
  /**
   * Mail servers in front whose Received line names the real sender's address
   * (INBOUND_RELAYS: addresses or `loopback`; default `loopback`; `none`).
   * SPF is checked against that address instead of the relay's own.
   */
  inboundRelays?: string[];
  /**
   * Let push subscriptions name endpoints on private networks and plain HTTP
   * (CONVENE_PUSH_ALLOW_PRIVATE=1): only for a local test push service. Off,
   * a device's endpoint must be a public HTTPS address, checked again when sent.
   */
  pushAllowPrivate?: boolean;
}

export class ConfigError extends Error {}

function readPort(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError(`PORT must be a whole number between 0 and 65535, not "${raw}"`);
  }
  return n;
}

/**
 * The session secret signs cookies. When none is configured we generate one on
 * first start and keep it in the data dir, so sessions survive restarts.
 */
function loadSessionSecret(dataDir: string, fromEnv: string | undefined): string {
  if (fromEnv) {
    if (fromEnv.length < 32) throw new ConfigError('SESSION_SECRET must be at least 32 characters long');
    return fromEnv;
  }
  const file = path.join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

function readWhole(name: string, raw: string | undefined, fallback: number, max: number, min = 0): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  return n;
}

/**
 * Whether PostgreSQL runs on this machine: the embedded server, or a URL
 * naming a loopback address or a Unix socket (no host, or a socket path).
 */
export function databaseIsLocal(databaseUrl: string | undefined): boolean {
  if (!databaseUrl) return true;
  let url: URL;
  let host: string;
  try {
    url = new URL(databaseUrl);
    host = decodeURIComponent(url.hostname);
  } catch {
    return false;
  }
  const socket = url.searchParams.get('host');
  if (host === '' || host.startsWith('/')) return !socket || socket.startsWith('/') || isLoopbackHost(socket);
  return isLoopbackHost(host);
}

/**
 * The pool's size when DATABASE_POOL_SIZE is not set. When PostgreSQL shares
 * this machine's cores, three connections per core (at least 4, at most 20):
 * more backends than that only take turns on the same cores, and each turn
 * costs (measured on the 2-core bench machine at scale 1: the home's lists
 * statement, 50 callers for 1,000 members, cost PostgreSQL 2.5 ms of CPU each
 * through 20 connections and 1.6 ms through 4; the realistic home and Unread
 * pages gave 367 and 522 req/s with 20, 407 and 604 with 6; search kept its
 * rate, though a signed-out search's p95 rose, its cache misses queueing
 * behind each other: bench/README.md, session 25). A database elsewhere has
 * cores of its own and a network between: 20, as before.
 */
export function defaultPoolSize(databaseUrl: string | undefined, cores = availableParallelism()): number {
  return databaseIsLocal(databaseUrl) ? Math.min(20, Math.max(4, 3 * cores)) : 20;
}

function readRoles(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return ['facilitator', 'admin'];
  if (raw.trim() === 'none') return [];
  const roles = raw.split(',').map((r) => r.trim()).filter(Boolean);
  for (const r of roles) if (!['member', 'facilitator', 'admin'].includes(r)) throw new ConfigError(`CONVENE_2FA_ROLES lists an unknown role: "${r}"`);
  return roles;
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** CONVENE_TRUST_PROXY: a comma-separated list of addresses, CIDR ranges or proxy-addr's names, each checked. */
function readTrustProxy(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  const items = raw.split(',').map((x) => x.trim()).filter(Boolean);
  for (const item of items) {
    if (PROXY_NAMES.includes(item)) continue;
    const [addr = '', bits, extra] = item.split('/');
    const family = isIP(addr);
    const max = family === 4 ? 32 : 128;
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
    if (!family || extra !== undefined || !bitsOk) {
      throw new ConfigError(`CONVENE_TRUST_PROXY must list addresses or CIDR ranges of your load balancers (or ${PROXY_NAMES.join(', ')}), not "${item}"`);
    }
  }
  return items;
}

/** INBOUND_SMTP: host:port ([v6]:port for an IPv6 address). */
function readInbound(raw: string | undefined, protocol: string | undefined): Config['inboundSmtp'] {
  if (raw === undefined || raw.trim() === '') return undefined;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(raw.trim());
  if (!m) throw new ConfigError(`INBOUND_SMTP must be host:port, for example 127.0.0.1:2525, not "${raw}"`);
  const proto = (protocol || 'smtp').toLowerCase();
  if (proto !== 'smtp' && proto !== 'lmtp') throw new ConfigError(`INBOUND_PROTOCOL must be "smtp" or "lmtp", not "${protocol}"`);
  const port = Number(m[3]);
  if (port > 65535) throw new ConfigError(`INBOUND_SMTP's port must be from 0 to 65535, not "${m[3]}"`);
  return { host: m[1] ?? m[2]!, port, lmtp: proto === 'lmtp' };
}

function readDomain(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const d = raw.trim().toLowerCase();
  if (!/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(d)) throw new ConfigError(`INBOUND_MAIL_DOMAIN must be a domain name, not "${raw}"`);
  return d;
}

function readRelays(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return ['loopback'];
  if (raw.trim() === 'none') return [];
  const items = raw.split(',').map((x) => x.trim()).filter(Boolean);
  for (const item of items) if (item !== 'loopback' && !isIP(item)) throw new ConfigError(`INBOUND_RELAYS must list addresses of your mail servers (or loopback, or none), not "${item}"`);
  return items;
}

function inbound(env: NodeJS.ProcessEnv, base: URL): Pick<Config, 'inboundSmtp' | 'inboundDomain' | 'inboundMaxBytes' | 'inboundRelays'> {
  const smtp = readInbound(env.INBOUND_SMTP, env.INBOUND_PROTOCOL);
  const domain = readDomain(env.INBOUND_MAIL_DOMAIN) ?? (smtp ? readDomain(base.hostname.replace(/^\[|\]$/g, '').replace(/^127\.0\.0\.1$|^::1$/, 'localhost')) : undefined);
  return {
    inboundSmtp: smtp,
    inboundDomain: domain,
    inboundMaxBytes: readWhole('INBOUND_MAX_MB', env.INBOUND_MAX_MB, 25, 100, 1) * 1024 * 1024,
    inboundRelays: readRelays(env.INBOUND_RELAYS),
  };
}

/** Reads the configuration from an environment (process.env by default). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.CONVENE_DATA_DIR || 'data');
  const port = readPort(env.PORT, 3000);
  const host = env.HOST || '127.0.0.1';
  const baseUrl = (env.BASE_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '');
  let parsedBase: URL;
  try {
    parsedBase = new URL(baseUrl);
  } catch {
    throw new ConfigError(`BASE_URL is not a valid URL: "${baseUrl}"`);
  }
  const seed = (env.CONVENE_SEED || 'demo').toLowerCase();
  if (seed !== 'demo' && seed !== 'none') throw new ConfigError(`CONVENE_SEED must be "demo" or "none", not "${seed}"`);
  for (const name of ['DATABASE_URL', 'DATABASE_REPLICA_URL'] as const) {
    if (!env[name]) continue;
    try {
      new URL(env[name]!);
    } catch {
      throw new ConfigError(`${name} is not a valid postgres:// URL`);
    }
  }
  if (env.DATABASE_REPLICA_URL && !env.DATABASE_URL) throw new ConfigError('DATABASE_REPLICA_URL needs DATABASE_URL (the embedded database has no replica)');
  return {
    port,
    host,
    databaseUrl: env.DATABASE_URL || undefined,
    replicaUrl: env.DATABASE_REPLICA_URL || undefined,
    databasePoolSize: readWhole('DATABASE_POOL_SIZE', env.DATABASE_POOL_SIZE, defaultPoolSize(env.DATABASE_URL || undefined), 500, 1),
    dataDir,
    baseUrl,
    secure: parsedBase.protocol === 'https:',
    sessionSecret: loadSessionSecret(dataDir, env.SESSION_SECRET),
    smtpUrl: env.SMTP_URL || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    seed,
    env: env.NODE_ENV || 'development',
    twoFactorRoles: readRoles(env.CONVENE_2FA_ROLES),
    pageCacheSeconds: readWhole('CONVENE_PAGE_CACHE_SECONDS', env.CONVENE_PAGE_CACHE_SECONDS, 10, 3600),
    pageCacheMb: readWhole('CONVENE_PAGE_CACHE_MB', env.CONVENE_PAGE_CACHE_MB, 32, 4096, 1),
    sessionCacheSeconds: readWhole('CONVENE_SESSION_CACHE_SECONDS', env.CONVENE_SESSION_CACHE_SECONDS, 30, 300),
    trustProxy: readTrustProxy(env.CONVENE_TRUST_PROXY),
    ...inbound(env, parsedBase),
    pushAllowPrivate: env.CONVENE_PUSH_ALLOW_PRIVATE === '1',
  };
}
