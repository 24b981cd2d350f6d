import type { PageContext } from './context.js';

/** Previous and next page links for a paged list (nothing when there is one page). */
export function Pager({ ctx, page, more, basePath }: { ctx: PageContext; page: number; more: boolean; basePath: string }) {
  if (page <= 1 && !more) return null;
  const sep = basePath.includes('?') ? '&' : '?';
  return (
    <nav aria-label={ctx.t('common.pagination')} class="margin-top-3">
      <ul class="usa-list usa-list--unstyled convene-inline-list">
        {page > 1 && (
          <li>
            <a class="usa-link" rel="prev" href={`${basePath}${sep}page=${page - 1}`}>
              {ctx.t('common.previous_page')}
            </a>
          </li>
        )}
        {more && (
          <li>
            <a class="usa-link" rel="next" href={`${basePath}${sep}page=${page + 1}`}>
              {ctx.t('common.next_page')}
            </a>
          </li>
        )}
      </ul>
    </nav>
  );
}
