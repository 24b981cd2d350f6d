import type { Db } from '../platform/db/db.js';
import { localized, type Lang, type Localized, type Translations } from '../platform/i18n/content.js';

/**
 * Practice groups' names in both languages, for the many places that show a
 * group by the name a query returned with its row (a thread's breadcrumb,
 * search results, notifications, lists of stories, decisions, bookmarks).
 * Each process keeps the names (a few hundred short rows) for ten seconds,
 * like the community's own row: not cleared on every write (replies come
 * many a second), but at once in the process that renames a group
 * (`invalidate()`), and within the ten seconds everywhere else.
 */
export class GroupNameCache {
  private byName = new Map<string, { language: string; translations: Translations; name: string }>();
  private loadedAt = 0;
  private pending: Promise<void> | undefined;
  constructor(
    private readonly db: Db,
    private readonly ttlMs = 10_000,
  ) {}

  async load(): Promise<void> {
    if (Date.now() - this.loadedAt < this.ttlMs) return;
    this.pending ??= (async () => {
      const rows = await this.db.selectFrom('practice_groups').select(['name', 'language', 'translations']).execute();
      this.byName = new Map(rows.map((r) => [r.name, r]));
      this.loadedAt = Date.now();
    })().finally(() => (this.pending = undefined));
    await this.pending;
  }

  invalidate(): void {
    this.loadedAt = 0;
  }

  /** A group's name (as stored) for a reader of `locale`: its translation when there is one. */
  shown(name: string, locale: Lang): Localized {
    const row = this.byName.get(name);
    return row ? localized(row, 'name', locale) : { text: name, lang: locale, fallback: false };
  }
}
