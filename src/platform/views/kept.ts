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
  return html.includes(CSRF_SLOT) ? html.replaceAll(CSRF_SLOT, escaped(ctx.csrf())) : html;
}

/** Markup written into the page as it is (no wrapper element): HTML this process rendered and kept. */
export function rawHtml(html: string): VNode {
  return jsxTemplate([html]);
}

/**
 * A part of a page kept in `store` under `key`, which must name everything the
 * markup depends on besides the CSRF token: rendered with the slot on the
 * first view, then filled with each viewer's own token. The store lives as
 * long as the rows the markup was made from (a results-cache entry).
 * `fills` names other per-request values: each `slot()` name the view wrote
 * in place of one, and the text that goes there (escaped here).
 */
export function keep(store: Map<string, string>, key: string, ctx: PageContext, view: (ctx: PageContext) => VNode<any>, max = 200, fills?: Record<string, string>): VNode {
  let html = store.get(key);
  if (html === undefined) {
    html = render(view(slottedContext(ctx)));
    if (store.size >= max) store.clear();
    store.set(key, html);
  }
  let out = fillCsrf(html, ctx);
  if (fills) for (const [name, value] of Object.entries(fills)) out = out.replaceAll(name, escaped(value));
  return rawHtml(out);
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
