import type { PageContext } from '../platform/views/context.js';
import { eventFormatters } from '../events/time.js';
import { UseFunnelView, percent } from '../value/views.js';
import type { FunderExtras } from './funder-report.js';
import { ButtonForm, Select, TextField, type FormState } from '../platform/views/forms.js';
import { STATES, STATE_CODES } from '../community/vocab.js';
import type { ReachFilters, ReachSummary } from './ledger.js';
import { DataTable, GoalMeter, StackedBars } from '../platform/views/charts.js';

type Options = { value: string; label: string }[];

function ReachFiltersForm({ ctx, filters, options, action }: { ctx: PageContext; filters: ReachFilters & { groupSlug?: string }; options: { groups: Options; partners: Options }; action: string }) {
  const { t } = ctx;
  const form: FormState = { values: { from: filters.from, to: filters.to, group: filters.groupSlug ?? '', state: filters.state ?? '', partner: filters.partner ? String(filters.partner) : '' }, errors: {} };
  return (
    <form method="get" action={action} class="usa-form convene-reach-filters" aria-label={t('reach.filters')}>
      <div class="grid-row grid-gap-2">
        <div class="grid-col-12 tablet:grid-col-6">
          <TextField ctx={ctx} form={form} name="from" label={t('reach.from')} type="date" />
        </div>
        <div class="grid-col-12 tablet:grid-col-6">
          <TextField ctx={ctx} form={form} name="to" label={t('reach.to')} type="date" />
        </div>
        <div class="grid-col-12 tablet:grid-col-4">
          <Select ctx={ctx} form={form} name="group" label={t('reach.group')} options={options.groups} emptyLabel={t('reach.all')} />
        </div>
        <div class="grid-col-12 tablet:grid-col-4">
          <Select ctx={ctx} form={form} name="state" label={t('reach.state')} options={STATE_CODES.map((c) => ({ value: c, label: STATES[c]! }))} emptyLabel={t('reach.all')} />
        </div>
        <div class="grid-col-12 tablet:grid-col-4">
          <Select ctx={ctx} form={form} name="partner" label={t('reach.partner')} options={options.partners} emptyLabel={t('reach.all')} />
        </div>
      </div>
      <button class="usa-button margin-top-2" type="submit">
        {t('reach.show')}
      </button>
    </form>
  );
}

const qs = (f: ReachFilters & { groupSlug?: string }) =>
  new URLSearchParams(Object.entries({ from: f.from, to: f.to, group: f.groupSlug ?? '', state: f.state ?? '', partner: f.partner ? String(f.partner) : '' }).filter(([, v]) => v)).toString();

/** Reach by source with how each is counted, and the total: the dashboard's table and the funder report's. */
function SourcesTable({ ctx, summary: s, caption, captionHidden, compact }: { ctx: PageContext; summary: ReachSummary; caption: string; captionHidden?: boolean; compact?: boolean }) {
  const { t, fmt } = ctx;
  return (
    <table class={`usa-table usa-table--borderless${compact ? ' usa-table--compact' : ''} convene-full`}>
      <caption class={captionHidden ? 'usa-sr-only' : undefined}>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('reach.source_col')}</th>
          <th scope="col" class="text-right convene-num">
            {t('reach.people')}
          </th>
          <th scope="col">{t('reach.method')}</th>
        </tr>
      </thead>
      <tbody>
        {s.bySource.map((b) => (
          <tr>
            <th scope="row">{t(`reach.source.${b.source}`)}</th>
            <td class="text-right convene-num">{fmt.number(b.people)}</td>
            <td>{t(`reach.method_of.${b.source}`)}</td>
          </tr>
        ))}
        <tr>
          <th scope="row">{t('reach.total')}</th>
          <td class="text-right convene-num">
            <strong>{fmt.number(s.total)}</strong>
          </td>
          <td>{t('reach.method_of.total')}</td>
        </tr>
      </tbody>
    </table>
  );
}

function ReachBody({ ctx, summary: s, canReview }: { ctx: PageContext; summary: ReachSummary; /** The pending count links to the review queue. */ canReview?: boolean }) {
  const { t, fmt } = ctx;
  const sources = [
    { key: 'web', label: t('reach.source.web') },
    { key: 'partner_report', label: t('reach.source.partner_report') },
  ];
  return (
    <>
      <section aria-labelledby="goal-heading">
        <h2 id="goal-heading">{t('reach.toward_goal')}</h2>
        <GoalMeter ctx={ctx} value={s.total} goal={s.goal} />
        <div class="convene-table-scroll">
          <SourcesTable ctx={ctx} summary={s} caption={t('reach.by_source')} />
        </div>
        <p class="usa-hint">
          {t('reach.web_detail', { views: fmt.number(s.web.pageViews), downloads: fmt.number(s.web.downloads), links: fmt.number(s.web.linkVisits) })}
          {s.pending > 0 &&
            (canReview ? (
              <>
                {' '}
                <a class="usa-link" href="/dissemination/review">
                  {t('reach.pending', { count: s.pending })}
                </a>
              </>
            ) : (
              <> {t('reach.pending', { count: s.pending })}</>
            ))}
          {s.questioned > 0 && <> {t('reach.questioned', { count: s.questioned })}</>}
        </p>
      </section>
      <section aria-labelledby="time-heading" class="margin-top-4">
        <h2 id="time-heading">{t('reach.over_time')}</h2>
        <StackedBars ctx={ctx} caption={t('reach.by_month')} labelHeader={t('reach.month')} series={sources} rows={s.byMonth.map((m) => ({ label: m.month, values: { web: m.web, partner_report: m.partner_report } }))} />
      </section>
      <section aria-labelledby="partners-heading" class="margin-top-4">
        <h2 id="partners-heading">{t('reach.by_partner')}</h2>
        <StackedBars
          ctx={ctx}
          caption={t('reach.by_partner')}
          labelHeader={t('reach.partner')}
          series={[
            { key: 'links', label: t('reach.link_visitors') },
            { key: 'reported', label: t('reach.source.partner_report') },
          ]}
          rows={s.partners.map((p) => ({ label: p.name, values: { links: p.linkVisitors, reported: p.reported } }))}
        />
        <p class="usa-hint">{t('reach.partner_note')}</p>
      </section>
      <section aria-labelledby="audience-heading" class="margin-top-4">
        <h2 id="audience-heading">{t('reach.by_audience')}</h2>
        <DataTable ctx={ctx} caption={t('reach.by_audience')} labelHeader={t('reach.audience')} series={[{ key: 'people', label: t('reach.people') }]} rows={s.byAudience.map((a) => ({ label: t(`perspective.${a.audience}`), values: { people: a.people } }))} />
        <p class="usa-hint">{t('reach.audience_note')}</p>
      </section>
      <section aria-labelledby="state-heading" class="margin-top-4">
        <h2 id="state-heading">{t('reach.by_state')}</h2>
        <DataTable ctx={ctx} caption={t('reach.by_state')} labelHeader={t('reach.state')} series={[{ key: 'people', label: t('reach.people') }]} rows={s.byState.map((a) => ({ label: STATES[a.state] ?? a.state, values: { people: a.people } }))} />
      </section>
      <section aria-labelledby="use-heading" class="margin-top-4">
        <h2 id="use-heading">{t('reach.actual_use')}</h2>
        <p>
          {t('reach.use_line', { count: s.use.reports })}{' '}
          {s.funnel.responseRate === null ? null : <>({t('followups.response_rate', { rate: percent(ctx, s.funnel.responseRate) })})</>}
        </p>
        {s.use.reports > 0 && (
          <ul class="usa-list">
            <li>{t('reach.avg', { what: t('resources.field.quality'), value: decimal(ctx, s.use.quality) })}</li>
            <li>{t('reach.avg', { what: t('resources.field.relevance'), value: decimal(ctx, s.use.relevance) })}</li>
            <li>{t('reach.avg', { what: t('resources.field.usefulness'), value: decimal(ctx, s.use.usefulness) })}</li>
          </ul>
        )}
        <UseFunnelView ctx={ctx} reached={s.total} funnel={s.funnel} headingLevel={3} />
      </section>
      <section aria-labelledby="top-heading" class="margin-top-4">
        <h2 id="top-heading">{t('reach.top')}</h2>
        {s.topResources.length === 0 ? (
          <p class="usa-hint">{t('reach.no_data')}</p>
        ) : (
          <div class="convene-table-scroll">
            <table class="usa-table usa-table--borderless convene-full">
              <caption class="usa-sr-only">{t('reach.top')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('reach.resource')}</th>
                  <th scope="col" class="text-right">
                    {t('reach.people')}
                  </th>
                  <th scope="col" class="text-right">
                    {t('reach.uses')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {s.topResources.map((r) => (
                  <tr>
                    <th scope="row">
                      <a class="usa-link" href={`/resources/${r.slug}`}>
                        {r.title}
                      </a>
                    </th>
                    <td class="text-right">{fmt.number(r.people)}</td>
                    <td class="text-right">{fmt.number(r.uses)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

export function ReachView({ ctx, summary, filters, options, canExport, canReview }: { ctx: PageContext; summary: ReachSummary; filters: ReachFilters & { groupSlug?: string }; options: { groups: Options; partners: Options }; canExport: boolean; canReview?: boolean }) {
  const { t } = ctx;
  return (
    <>
      <ReachFiltersForm ctx={ctx} filters={filters} options={options} action="/reach" />
      {canExport && (
        <p class="convene-actions margin-top-2">
          <a class="usa-link" href={`/reach/report?${qs(filters)}`}>
            {t('reach.funder_report')}
          </a>
          <a class="usa-link" href={`/reach/report.csv?${qs(filters)}`}>
            {t('reach.report_csv')}
          </a>
          <a class="usa-link" href={`/reach/ledger.csv?${qs(filters)}`}>
            {t('reach.ledger_csv')}
          </a>
        </p>
      )}
      <ReachBody ctx={ctx} summary={summary} canReview={canReview} />
    </>
  );
}

/** A figure with decimals in the reader's language ("4.25", "4,25"). */
export const decimal = (ctx: PageContext, n: number | null): string => (n === null ? '—' : ctx.fmt.decimal(n));

/**
 * The funder report: a few pages a funder reads, not the ledger. The headline
 * against the goal; reach by source with its methods, by month and partner;
 * use with its response rate and ratings; stories of value by cycle; depth of
 * interaction by group; decisions made together and who took part. The
 * ledger entries travel as CSV attachments.
 */
export function FunderReportView({ ctx, summary: s, filters, extras, period }: { ctx: PageContext; summary: ReachSummary; filters: ReachFilters & { groupSlug?: string }; extras: FunderExtras; period: string }) {
  const { t, fmt } = ctx;
  const share = s.goal > 0 ? s.total / s.goal : null;
  const months = s.byMonth.slice(-12);
  return (
    <div class="convene-report">
      <div class="convene-report__headline">
        <p class="margin-y-0 text-bold">{t('funder_report.headline')}</p>
        <p class="convene-report__figure margin-y-0">{fmt.number(s.total)}</p>
        {share !== null && <p class="margin-y-0">{t('funder_report.headline_goal', { goal: fmt.number(s.goal), pct: percent(ctx, share) })}</p>}
        <p class="margin-y-05 usa-hint">{period}</p>
      </div>
      <p class="usa-intro">{t('funder_report.intro', { community: ctx.communityName })}</p>
      <p class="convene-actions convene-noprint">
        <a class="usa-link" href={`/reach?${qs(filters)}`}>
          {t('reach.back_dashboard')}
        </a>
      </p>
      <section aria-labelledby="fr-reach" class="convene-report__section">
        <h2 id="fr-reach">{t('funder_report.reach_heading')}</h2>
        <div class="usa-table-container--scrollable convene-report__table" tabIndex={0}>
          <SourcesTable ctx={ctx} summary={s} caption={t('funder_report.reach_heading')} captionHidden compact />
</div>
        <p class="usa-hint">{t('reach.web_detail', { views: fmt.number(s.web.pageViews), downloads: fmt.number(s.web.downloads), links: fmt.number(s.web.linkVisits) })}</p>
      </section>
      <div class="grid-row grid-gap-lg">
        <section aria-labelledby="fr-months" class="convene-report__section tablet:grid-col-6">
          <h2 id="fr-months">{t('funder_report.months_heading')}</h2>
          {months.length === 0 ? (
            <p class="usa-hint">{t('reach.no_data')}</p>
          ) : (
            <div class="usa-table-container--scrollable convene-report__table" tabIndex={0}>
              <table class="usa-table usa-table--borderless usa-table--compact convene-full">
              <caption class="usa-sr-only">{t('funder_report.months_heading')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('reach.month')}</th>
                  <th scope="col" class="convene-num">
                    {t('reach.source.web')}
                  </th>
                  <th scope="col" class="convene-num">
                    {t('reach.source.partner_report')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {months.map((m) => (
                  <tr>
                    <th scope="row">{eventFormatters(ctx.locale, ctx.tz).month(m.month)}</th>
                    <td class="convene-num">{fmt.number(m.web)}</td>
                    <td class="convene-num">{fmt.number(m.partner_report)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
</div>
          )}
        </section>
        <section aria-labelledby="fr-partners" class="convene-report__section tablet:grid-col-6">
          <h2 id="fr-partners">{t('funder_report.partners_heading')}</h2>
          {s.partners.length === 0 ? (
            <p class="usa-hint">{t('reach.no_data')}</p>
          ) : (
            <div class="usa-table-container--scrollable convene-report__table" tabIndex={0}>
              <table class="usa-table usa-table--borderless usa-table--compact convene-full">
              <caption class="usa-sr-only">{t('funder_report.partners_heading')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('reach.partner')}</th>
                  <th scope="col" class="convene-num">
                    {t('reach.link_visitors')}
                  </th>
                  <th scope="col" class="convene-num">
                    {t('reach.source.partner_report')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {s.partners.slice(0, 10).map((p) => (
                  <tr>
                    <th scope="row">{p.name}</th>
                    <td class="convene-num">{fmt.number(p.linkVisitors)}</td>
                    <td class="convene-num">{fmt.number(p.reported)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
</div>
          )}
        </section>
      </div>
      <section aria-labelledby="fr-use" class="convene-report__section">
        <h2 id="fr-use">{t('funder_report.use_heading')}</h2>
        <UseFunnelView ctx={ctx} reached={s.total} funnel={s.funnel} headingLevel={3} />
        <h3>{t('funder_report.ratings_heading')}</h3>
        {s.use.reports === 0 ? (
          <p class="usa-hint">{t('funder_report.ratings_none')}</p>
        ) : (
          <ul class="usa-list">
            <li>
              {t('resources.field.quality')}: {t('funder_report.rating', { value: decimal(ctx, s.use.quality) })}
            </li>
            <li>
              {t('resources.field.relevance')}: {t('funder_report.rating', { value: decimal(ctx, s.use.relevance) })}
            </li>
            <li>
              {t('resources.field.usefulness')}: {t('funder_report.rating', { value: decimal(ctx, s.use.usefulness) })}
            </li>
          </ul>
        )}
      </section>
      <section aria-labelledby="fr-stories" class="convene-report__section">
        <h2 id="fr-stories">{t('funder_report.stories_heading')}</h2>
        <p>{t('funder_report.stories_lead', { count: extras.storiesTotal, n: fmt.number(extras.storiesTotal) })}</p>
        <div class="usa-table-container--scrollable convene-report__table" tabIndex={0}>
          <table class="usa-table usa-table--borderless usa-table--compact convene-full">
          <caption class="usa-sr-only">{t('funder_report.stories_heading')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('funder_report.cycle_col')}</th>
              <th scope="col" class="convene-num">
                {t('funder_report.stories_col')}
              </th>
              <th scope="col">{t('funder_report.examples_col')}</th>
            </tr>
          </thead>
          <tbody>
            {extras.stories.map((c) => (
              <tr>
                <th scope="row">{t(`cycle.${c.cycle}`)}</th>
                <td class="convene-num">{fmt.number(c.count)}</td>
                <td>{c.titles.join('; ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
</div>
      </section>
      <section aria-labelledby="fr-depth" class="convene-report__section">
        <h2 id="fr-depth">{t('funder_report.depth_heading')}</h2>
        <p>{t('funder_report.depth_lead')}</p>
        {extras.groups.length === 0 && !extras.privateGroups ? (
          <p class="usa-hint">{t('funder_report.depth_none')}</p>
        ) : (
          <div class="usa-table-container--scrollable convene-report__table" tabIndex={0}>
            <table class="usa-table usa-table--borderless usa-table--compact convene-full">
            <caption class="usa-sr-only">{t('funder_report.depth_heading')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('funder_report.group_col')}</th>
                <th scope="col" class="convene-num">
                  {t('funder_report.people_col')}
                </th>
                <th scope="col" class="convene-num">
                  {t('funder_report.threads_col')}
                </th>
                <th scope="col" class="convene-num">
                  {t('funder_report.replies_col')}
                </th>
                <th scope="col" class="convene-num">
                  {t('funder_report.attended_col')}
                </th>
                <th scope="col" class="convene-num">
                  {t('funder_report.used_col')}
                </th>
              </tr>
            </thead>
            <tbody>
              {[...extras.groups, ...(extras.privateGroups ? [{ ...extras.privateGroups, name: t('funder_report.private_groups') }] : [])].map((g) => (
                <tr>
                  <th scope="row">{g.name}</th>
                  <td class="convene-num">{fmt.number(g.people)}</td>
                  <td class="convene-num">{fmt.number(g.threads)}</td>
                  <td class="convene-num">{fmt.number(g.replies)}</td>
                  <td class="convene-num">{fmt.number(g.attended)}</td>
                  <td class="convene-num">{fmt.number(g.used)}</td>
                </tr>
              ))}
            </tbody>
          </table>
</div>
        )}
      </section>
      <section aria-labelledby="fr-decisions" class="convene-report__section">
        <h2 id="fr-decisions">{t('funder_report.decisions_heading')}</h2>
        <p>{t('funder_report.decisions_lead')}</p>
        {extras.decisions.length === 0 && extras.decisionsPrivate === 0 ? (
          <p class="usa-hint">{t('funder_report.decisions_none')}</p>
        ) : (
          <>
            {extras.decisions.length > 0 && (
              <div class="usa-table-container--scrollable convene-report__table" tabIndex={0}>
                <table class="usa-table usa-table--borderless usa-table--compact convene-full">
                <caption class="usa-sr-only">{t('funder_report.decisions_heading')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('funder_report.decision_col')}</th>
                    <th scope="col" class="convene-num">
                      {t('funder_report.voters_col')}
                    </th>
                    <th scope="col" class="convene-num">
                      {t('funder_report.perspectives_col')}
                    </th>
                    <th scope="col">{t('funder_report.outcome_col')}</th>
                  </tr>
                </thead>
                <tbody>
                  {extras.decisions.map((d) => (
                    <tr>
                      <th scope="row">
                        {t(`decisions.kind_label.${d.kind}`)}: {d.title}
                      </th>
                      <td class="convene-num">{fmt.number(d.voters)}</td>
                      <td class="convene-num">{fmt.number(d.perspectives)}</td>
                      <td>{d.outcome}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
</div>
            )}
            {extras.decisionsPrivate > 0 && <p>{t('funder_report.decisions_private', { count: extras.decisionsPrivate })}</p>}
            {extras.decisionPerspectives.length > 0 && (
              <p>
                <strong>{t('funder_report.who_took_part')}:</strong> {extras.decisionPerspectives.map((p) => `${t(`perspective.${p.perspective}`)} ${fmt.number(p.people)}`).join(' · ')}
              </p>
            )}
          </>
        )}
      </section>
      <section aria-labelledby="fr-methods" class="convene-report__section">
        <h2 id="fr-methods">{t('funder_report.methods_heading')}</h2>
        <p>{t('funder_report.methods')}</p>
        <h3>{t('funder_report.attachments_heading')}</h3>
        <p>{t('funder_report.attachments_lead')}</p>
        <ul class="usa-list">
          <li>
            <a class="usa-link" href={`/reach/ledger.csv?${qs(filters)}`}>
              {t('reach.ledger_csv')}
            </a>
          </li>
          <li>
            <a class="usa-link" href={`/reach/report.csv?${qs(filters)}`}>
              {t('reach.report_csv')}
            </a>
          </li>
        </ul>
      </section>
    </div>
  );
}

/** Partners' dissemination reports waiting for a facilitator to confirm or question them. */
export function ReviewQueueView({
  ctx,
  reports,
}: {
  ctx: PageContext;
  reports: { id: number; channel: string; recipients: number; sent_on: string | Date; note: string; evidence_url: string | null; resource_slug: string; resource_title: string; resource_language: string; org_name: string | null; state_name: string | null }[];
}) {
  const { t, fmt } = ctx;
  if (reports.length === 0) return <p>{t('reach.queue_empty')}</p>;
  return (
    <ul class="usa-list usa-list--unstyled">
      {reports.map((d) => (
        <li class="padding-y-2 border-bottom border-base-lighter">
          <a class="usa-link text-bold" href={`/resources/${d.resource_slug}#reach`} lang={d.resource_language !== ctx.locale ? d.resource_language : undefined}>
            <bdi>{d.resource_title}</bdi>
          </a>
          <p class="margin-y-05">
            {t('reach.queue_item', {
              who: d.org_name ?? d.state_name ?? t('reach.queue_unknown'),
              people: fmt.number(d.recipients),
              channel: t(`resources.channel.${d.channel}`),
              date: fmt.date(new Date(`${String(d.sent_on instanceof Date ? d.sent_on.toISOString().slice(0, 10) : d.sent_on)}T12:00:00Z`)),
            })}
          </p>
          {d.note && <p class="margin-y-05 text-base-dark">{d.note}</p>}
          {d.evidence_url && (
            <p class="margin-y-05">
              <a class="usa-link" href={d.evidence_url} rel="noopener noreferrer nofollow">
                {t('reach.queue_evidence')}
              </a>
            </p>
          )}
          <ButtonForm ctx={ctx} action={`/dissemination/${d.id}/review`} hidden={{ status: 'verified', next: '/dissemination/review' }} label={t('resources.verify')} variant="outline" />
          <ButtonForm ctx={ctx} action={`/dissemination/${d.id}/review`} hidden={{ status: 'questioned', next: '/dissemination/review' }} label={t('resources.question')} variant="outline" />
        </li>
      ))}
    </ul>
  );
}
