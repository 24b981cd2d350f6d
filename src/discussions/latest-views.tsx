import type { PageContext } from '../platform/views/context.js';
import { ButtonForm } from '../platform/views/forms.js';
import { Pager } from '../platform/views/pager.js';
import { ThreadFlags } from './views.js';
import type { TrackedThread, TrackedView } from './tracking.js';

const TABS: TrackedView[] = ['latest', 'new', 'unread'];

/** A capped count: "99+" past the cap. */
const capped = (ctx: PageContext, n: number, cap: number) => (n > cap ? `${ctx.fmt.number(cap)}+` : ctx.fmt.number(n));

/** The Latest, New and Unread pages (one view, three selections). */
export function TrackedPage({
  ctx,
  view,
  threads,
  more,
  page,
  counts,
  cap,
}: {
  ctx: PageContext;
  view: TrackedView;
  threads: TrackedThread[];
  more: boolean;
  page: number;
  /** Signed in: how many threads are New and Unread. */
  counts?: { new: number; unread: number };
  cap: number;
}) {
  const { t, fmt } = ctx;
  return (
    <>
      {counts && (
        <nav aria-label={t('latest.views_label')} class="convene-tabs margin-bottom-2">
          <ul class="usa-button-group">
            {TABS.map((v) => (
              <li class="usa-button-group__item">
                <a href={`/${v}`} class={`usa-button${v === view ? '' : ' usa-button--outline'}`} aria-current={v === view ? 'page' : undefined}>
                  {t(`latest.tab_${v}`)}
                  {v !== 'latest' && counts[v] > 0 && <span class="convene-count"> ({capped(ctx, counts[v], cap)})</span>}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {!counts && <p>{t('latest.visitor_lead')}</p>}
      {counts && (view === 'new' || view === 'unread') && counts.new + counts.unread > 0 && (
        <ButtonForm ctx={ctx} action="/latest/mark-read" label={t('latest.mark_all_read')} variant="outline" hidden={{ next: `/${view}` }} />
      )}
      {threads.length === 0 ? (
        <p class="usa-hint">{t(`latest.none_${view}`)}</p>
      ) : (
        <ul class="usa-list usa-list--unstyled convene-tracked">
          {threads.map((th) => {
            const jump = th.new_replies && th.first_unread_id ? `/threads/${th.id}#post-${th.first_unread_id}` : `/threads/${th.id}`;
            return (
              <li class="convene-tracked__item padding-y-1 border-bottom border-base-lighter">
                <a class="usa-link text-bold" href={jump} lang={th.language !== ctx.locale ? th.language : undefined}>
                  <bdi>{th.title}</bdi>
                </a>
                {th.is_new && <span class="usa-tag bg-secondary-dark margin-left-1">{t('latest.new_badge')}</span>}
                {th.new_replies ? <span class="usa-tag bg-accent-cool-darker margin-left-1">{t('latest.new_replies', { count: th.new_replies, n: fmt.number(th.new_replies) })}</span> : null}
                <ThreadFlags ctx={ctx} t={th} />
                <div class="font-body-2xs text-base-dark">
                  {th.group_slug ? (
                    <a class="usa-link" href={`/groups/${th.group_slug}`}>
                      <bdi>{th.group_name}</bdi>
                    </a>
                  ) : (
                    <a class="usa-link" href="/discussions">
                      {t('discussions.community_space')}
                    </a>
                  )}
                  {' · '}
                  {t('latest.replies', { count: th.reply_count, n: fmt.number(th.reply_count) })}
                  {' · '}
                  {t('latest.active', { when: fmt.dateTime(th.last_activity_at) })}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <Pager ctx={ctx} page={page} more={more} basePath={`/${view}`} />
    </>
  );
}
