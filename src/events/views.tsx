import { Tx, GroupName } from '../platform/views/bilingual.js';
import { webcal } from './series-calendar.js';
import type { PageContext } from '../platform/views/context.js';
import { Select, type FormState } from '../platform/views/forms.js';
import { Pager } from '../platform/views/pager.js';
import { EVENT_KINDS, seatsLeft, type EventRow } from './queries.js';
import { eventFormatters, type EventFormatters } from './time.js';

export const fmtFor = (ctx: PageContext) => eventFormatters(ctx.locale, ctx.tz);

export function ScopeLine({ ctx, e }: { ctx: PageContext; e: EventRow }) {
  const { t } = ctx;
  if (e.group_slug)
    return (
      <a class="usa-link" href={`/groups/${e.group_slug}`}>
        <GroupName ctx={ctx} name={e.group_name ?? ''} />
      </a>
    );
  if (e.state_code) return <a class="usa-link" href={`/states/${e.state_code.trim()}`}>{e.state_name ?? e.state_code}</a>;
  return <span>{t('events.scope.community')}</span>;
}

export function EventTags({ ctx, e }: { ctx: PageContext; e: EventRow }) {
  const { t } = ctx;
  return (
    <>
      <span class="usa-tag">{t(`events.kind.${e.kind}`)}</span>{' '}
      {e.status === 'cancelled' && <span class="usa-tag bg-secondary-dark">{t('events.cancelled')}</span>}{' '}
      {e.language !== ctx.locale && <span class="usa-tag bg-base-darker">{e.language === 'es' ? 'Español' : 'English'}</span>}
    </>
  );
}

export function EventListItem({ ctx, e, f }: { ctx: PageContext; e: EventRow; f: EventFormatters }) {
  const { t } = ctx;
  const left = seatsLeft(e);
  return (
    <li class="convene-resource">
      <h2 class="font-heading-md margin-bottom-05">
        <a class="usa-link" href={`/events/${e.id}`}>
          <Tx ctx={ctx} row={e} field="title" />
        </a>
      </h2>
      <p class="margin-y-05">
        <time dateTime={e.starts_at.toISOString()}>{f.range(e.starts_at, e.ends_at)}</time>
      </p>
      <p class="margin-y-05">
        <EventTags ctx={ctx} e={e} /> <ScopeLine ctx={ctx} e={e} />
        {e.rrule && <span class="text-base-dark"> · {t('events.part_of_series')}</span>}
        {left !== null && e.status === 'scheduled' && <span class="text-base-dark"> · {left > 0 ? t('events.seats_left', { count: left }) : t('events.full_waitlist')}</span>}
      </p>
    </li>
  );
}

export interface EventFiltersView {
  when: 'upcoming' | 'past';
  view: 'list' | 'month';
  month: string;
  scope: string;
  kind: string;
}

function Filters({ ctx, filters, groups, states }: { ctx: PageContext; filters: EventFiltersView; groups: { slug: string; name: string }[]; states: { code: string; name: string }[] }) {
  const { t } = ctx;
  const form: FormState = { values: { scope: filters.scope, kind: filters.kind, when: filters.when }, errors: {} };
  return (
    <form method="get" action="/events" class="usa-form maxw-full convene-filters" aria-label={t('events.filter_label')}>
      <input type="hidden" name="view" value={filters.view} />
      {filters.view === 'month' && <input type="hidden" name="month" value={filters.month} />}
      <div class="grid-row grid-gap">
        <div class="tablet:grid-col-4">
          <Select
            ctx={ctx}
            form={form}
            name="scope"
            label={t('events.where_label')}
            emptyLabel={t('events.scope.everything')}
            options={[
              { value: 'community', label: t('events.scope.community') },
              ...groups.map((g) => ({ value: `group:${g.slug}`, label: g.name })),
              ...states.map((s) => ({ value: `state:${s.code}`, label: s.name })),
            ]}
          />
        </div>
        <div class="tablet:grid-col-4">
          <Select ctx={ctx} form={form} name="kind" label={t('events.kind_label')} emptyLabel={t('events.all_kinds')} options={EVENT_KINDS.map((k) => ({ value: k, label: t(`events.kind.${k}`) }))} />
        </div>
        {filters.view === 'list' && (
          <div class="tablet:grid-col-4">
            <Select ctx={ctx} form={form} name="when" label={t('events.when_label')} options={[{ value: 'upcoming', label: t('events.upcoming') }, { value: 'past', label: t('events.past') }]} />
          </div>
        )}
      </div>
      <button type="submit" class="usa-button usa-button--outline margin-top-2">
        {t('common.filter')}
      </button>
    </form>
  );
}

export function EventsView(props: {
  ctx: PageContext;
  rows: EventRow[];
  filters: EventFiltersView;
  page: number;
  more: boolean;
  groups: { slug: string; name: string }[];
  states: { code: string; name: string }[];
  canCreate: boolean;
  feedHref: string;
  query: string;
}) {
  const { ctx, rows, filters } = props;
  const { t } = ctx;
  const f = fmtFor(ctx);
  const toggle = (view: 'list' | 'month') => `/events?${new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(props.query)), view }).toString()}`;
  return (
    <>
      <p class="convene-inline-list">
        {props.canCreate && (
          <a class="usa-button" href="/events/new">
            {t('events.new')}
          </a>
        )}{' '}
        <FeedLinks ctx={ctx} href={props.feedHref} />
        {ctx.actor.kind === 'user' && (
          <>
            {' · '}
            <a class="usa-link" href="/settings/calendar">
              {t('events.your_calendar')}
            </a>
          </>
        )}
      </p>
      <p class="usa-hint">{t('events.times_in_zone', { zone: f.zone })}</p>
      <nav aria-label={t('events.views_label')}>
        <ul class="usa-button-group">
          <li class="usa-button-group__item">
            <a class={`usa-button${filters.view === 'list' ? '' : ' usa-button--outline'}`} href={toggle('list')} aria-current={filters.view === 'list' ? 'page' : undefined}>
              {t('events.view_list')}
            </a>
          </li>
          <li class="usa-button-group__item">
            <a class={`usa-button${filters.view === 'month' ? '' : ' usa-button--outline'}`} href={toggle('month')} aria-current={filters.view === 'month' ? 'page' : undefined}>
              {t('events.view_month')}
            </a>
          </li>
        </ul>
      </nav>
      <Filters ctx={ctx} filters={filters} groups={props.groups} states={props.states} />
      {filters.view === 'month' ? (
        <MonthGrid ctx={ctx} rows={rows} month={filters.month} f={f} query={props.query} />
      ) : rows.length === 0 ? (
        <p>{filters.when === 'past' ? t('events.none_past') : t('events.none_upcoming')}</p>
      ) : (
        <>
          <ul class="usa-list usa-list--unstyled">
            {rows.map((e) => (
              <EventListItem ctx={ctx} e={e} f={f} />
            ))}
          </ul>
          <Pager ctx={ctx} page={props.page} more={props.more} basePath={`/events?${props.query}`} />
        </>
      )}
    </>
  );
}

const WEEKDAY_KEYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;

/** A month as a table (weeks by weekday); narrow screens show it as a list of days. */
function MonthGrid({ ctx, rows, month, f, query }: { ctx: PageContext; rows: EventRow[]; month: string; f: EventFormatters; query: string }) {
  const { t } = ctx;
  const [y, m] = month.split('-').map(Number) as [number, number];
  const first = new Date(Date.UTC(y, m - 1, 1));
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const lead = first.getUTCDay();
  const byDay = new Map<string, EventRow[]>();
  for (const e of rows) {
    const k = f.dayKey(e.starts_at);
    byDay.set(k, [...(byDay.get(k) ?? []), e]);
  }
  const cells: (number | null)[] = [...Array(lead).fill(null), ...Array.from({ length: days }, (_, i) => i + 1)];
  while (cells.length % 7) cells.push(null);
  const weeks = Array.from({ length: cells.length / 7 }, (_, i) => cells.slice(i * 7, i * 7 + 7));
  const shift = (delta: number) => {
    const d = new Date(Date.UTC(y, m - 1 + delta, 1));
    const p = new URLSearchParams(query);
    p.set('view', 'month');
    p.set('month', `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
    p.delete('page');
    return `/events?${p.toString()}`;
  };
  return (
    <>
      <nav aria-label={t('events.month_nav')} class="convene-inline-list margin-y-2">
        <a class="usa-link" href={shift(-1)}>
          {t('events.prev_month')}
        </a>{' '}
        <a class="usa-link" href={shift(1)}>
          {t('events.next_month')}
        </a>
      </nav>
      <table class="usa-table usa-table--borderless convene-month">
        <caption>{f.month(month)}</caption>
        <thead>
          <tr>
            {WEEKDAY_KEYS.map((d) => (
              <th scope="col">
                <abbr title={t(`events.weekday.${d}`)}>{t(`events.weekday_short.${d}`)}</abbr>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((w) => (
            <tr>
              {w.map((d, i) => {
                if (d === null) return <td class="convene-month__empty" aria-hidden="true" />;
                const key = `${month}-${String(d).padStart(2, '0')}`;
                const list = byDay.get(key) ?? [];
                return (
                  <td class={list.length ? 'convene-month__busy' : 'convene-month__quiet'}>
                    <span class="convene-month__day">
                      <span class="usa-sr-only">{t(`events.weekday.${WEEKDAY_KEYS[i]}`)} </span>
                      {d}
                    </span>
                    {list.length > 0 && (
                      <ul class="usa-list usa-list--unstyled">
                        {list.map((e) => (
                          <li>
                            <a class="usa-link" href={`/events/${e.id}`}>
                              {f.time(e.starts_at)} <Tx ctx={ctx} row={e} field="title" />
                            </a>
                            {e.status === 'cancelled' && <span> ({t('events.cancelled')})</span>}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p>{t('events.none_month')}</p>}
    </>
  );
}

/** A calendar feed: a subscription link (webcal://, which calendar programs open) and the file itself. */
export function FeedLinks({ ctx, href }: { ctx: PageContext; href: string }) {
  const { t } = ctx;
  return (
    <>
      {ctx.siteUrl ? (
        <>
          <a class="usa-link" href={webcal(ctx.siteUrl, href)}>
            {t('events.subscribe_webcal')}
          </a>
          {' · '}
        </>
      ) : null}
      <a class="usa-link" href={href}>
        {ctx.siteUrl ? t('events.download_feed') : t('events.subscribe_feed')}
      </a>
    </>
  );
}

export function UpcomingEvents({ ctx, events, allHref, feedHref, id }: { ctx: PageContext; events: EventRow[]; allHref: string; feedHref?: string; id: string }) {
  const { t } = ctx;
  const f = fmtFor(ctx);
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{t('events.upcoming_here')}</h2>
      {events.length === 0 ? (
        <p class="usa-hint">{t('events.none_upcoming')}</p>
      ) : (
        <ul class="usa-list">
          {events.map((e) => (
            <li>
              <a class="usa-link" href={`/events/${e.id}`}>
                <Tx ctx={ctx} row={e} field="title" />
              </a>{' '}
              <span class="text-base-dark">
                — <time dateTime={e.starts_at.toISOString()}>{f.dateTime(e.starts_at)}</time>
                {e.status === 'cancelled' && ` (${t('events.cancelled')})`}
              </span>
            </li>
          ))}
        </ul>
      )}
      <ul class="usa-list usa-list--unstyled convene-inline-list">
        <li>
          <a class="usa-link" href={allHref}>
            {t('events.all_here')}
          </a>
        </li>
        {feedHref && (
          <li>
            <FeedLinks ctx={ctx} href={feedHref} />
          </li>
        )}
      </ul>
    </section>
  );
}
