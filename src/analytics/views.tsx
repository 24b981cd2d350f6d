import type { PageContext } from '../platform/views/context.js';
import { Select, TextField } from '../platform/views/forms.js';
import { DataTable, StackedBars } from '../platform/views/charts.js';
import { WhoIsntHere } from '../agenda/views.js';
import { STATES } from '../community/vocab.js';
import { ACTION_KEYS, type EngagementSummary } from './engagement.js';

export function AnalyticsView({ ctx, s, filters, groups, allowCommunity, csvHref }: { ctx: PageContext; s: EngagementSummary; filters: { from: string; to: string; group: string }; groups: { slug: string; name: string }[]; allowCommunity: boolean; csvHref: string }) {
  const { t, fmt } = ctx;
  const form = { values: filters, errors: {} };
  const actions = ACTION_KEYS.map((k) => ({ label: t(`analytics.action.${k}`), values: { n: s.actions[k] } }));
  const counts = ACTION_KEYS.map((k) => ({ label: t(`analytics.action.${k}`), values: { n: s.actionCounts[k] } }));
  return (
    <>
      <form method="get" action="/analytics" class="usa-form maxw-full convene-filters" aria-label={t('analytics.filter')}>
        <div class="grid-row grid-gap">
          <div class="tablet:grid-col-4">
            <TextField ctx={ctx} form={form} name="from" label={t('analytics.from')} type="date" />
          </div>
          <div class="tablet:grid-col-4">
            <TextField ctx={ctx} form={form} name="to" label={t('analytics.to')} type="date" />
          </div>
          <div class="tablet:grid-col-4">
            <Select ctx={ctx} form={form} name="group" label={t('analytics.group')} emptyLabel={allowCommunity ? t('analytics.whole_community') : undefined} options={groups.map((g) => ({ value: g.slug, label: g.name }))} />
          </div>
        </div>
        <button type="submit" class="usa-button margin-top-2">
          {t('analytics.show')}
        </button>
      </form>
      <p class="margin-top-2">
        <a class="usa-link" href={csvHref}>
          {t('analytics.csv')}
        </a>{' '}
        <span class="usa-hint">· {t('analytics.rollup_note')}</span>
      </p>
      <section aria-labelledby="active-heading">
        <h2 id="active-heading">{t('analytics.active')}</h2>
        <p class="font-heading-xl margin-y-1">{fmt.number(s.active)}</p>
        <p class="usa-hint">{t('analytics.active_help')}</p>
        {s.active === 0 && <p>{t('analytics.none')}</p>}
      </section>
      <StackedBars ctx={ctx} caption={t('analytics.actions')} labelHeader={t('analytics.actions')} rows={actions} series={[{ key: 'n', label: t('analytics.people') }]} />
      <StackedBars ctx={ctx} caption={t('analytics.action_counts')} labelHeader={t('analytics.actions')} rows={counts} series={[{ key: 'n', label: t('analytics.times') }]} />
      <StackedBars
        ctx={ctx}
        caption={t('analytics.by_month')}
        labelHeader={t('analytics.month')}
        rows={s.byMonth.map((m) => ({ label: m.month, values: { new: m.new, returning: m.returning } }))}
        series={[
          { key: 'new', label: t('analytics.new') },
          { key: 'returning', label: t('analytics.returning') },
        ]}
      />
      <StackedBars
        ctx={ctx}
        caption={t('analytics.by_perspective')}
        labelHeader={t('analytics.perspective')}
        rows={s.byPerspective.map((g) => ({ label: t(`perspective.${g.perspective}`), values: { n: g.here } }))}
        series={[{ key: 'n', label: t('analytics.people') }]}
      />
      <WhoIsntHere ctx={ctx} gaps={s.byPerspective} id="who" />
      <StackedBars ctx={ctx} caption={t('analytics.by_state')} labelHeader={t('analytics.state')} rows={s.byState.slice(0, 20).map((r) => ({ label: r.key === '--' ? t('analytics.unknown_state') : r.key, values: { n: r.active } }))} series={[{ key: 'n', label: t('analytics.people') }]} />
      {s.byState.length > 20 && (
        <DataTable ctx={ctx} caption={t('analytics.by_state')} labelHeader={t('analytics.state')} rows={s.byState.map((r) => ({ label: STATES[r.key] ?? t('analytics.unknown_state'), values: { n: r.active } }))} series={[{ key: 'n', label: t('analytics.people') }]} />
      )}
      <StackedBars ctx={ctx} caption={t('analytics.by_organization')} labelHeader={t('analytics.organization')} rows={s.byOrganization.map((r) => ({ label: r.key, values: { n: r.active } }))} series={[{ key: 'n', label: t('analytics.people') }]} />
      {!filters.group && (
        <StackedBars ctx={ctx} caption={t('analytics.by_group')} labelHeader={t('analytics.group')} rows={s.byGroup.slice(0, 30).map((g) => ({ label: g.name, values: { n: g.active } }))} series={[{ key: 'n', label: t('analytics.people') }]} />
      )}
      <section aria-labelledby="cross-heading">
        <h2 id="cross-heading">{t('analytics.cross')}</h2>
        <p>{t('analytics.cross_people', { count: s.crossGroup.people })}</p>
        {s.crossGroup.pairs.length > 0 && (
          <DataTable ctx={ctx} caption={t('analytics.pairs')} labelHeader={t('analytics.pair')} rows={s.crossGroup.pairs.map((p) => ({ label: `${p.a} + ${p.b}`, values: { n: p.people } }))} series={[{ key: 'n', label: t('analytics.people') }]} />
        )}
      </section>
    </>
  );
}
