import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import ipaddr from 'ipaddr.js';

/**
 * Where a webhook may be delivered. Public endpoints must use HTTPS and
 * resolve only to public unicast addresses; loopback, private, link-local
 * and other special ranges are refused unless an admin allowed private
 * networks for that endpoint (then plain HTTP is allowed too, for systems
 * inside a partner's own network). The address is checked when the endpoint
 * is registered and again on every connection (the resolved address is the
 * one connected to), so a name that later resolves elsewhere cannot reach in.
 */
export function isPublicAddress(address: string): boolean {
  try {
    const ip = ipaddr.process(address);
    return ip.range() === 'unicast';
  } catch {
    return false;
  }
}

export type UrlProblem = 'invalid' | 'https' | 'credentials' | 'private';

/** The URL's shape: absolute http(s), no user:password, HTTPS unless private networks are allowed. */
export function checkUrlShape(raw: string, allowPrivateNetwork: boolean): UrlProblem | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'invalid';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'invalid';
  if (url.username || url.password) return 'credentials';
  if (url.protocol === 'http:' && !allowPrivateNetwork) return 'https';
  return undefined;
}

/** Resolves the URL's host and checks every address it names (a literal address is checked as it is). */
export async function checkUrlAddress(raw: string, allowPrivateNetwork: boolean, resolve = lookupAll): Promise<UrlProblem | undefined> {
  const shape = checkUrlShape(raw, allowPrivateNetwork);
  if (shape) return shape;
  if (allowPrivateNetwork) return undefined;
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = ipaddr.isValid(host) ? [host] : await resolve(host);
  } catch {
    return 'invalid';
  }
  return addresses.length > 0 && addresses.every(isPublicAddress) ? undefined : 'private';
}

export function lookupAll(host: string): Promise<string[]> {
  return new Promise((resolve, reject) => dnsLookup(host, { all: true }, (err, addrs: LookupAddress[]) => (err ? reject(err) : resolve(addrs.map((a) => a.address)))));
}

/**
 * A `lookup` for http(s).request that refuses to connect to a non-public
 * address (unless allowed): the check and the connection use the same
 * answer, so DNS cannot change between them.
 */
export function guardedLookup(allowPrivateNetwork: boolean) {
  return (hostname: string, options: object, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addrs: LookupAddress[]) => {
      if (err) return callback(err, '', 4);
      const ok = allowPrivateNetwork ? addrs : addrs.filter((a) => isPublicAddress(a.address));
      if (ok.length === 0) return callback(Object.assign(new Error('the address is on a private network'), { code: 'EPRIVATE' }), '', 4);
      if ((options as { all?: boolean }).all) return callback(null, ok);
      callback(null, ok[0]!.address, ok[0]!.family);
    });
  };
}

/**
 * POSTs a body to a URL given by someone outside (a webhook endpoint, a
 * browser's push endpoint) through the guarded lookup, without following
 * redirects. Resolves to the answer's status code, or the error's code when
 * there was no answer.
 */
export function postGuarded(url: string, body: string | Buffer, headers: Record<string, string>, allowPrivateNetwork: boolean, timeoutMs = 10_000): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const u = new URL(url);
    if (u.protocol === 'http:' && !allowPrivateNetwork) return resolve({ error: 'EPROTO' });
    const lib = u.protocol === 'https:' ? https : http;
    const req = lib.request(u, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: guardedLookup(allowPrivateNetwork) as never, timeout: timeoutMs }, (res) => {
      // The answer's body is not needed: read a little of it away and close.
      let seen = 0;
      res.on('data', (c: Buffer) => {
        seen += c.length;
        if (seen > 64 * 1024) res.destroy();
      });
      const done = () => resolve({ status: res.statusCode ?? 0 });
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? 'error' }));
    req.end(body);
  });
}
