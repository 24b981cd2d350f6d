/**
 * Whether a host name or address means this machine: `localhost`, an address
 * in 127.0.0.0/8, or `::1` (with or without the brackets a URL puts around it).
 * Used where being on the same machine changes a rule: plain http for a sign-in
 * provider, the mail relay trusted by default, the database pool's size.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
