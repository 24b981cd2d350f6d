import { sql } from 'kysely';
import type { Db } from '../platform/db/db.js';
import { Annotator } from './annotate.js';

/**
 * The published glossary as an automaton, rebuilt only when the glossary
 * changes (its version is the count and latest change of published terms,
 * checked at most every few seconds), and a bounded cache of annotated bodies
 * keyed by body identity and glossary version.
 */
export class GlossaryService {
  private annotator = new Annotator([]);
  private version = '';
  private checkedAt = 0;
  private pending: Promise<void> | undefined;
  private cache = new Map<string, string>();

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 5000,
    private readonly maxCached = 5000,
  ) {}

  /** The current automaton (reloading it if the glossary changed). */
  async current(): Promise<Annotator> {
    if (Date.now() - this.checkedAt > this.ttlMs) {
      this.pending ??= this.refresh().finally(() => (this.pending = undefined));
      await this.pending;
    }
    return this.annotator;
  }

  /** Forget the annotated bodies kept (the process is short of memory); the automaton stays. */
  dropAnnotated(): void {
    this.cache.clear();
  }

  /** Forget the version so the next use reloads (after a facilitator publishes). */
  invalidate(): void {
    this.checkedAt = 0;
  }

  private async refresh(): Promise<void> {
    const v = await sql<{ n: number; at: Date | null }>`SELECT count(*)::int AS n, max(updated_at) AS at FROM glossary_terms WHERE status = 'published'`.execute(this.db);
    const version = `${v.rows[0]!.n}:${v.rows[0]!.at?.getTime() ?? 0}`;
    this.checkedAt = Date.now();
    if (version === this.version) return;
    const rows = await this.db
      .selectFrom('glossary_terms')
      .select(['slug', 'term', 'acronym', 'term_es', 'acronym_es'])
      .where('status', '=', 'published')
      .orderBy('id')
      .execute();
    this.annotator = new Annotator(rows.map((r) => ({ slug: r.slug, term: r.term, acronym: r.acronym, alternates: [r.term_es, r.acronym_es ?? ''].filter((x) => x && x.toLowerCase() !== r.term.toLowerCase()) })));
    this.version = version;
    this.cache.clear();
  }

  /**
   * Annotates several bodies of one page (first occurrence of each term on the
   * page), caching each body's result per glossary version.
   */
  async annotatePage(bodies: { key: string; html: string }[]): Promise<string[]> {
    const a = await this.current();
    const seen = new Set<number>();
    return bodies.map((b) => {
      if (!b.html) return b.html;
      // The page-level "first occurrence" depends on what came before, so the cache key includes it.
      const key = `${this.version}|${b.key}|${[...seen].sort((x, y) => x - y).join(',')}`;
      const hit = this.cache.get(key);
      if (hit !== undefined) {
        // Replay which terms this body marked so later bodies skip them.
        for (const m of hit.matchAll(/data-term="([^"]+)"/g)) seen.add(a.indexOf(m[1]!));
        return hit;
      }
      const out = a.annotate(b.html, seen);
      if (this.cache.size >= this.maxCached) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, out);
      return out;
    });
  }

  /** Annotates one body without keeping the result (text that is not stored: a preview). */
  async annotateUncached(html: string): Promise<string> {
    return html ? (await this.current()).annotate(html, new Set<number>()) : html;
  }

  async annotate(html: string, key: string): Promise<string> {
    return (await this.annotatePage([{ key, html }]))[0]!;
  }
}
