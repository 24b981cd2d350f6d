import { GroupName } from '../platform/views/bilingual.js';
import type { PageContext } from '../platform/views/context.js';
import { keptPart, named, same, type KeptStore, type Named, type Same } from '../platform/views/kept.js';
import type { SearchHit } from './queries.js';
import { PERSPECTIVES } from '../community/vocab.js';
import { Pager } from '../platform/views/pager.js';

const KeptSearchForm = keptPart<{ q: string; group: string; perspective: string; groups: Named<{ slug: string; name: string }[]> }>('search-form', (ctx, d) => (
  <SearchForm ctx={ctx} q={d.q} group={d.group} perspective={d.perspective} groups={d.groups} />
), { max: 8 });

const KeptSearchResults = keptPart<{ q: string; group: string; perspective: string; hits: Same<SearchHit[]>; more: boolean; page: number }>('search-hits', (ctx, d) => (
  <SearchResults ctx={ctx} q={d.q} group={d.group} perspective={d.perspective} hits={d.hits} more={d.more} page={d.page} />
), { max: 8 });

/** Highlighted snippet: the text is escaped by JSX; only our sentinel marks become <mark>. */
function Snippet({ text }: { text: string }) {
  const parts = text.split(/(⟦[^⟧]*⟧)/);
  return (
    <>
      {parts.map((p) => (p.startsWith('⟦') && p.endsWith('⟧') ? <mark>{p.slice(1, -1)}</mark> : p))}
    </>
  );
}

export function SearchView({
  ctx,
  q,
  group,
  perspective,
  groups,
  resources,
  terms,
  hits,
  more,
  page,
  error,
  kept,
}: {
  ctx: PageContext;
  q: string;
  group: string;
  perspective: string;
  /** The groups the form offers: the viewer's own, and the one searched in (any other is searched from its page). */
  groups: { slug: string; name: string }[];
  resources?: { slug: string; title: string; summary: string; kind: string; language: string }[];
  terms?: { slug: string; term: string; acronym: string | null; plain_definition: string }[];
  hits: SearchHit[];
  more: boolean;
  page: number;
  error?: string;
  /** Where the page's two large parts (the form and the results) are kept with the answer. */
  kept?: KeptStore;
}) {
  const { t } = ctx;
  return (
    <>
      {KeptSearchForm.render(kept, ctx, { q, group, perspective, groups: named(`search-groups:${groups.map((g) => g.slug).join(',')}`, groups) })}
      {error && (
        <div class="usa-alert usa-alert--error usa-alert--slim margin-top-2" role="alert">
          <div class="usa-alert__body">
            <p class="usa-alert__text">{error}</p>
          </div>
        </div>
      )}
      {q && !error && terms && terms.length > 0 && (
        <section aria-labelledby="term-results" class="margin-top-4">
          <h2 id="term-results">{t('glossary.search_section')}</h2>
          <dl class="convene-glossary">
            {terms.map((g) => (
              <>
                <dt>
                  <a class="usa-link" href={`/glossary/${g.slug}`}>
                    {g.acronym ? `${g.acronym} — ${g.term}` : g.term}
                  </a>
                </dt>
                <dd>{g.plain_definition}</dd>
              </>
            ))}
          </dl>
        </section>
      )}
      {q && !error && resources && resources.length > 0 && (
        <section aria-labelledby="resource-results" class="margin-top-4">
          <h2 id="resource-results">{t('search.in_library')}</h2>
          <ul class="usa-list usa-list--unstyled">
            {resources.map((r) => (
              <li class="margin-bottom-2">
                <a class="usa-link text-bold" href={`/resources/${r.slug}`} lang={r.language !== ctx.locale ? r.language : undefined}>
                  {r.title}
                </a>{' '}
                <span class="text-base-dark">({t(`resources.kind.${r.kind}`)})</span>
                <div>{r.summary}</div>
              </li>
            ))}
          </ul>
          <a class="usa-link" href={`/resources?q=${encodeURIComponent(q)}`}>
            {t('search.more_in_library')}
          </a>
        </section>
      )}
      {q && !error && KeptSearchResults.render(kept, ctx, { q, group, perspective, hits: same(hits), more, page })}
    </>
  );
}

function SearchForm({ ctx, q, group, perspective, groups }: { ctx: PageContext; q: string; group: string; perspective: string; groups: { slug: string; name: string }[] }) {
  const { t } = ctx;
  return (
    <form method="get" action="/search" class="usa-form usa-form--large" role="search" aria-label={t('search.title')}>
      <label class="usa-label" for="search-q">
        {t('search.query')}
      </label>
      <div class="usa-hint" id="search-q-hint">
        {t('search.syntax_hint')}
      </div>
      <input class="usa-input" id="search-q" name="q" type="search" value={q} aria-describedby="search-q-hint" maxLength={200} />
      <label class="usa-label" for="search-group">
        {t('search.in_group')}
      </label>
      <div class="usa-hint" id="search-group-hint">
        {t('search.other_groups_hint')}
      </div>
      <select class="usa-select" id="search-group" name="group" aria-describedby="search-group-hint">
        <option value="">{t('search.everywhere')}</option>
        {groups.map((g) => (
          <option value={g.slug} selected={g.slug === group}>
            {g.name}
          </option>
        ))}
      </select>
      <label class="usa-label" for="search-perspective">
        {t('discussions.perspective_filter')}
      </label>
      <select class="usa-select" id="search-perspective" name="perspective">
        <option value="">{t('search.everyone')}</option>
        {PERSPECTIVES.map((p) => (
          <option value={p} selected={p === perspective}>
            {t(`perspective.${p}`)}
          </option>
        ))}
      </select>
      <button class="usa-button margin-top-2" type="submit">
        {t('common.search')}
      </button>
    </form>
  );
}

function SearchResults({ ctx, q, group, perspective, hits, more, page }: { ctx: PageContext; q: string; group: string; perspective: string; hits: SearchHit[]; more: boolean; page: number }) {
  const { t, fmt } = ctx;
  const base = `/search?q=${encodeURIComponent(q)}${group ? `&group=${encodeURIComponent(group)}` : ''}${perspective ? `&perspective=${encodeURIComponent(perspective)}` : ''}`;
  return (
    <section aria-labelledby="results" class="margin-top-4">
      <h2 id="results">{t('search.results')}</h2>
      <p role="status">{hits.length === 0 ? t('search.no_results') : t('search.showing', { count: hits.length })}</p>
      <ol class="usa-list usa-list--unstyled">
        {hits.map((h) => (
          <li class="margin-bottom-3">
            <a class="usa-link text-bold" href={`/threads/${h.thread_id}#post-${h.post_id}`}>
              {h.title}
            </a>
            <div class="usa-hint">
              {h.group_name ? <GroupName ctx={ctx} name={h.group_name} /> : t('discussions.community_space')} · {h.author_name ?? t('discussions.former_member')} · {fmt.date(h.created_at)}
            </div>
            <p class="margin-top-05">
              <Snippet text={h.snippet} />
            </p>
          </li>
        ))}
      </ol>
      <Pager ctx={ctx} page={page} more={more} basePath={base} />
    </section>
  );
}

