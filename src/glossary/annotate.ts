import { escapeHtml } from '../platform/text.js';

/**
 * Marks up glossary terms in rendered, sanitized HTML: the first occurrence of
 * each published term or acronym becomes a link to its glossary entry (which
 * the page's script turns into a disclosure). All patterns are matched in one
 * pass over the text with an Aho-Corasick automaton built once per glossary
 * version. Text inside links, code, preformatted blocks, headings and existing
 * abbreviations is left alone; acronyms match only in their exact case, terms
 * in any case; matches must sit on word boundaries.
 */

export interface GlossaryEntry {
  slug: string;
  term: string;
  acronym: string | null;
  /** Other spellings to find (the Spanish term, its acronym). */
  alternates?: string[];
}

interface Pattern {
  text: string;
  /** Acronyms must match exactly; terms match in any case. */
  exact: boolean;
  entry: number;
}

/** A state of the automaton. Transitions are on UTF-16 code units (a pattern's code units match exactly where its characters do). */
interface Node {
  next: Map<number, number>;
  fail: number;
  out: number[];
}

const WORD = /[\p{L}\p{N}]/u;
/** A letter or digit ends just before `i` (a whole character: one outside the basic plane is two code units). */
function wordBefore(text: string, i: number): boolean {
  if (i <= 0) return false;
  const low = text.charCodeAt(i - 1);
  const ch = low >= 0xdc00 && low <= 0xdfff && i >= 2 ? text.slice(i - 2, i) : text[i - 1]!;
  return WORD.test(ch);
}

/** A letter or digit starts at `i`. */
function wordAt(text: string, i: number): boolean {
  if (i >= text.length) return false;
  return WORD.test(String.fromCodePoint(text.codePointAt(i)!));
}

const SKIP = new Set(['a', 'code', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'abbr', 'dfn', 'script', 'style', 'textarea', 'button']);


/**
 * The automaton as a table, when it is small enough (cells of `delta`): one
 * array read per code unit of text and no failure links to follow. Text is
 * mostly characters no pattern contains, which go straight back to the root.
 */
const MAX_TABLE_CELLS = 4_000_000;

interface Table {
  /** Code unit → its column (0: in no pattern). */
  column: Uint16Array;
  /** Columns per state. */
  width: number;
  /** state × width + column → next state. */
  delta: Int32Array;
}

export class Annotator {
  private nodes: Node[] = [{ next: new Map(), fail: 0, out: [] }];
  private patterns: Pattern[] = [];
  private bySlug = new Map<string, number>();
  private table: Table | undefined;

  /** `maxTableCells`: the largest table to build (0: none, the map lookups only; tests compare the two). */
  constructor(
    readonly entries: GlossaryEntry[],
    private readonly maxTableCells = MAX_TABLE_CELLS,
  ) {
    entries.forEach((e, i) => this.bySlug.set(e.slug, i));
    entries.forEach((e, i) => {
      if (e.acronym) this.add({ text: e.acronym, exact: true, entry: i });
      this.add({ text: e.term, exact: false, entry: i });
      for (const alt of e.alternates ?? []) if (alt) this.add({ text: alt, exact: /^[A-Z0-9&/-]{2,}$/.test(alt), entry: i });
    });
    this.build();
    this.table = this.tabulate();
  }

  /** The index of an entry by slug (-1 when unknown). */
  indexOf(slug: string): number {
    return this.bySlug.get(slug) ?? -1;
  }

  get size(): number {
    return this.entries.length;
  }

  private add(p: Pattern) {
    const text = p.text.trim();
    if (text.length < 2) return;
    const id = this.patterns.push({ ...p, text }) - 1;
    let n = 0;
    const lower = text.toLowerCase();
    for (let k = 0; k < lower.length; k++) {
      const c = lower.charCodeAt(k);
      let next = this.nodes[n]!.next.get(c);
      if (next === undefined) {
        next = this.nodes.push({ next: new Map(), fail: 0, out: [] }) - 1;
        this.nodes[n]!.next.set(c, next);
      }
      n = next;
    }
    this.nodes[n]!.out.push(id);
  }

  private build() {
    const queue: number[] = [];
    for (const child of this.nodes[0]!.next.values()) queue.push(child);
    while (queue.length) {
      const n = queue.shift()!;
      for (const [ch, child] of this.nodes[n]!.next) {
        let f = this.nodes[n]!.fail;
        while (f !== 0 && !this.nodes[f]!.next.has(ch)) f = this.nodes[f]!.fail;
        const target = this.nodes[f]!.next.get(ch);
        this.nodes[child]!.fail = target !== undefined && target !== child ? target : 0;
        this.nodes[child]!.out.push(...this.nodes[this.nodes[child]!.fail]!.out);
        queue.push(child);
      }
    }
  }

  /** The goto and failure functions folded into one table (states in breadth-first order, so a state's failure is filled before it). */
  private tabulate(): Table | undefined {
    const units: number[] = [];
    const column = new Uint16Array(65536);
    for (const n of this.nodes)
      for (const c of n.next.keys())
        if (column[c] === 0) {
          units.push(c);
          column[c] = units.length;
        }
    const width = units.length + 1;
    if (this.nodes.length * width > this.maxTableCells || width > 65535) return undefined;
    const delta = new Int32Array(this.nodes.length * width);
    const queue = [0];
    for (let q = 0; q < queue.length; q++) {
      const n = queue[q]!;
      const node = this.nodes[n]!;
      const row = n * width;
      const failRow = node.fail * width;
      for (let col = 1; col < width; col++) {
        const child = node.next.get(units[col - 1]!);
        delta[row + col] = child ?? (n === 0 ? 0 : delta[failRow + col]!);
      }
      for (const child of node.next.values()) queue.push(child);
    }
    return { column, width, delta };
  }

  /** The state after `n` reads code unit `c`. */
  private step(n: number, c: number): number {
    const nodes = this.nodes;
    let next = nodes[n]!.next.get(c);
    while (next === undefined && n !== 0) {
      n = nodes[n]!.fail;
      next = nodes[n]!.next.get(c);
    }
    return next ?? 0;
  }

  /** Every acceptable match in a piece of text: [start, end) in UTF-16 units, and the entry. */
  private matches(text: string): { start: number; end: number; entry: number }[] {
    const lower = text.toLowerCase();
    // Lower-casing can change lengths for a few characters; then fall back to matching as-is.
    const hay = lower.length === text.length ? lower : text;
    const found: { start: number; end: number; entry: number }[] = [];
    const nodes = this.nodes;
    const table = this.table;
    let n = 0;
    // Code unit by code unit (no string per character): one table read per step, or one map lookup when there is no table.
    for (let k = 0; k < hay.length; k++) {
      const c = hay.charCodeAt(k);
      n = table ? table.delta[n * table.width + table.column[c]!]! : this.step(n, c);
      const out = nodes[n]!.out;
      if (out.length === 0) continue;
      const i = k + 1;
      for (const pid of out) {
        const p = this.patterns[pid]!;
        const start = i - p.text.length;
        if (start < 0) continue;
        if (p.exact && text.slice(start, i) !== p.text) continue;
        if (wordBefore(text, start) || wordAt(text, i)) continue;
        found.push({ start, end: i, entry: p.entry });
      }
    }
    // Leftmost, then longest; no overlaps.
    found.sort((a, b) => a.start - b.start || b.end - a.end);
    const chosen: typeof found = [];
    let until = 0;
    for (const m of found) {
      if (m.start < until) continue;
      chosen.push(m);
      until = m.end;
    }
    return chosen;
  }

  private markup(entry: GlossaryEntry, shown: string): string {
    const href = `/glossary/${encodeURIComponent(entry.slug)}`;
    const inner = entry.acronym && shown === entry.acronym ? `<abbr title="${escapeHtml(entry.term)}">${shown}</abbr>` : shown;
    return `<a class="convene-term" href="${href}" data-term="${escapeHtml(entry.slug)}">${inner}</a>`;
  }

  /**
   * Annotates HTML produced by our renderer and sanitizer. `seen` carries the
   * terms already marked on the page, so a term is marked once per page even
   * across several bodies.
   */
  annotate(html: string, seen: Set<number> = new Set()): string {
    if (this.patterns.length === 0 || !html) return html;
    const parts = html.split(/(<[^>]*>)/);
    const skipStack: string[] = [];
    let out = '';
    for (const part of parts) {
      if (part.startsWith('<')) {
        const m = /^<\s*(\/)?\s*([a-zA-Z0-9]+)/.exec(part);
        if (m) {
          const tag = m[2]!.toLowerCase();
          if (SKIP.has(tag)) {
            if (m[1]) {
              const at = skipStack.lastIndexOf(tag);
              if (at !== -1) skipStack.splice(at, 1);
            } else if (!part.endsWith('/>')) skipStack.push(tag);
          }
        }
        out += part;
        continue;
      }
      if (skipStack.length || !part.trim()) {
        out += part;
        continue;
      }
      let last = 0;
      for (const m of this.matches(part)) {
        if (seen.has(m.entry)) continue;
        seen.add(m.entry);
        out += part.slice(last, m.start) + this.markup(this.entries[m.entry]!, part.slice(m.start, m.end));
        last = m.end;
      }
      out += part.slice(last);
    }
    return out;
  }

  /** Terms and acronyms found in plain text (for the jargon check), each once. */
  find(text: string): GlossaryEntry[] {
    const ids = new Set(this.matches(text).map((m) => m.entry));
    return [...ids].map((i) => this.entries[i]!);
  }
}

/** Acronyms in text that the glossary does not know: 2–8 capitals (with digits), not at a sentence's shouting. */
export function unknownAcronyms(text: string, known: Annotator): string[] {
  const found = new Set<string>();
  const knownSet = new Set(known.find(text).flatMap((e) => [e.acronym, ...(e.alternates ?? [])]).filter(Boolean) as string[]);
  for (const m of text.matchAll(/(?<![\p{L}\p{N}])([A-Z][A-Z0-9]{1,7}s?)(?![\p{L}\p{N}])/gu)) {
    const a = m[1]!.replace(/s$/, '');
    if (a.length < 2 || knownSet.has(a) || COMMON.has(a)) continue;
    found.add(a);
  }
  return [...found].slice(0, 20);
}

/** Capitalised words that are not jargon. */
const COMMON = new Set(['I', 'OK', 'US', 'USA', 'AM', 'PM', 'TV', 'ID', 'FAQ', 'PDF', 'URL', 'NO', 'YES', 'A', 'AN', 'THE', 'AND', 'OR', 'EN', 'ES']);
