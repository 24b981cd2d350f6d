import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../platform/config.js';

/**
 * The addresses Convene receives mail at, all at `config.inboundDomain`:
 *
 * - `reply+<post>-<person>-<key>@…`: the Reply-To of every email about a post.
 *   The key is a keyed hash of the person and the post, so it is bound to both
 *   (never account-wide) and needs no table; it cannot be guessed or moved to
 *   another post or person.
 * - `<group slug>@…`: a practice group's posting address (a new thread).
 *
 * Local parts are compared in lower case: some mail servers change case.
 */

/** Mail in is on (addresses are offered in outgoing mail) when a domain is configured. */
export const mailInEnabled = (config: Config): config is Config & { inboundDomain: string } => !!config.inboundDomain;

const replyKey = (secret: string, userId: number, postId: number) => createHmac('sha256', secret).update(`reply:${userId}:${postId}`).digest('hex').slice(0, 32);

/** The Reply-To address for `userId`'s email about `postId`. */
export function replyAddress(config: Config & { inboundDomain: string }, userId: number, postId: number): string {
  return `reply+${postId}-${userId}-${replyKey(config.sessionSecret, userId, postId)}@${config.inboundDomain}`;
}

/** A group's posting address. */
export const groupAddress = (config: Config & { inboundDomain: string }, slug: string) => `${slug}@${config.inboundDomain}`;

export type Recipient =
  | { kind: 'reply'; postId: number; userId: number; valid: boolean }
  | { kind: 'group'; slug: string };

/** What an address at our domain names, or undefined for another domain or a shape we never hand out. */
export function parseRecipient(config: Config, address: string): Recipient | undefined {
  if (!config.inboundDomain) return undefined;
  const at = address.lastIndexOf('@');
  if (at < 1) return undefined;
  const local = address.slice(0, at).toLowerCase();
  const domain = address.slice(at + 1).toLowerCase().replace(/\.$/, '');
  if (domain !== config.inboundDomain) return undefined;
  const reply = /^reply\+(\d{1,15})-(\d{1,15})-([0-9a-f]{32})$/.exec(local);
  if (reply) {
    const postId = Number(reply[1]);
    const userId = Number(reply[2]);
    const expected = Buffer.from(replyKey(config.sessionSecret, userId, postId));
    return { kind: 'reply', postId, userId, valid: timingSafeEqual(expected, Buffer.from(reply[3]!)) };
  }
  if (/^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$/.test(local)) return { kind: 'group', slug: local };
  return undefined;
}
