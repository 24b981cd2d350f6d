import { randomBytes } from 'node:crypto';
import { Fragment, h, type VNode } from 'preact';
import { jsxTemplate } from 'preact/jsx-runtime';
import { render } from 'preact-render-to-string';
import type { PageContext } from './context.js';

/**
 * Kept markup: HTML rendered once and used again for every viewer whose view
 * of it is the same. The few per-request parts (the viewer's CSRF token, the
 * page's own address, its title) are rendered as slots and filled in for each
 * request. Slots are random per process, so no text a member wrote (a link's
 * address, say) can contain one and have a viewer's token written into it.
 */
const PROCESS_SLOT = randomBytes(16).toString('hex');

/** Stands for the viewer's CSRF token in kept markup. */
export const CSRF_SLOT = `convene-csrf-${PROCESS_SLOT}`;

/** A context whose forms carry the CSRF slot instead of a token, for rendering markup to keep. */
export function slottedContext(ctx: PageContext): PageContext {
  return { ...ctx, csrf: () => CSRF_SLOT };
}

/** The kept markup with the viewer's own CSRF token in place of the slot (asking for a token only when the markup holds a form). */
export function fillCsrf(html: string, ctx: PageContext): string {
  if (!html.includes(CSRF_SLOT)) return html;
  // Escaped once per request: a thread page fills its token into every post's forms, and
  // escaping it through the renderer each time was about 1 % of the signed-in thread page's
  // server time (what is left of fillCsrf is making the token itself).
  let token = escapedTokens.get(ctx);
  if (token === undefined) {
    token = escaped(ctx.csrf());
    escapedTokens.set(ctx, token);
  }
  return html.replaceAll(CSRF_SLOT, token);
}
const escapedTokens = new WeakMap<PageContext, string>();

/** Markup written into the page as it is (no wrapper element): HTML this process rendered and kept. */
export function rawHtml(html: string): VNode {
  return jsxTemplate([html]);
}

/**
 * A value a kept part depends on by identity rather than by content: rows
 * from a results-cache entry, which are read afresh exactly when they may
 * have changed. The key holds which object it is; the view receives the
 * object itself.
 */
export class Same<T extends object> {
  constructor(readonly value: T) {}
}
export const same = <T extends object>(value: T) => new Same(value);

/**
 * A value a kept part depends on, named by a key the caller gives: for values
 * rebuilt on each request that are fully determined by something shorter
 * (the groups a reader partition may see, named by the partition).
 */
export class Named<T> {
  constructor(
    readonly name: string,
    readonly value: T,
  ) {}
}
export const named = <T>(name: string, value: T) => new Named(name, value);

type Plain = string | number | boolean | null | undefined;
/** What a kept part may depend on: plain values (named in the key as they are), `same(rows)` and `named(key, value)`. */
export type KeptDeps = Record<string, Plain | Same<object> | Named<unknown> | readonly Plain[]>;
type Unwrapped<D extends KeptDeps> = { [K in keyof D]: D[K] extends Same<infer T> ? T : D[K] extends Named<infer U> ? U : D[K] };

/** Where kept parts are stored: it lives as long as the rows they were made from (a results-cache entry). */
export type KeptStore = Map<string, string>;

/** Parts of the page context that differ between viewers sharing kept markup: reading one while rendering a kept part is an error. */
const PER_VIEWER = ['actor', 'path', 'flash', 'nav', 'nonce', 'csrfUsed'] as const;

const keptContexts = new WeakMap<PageContext, PageContext>();

/**
 * The context a kept part renders with: the language, time zone, translations
 * and formatters (named in every key), forms carrying the CSRF slot, and
 * nothing about the viewer.
 */
function keptContext(ctx: PageContext): PageContext {
  let c = keptContexts.get(ctx);
  if (c) return c;
  c = slottedContext(ctx);
  for (const name of PER_VIEWER) {
    Object.defineProperty(c, name, {
      get() {
        throw new Error(`Kept markup read ctx.${name}, which is not part of its key: name what the part depends on in its deps`);
      },
    });
  }
  // One per request context: a page's twenty kept posts share it.
  keptContexts.set(ctx, c);
  return c;
}

export interface KeptPart<D extends KeptDeps> {
  readonly name: string;
  /** The part for this viewer: kept markup when a viewer with the same deps rendered it already, with this viewer's CSRF token and `fills` written in. */
  render(store: KeptStore | undefined, ctx: PageContext, deps: D, fills?: Record<string, string>): VNode;
  /** The same as a string (for markup joined by hand). */
  html(store: KeptStore | undefined, ctx: PageContext, deps: D, fills?: Record<string, string>): string;
}

/** The key naming everything the part shows: its name, the language and time zone, and each dep (by identity for `same` values). */
export function keptKey(name: string, ctx: Pick<PageContext, 'locale' | 'tz'>, deps: KeptDeps): string {
  const parts = [name, ctx.locale, ctx.tz];
  for (const k of Object.keys(deps).sort()) {
    const v = deps[k];
    // Numbers and booleans as they are; strings, lists and nulls as JSON (quoted, so no value can pass for another).
    const text = typeof v === 'number' || typeof v === 'boolean' ? String(v) : v instanceof Same ? `#${identityOf(v.value)}` : v instanceof Named ? `@${JSON.stringify(v.name)}` : JSON.stringify(v ?? null);
    parts.push(`${k}=${text}`);
  }
  return parts.join('|');
}

function unwrap<D extends KeptDeps>(deps: D): Unwrapped<D> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(deps)) out[k] = v instanceof Same || v instanceof Named ? v.value : v;
  return out as Unwrapped<D>;
}

/**
 * A part of a page kept between viewers. Declared once at module level with
 * the view that draws it; the view receives only its deps (and a context
 * without the viewer), so it cannot show anything its key does not name. Its
 * key is made from the deps, never joined by hand. Without a store (a form
 * showing a submission's errors, the page cache off) it is rendered for this
 * view alone, through the same view.
 */
export function keptPart<D extends KeptDeps>(name: string, view: (ctx: PageContext, deps: Unwrapped<D>) => VNode<any>, opts: { max?: number } = {}): KeptPart<D> {
  const max = opts.max ?? 200;
  const html = (store: KeptStore | undefined, ctx: PageContext, deps: D, fills?: Record<string, string>) => {
    const key = keptKey(name, ctx, deps);
    let out = store?.get(key);
    if (out === undefined) {
      out = render(view(keptContext(ctx), unwrap(deps)));
      if (store) {
        if (store.size >= max) store.clear();
        store.set(key, out);
      }
    }
    out = fillCsrf(out, ctx);
    if (fills) for (const [slotName, value] of Object.entries(fills)) out = out.replaceAll(slotName, escaped(value));
    return out;
  };
  return { name, html, render: (store, ctx, deps, fills) => rawHtml(html(store, ctx, deps, fills)) };
}

const identities = new WeakMap<object, number>();
let lastIdentity = 0;

/**
 * A number naming this very object (rows from a results-cache entry, say) for
 * as long as it lives: a key part that changes exactly when the rows are read
 * afresh, without spelling out everything in them.
 */
export function identityOf(o: object): number {
  let id = identities.get(o);
  if (id === undefined) identities.set(o, (id = ++lastIdentity));
  return id;
}

/** A slot name for other per-request values, unique to this process. */
export function slot(name: string): string {
  return `convene-${name}-${PROCESS_SLOT}`;
}

/**
 * Text escaped by the page renderer itself, for a slot in text or a quoted
 * attribute: filled markup is then byte for byte what rendering would give.
 */
export function escaped(s: string): string {
  return render(h(Fragment, null, s));
}

/**
 * Markup split at its slots once, so filling it is joining strings. `parts`
 * has one more entry than `slots`; `slots[i]` sits between `parts[i]` and
 * `parts[i + 1]`.
 */
export interface Template<S extends string> {
  parts: string[];
  slots: S[];
}

export function template<S extends string>(html: string, names: Record<S, string>): Template<S> {
  const bySlot = new Map<string, S>(Object.entries(names).map(([k, v]) => [v as string, k as S]));
  const pattern = new RegExp([...bySlot.keys()].join('|'), 'g');
  const parts: string[] = [];
  const slots: S[] = [];
  let last = 0;
  for (const m of html.matchAll(pattern)) {
    parts.push(html.slice(last, m.index));
    slots.push(bySlot.get(m[0])!);
    last = m.index! + m[0].length;
  }
  parts.push(html.slice(last));
  return { parts, slots };
}

/** Fills a template; `values` are already-escaped HTML. */
export function fill<S extends string>(t: Template<S>, values: Record<S, string>): string {
  let out = t.parts[0]!;
  for (let i = 0; i < t.slots.length; i++) out += values[t.slots[i]!] + t.parts[i + 1]!;
  return out;
}
