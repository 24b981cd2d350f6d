import { BilingualField, Loc, OnlyIn, bilingualLabels } from '../platform/views/bilingual.js';
import type { PageContext } from '../platform/views/context.js';
import { LinkedStories } from '../value/views.js';
import type { StoryRow } from '../value/stories.js';
import { ButtonForm, ChoiceGroup, ErrorSummary, Form, Select, Submit, TextArea, TextField, type FormState } from '../platform/views/forms.js';
import { PERSPECTIVES } from '../community/vocab.js';
import { AGENDA_STATUSES, DEPTH_LEVELS, type AgendaRow, type PerspectiveGap, type agendaDetails } from './queries.js';

type Raw = Awaited<ReturnType<typeof agendaDetails>>;
type Shown = { lang_of?: Record<string, string> };
/** What an item's page shows, each text in the reader's language where written (the route localizes). */
type Details = Omit<Raw, 'why' | 'milestones' | 'updates' | 'priorities'> & {
  why: (Raw['why'][number] & Shown)[];
  milestones: (Raw['milestones'][number] & Shown)[];
  updates: (Raw['updates'][number] & Shown)[];
  priorities: (Raw['priorities'][number] & Shown)[];
};

function Progress({ ctx, percent, label }: { ctx: PageContext; percent: number | null; label: string }) {
  if (percent === null) return <span class="usa-hint">{ctx.t('agenda.no_milestones')}</span>;
  return (
    <span class="convene-progress">
      <svg viewBox="0 0 100 6" width="120" height="12" aria-hidden="true" focusable="false" preserveAspectRatio="none">
        <rect width="100" height="6" fill="#dfe1e2" />
        <rect width={percent} height="6" fill="#00a91c" />
      </svg>{' '}
      <span>{ctx.t('agenda.percent', { percent, label })}</span>
    </span>
  );
}

export function AgendaListView({ ctx, items, canCreate }: { ctx: PageContext; items: (AgendaRow & { owners: string[]; milestones: number })[]; canCreate: boolean }) {
  const { t } = ctx;
  return (
    <>
      {canCreate && (
        <p>
          <a class="usa-button" href="/agenda/new">
            {t('agenda.new')}
          </a>
        </p>
      )}
      {items.length === 0 ? (
        <p>{t('agenda.none')}</p>
      ) : (
        <ul class="usa-list usa-list--unstyled">
          {items.map((a) => (
            <li class="convene-resource">
              <h2 class="font-heading-md margin-bottom-05">
                <a class="usa-link" href={`/agenda/${a.slug}`}>
                  <Loc ctx={ctx} row={a} field="title" />
                </a>
              </h2>
              <p class="margin-y-05">
                <span class="usa-tag">{t(`agenda.status.${a.status}`)}</span> <Progress ctx={ctx} percent={a.progress} label={a.title} />
              </p>
              {a.owners.length > 0 && <p class="margin-y-05 text-base-dark">{t('agenda.owned_by', { owners: a.owners.join(', ') })}</p>}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** "Who isn't here?": which perspectives are present, thin or missing, next to the community as a whole. */
export function WhoIsntHere({ ctx, gaps, id }: { ctx: PageContext; gaps: PerspectiveGap[]; id: string }) {
  const { t, fmt } = ctx;
  const missing = gaps.filter((g) => g.state === 'missing');
  const thin = gaps.filter((g) => g.state === 'thin');
  return (
    <section aria-labelledby={id} class="margin-top-4">
      <h2 id={id}>{t('agenda.who_isnt_here')}</h2>
      <p>
        {missing.length === 0 && thin.length === 0
          ? t('agenda.all_here')
          : [missing.length ? t('agenda.missing', { list: missing.map((g) => t(`perspective.${g.perspective}`)).join(', ') }) : '', thin.length ? t('agenda.thin', { list: thin.map((g) => t(`perspective.${g.perspective}`)).join(', ') }) : '']
              .filter(Boolean)
              .join(' ')}
      </p>
      <details class="convene-disclosure">
        <summary>{t('agenda.gap_table')}</summary>
        <div class="convene-table-scroll">
          <table class="usa-table usa-table--borderless usa-table--compact convene-full">
            <caption class="usa-sr-only">{t('agenda.gap_table')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('agenda.perspective')}</th>
                <th scope="col" class="text-right">
                  {t('agenda.people_here')}
                </th>
                <th scope="col" class="text-right">
                  {t('agenda.share_here')}
                </th>
                <th scope="col" class="text-right">
                  {t('agenda.share_community')}
                </th>
                <th scope="col">{t('agenda.gap_state')}</th>
              </tr>
            </thead>
            <tbody>
              {gaps.map((g) => (
                <tr>
                  <th scope="row">{t(`perspective.${g.perspective}`)}</th>
                  <td class="text-right">{fmt.number(g.here)}</td>
                  <td class="text-right">{Math.round(g.share * 100)}%</td>
                  <td class="text-right">{Math.round(g.communityShare * 100)}%</td>
                  <td>{t(`agenda.state.${g.state}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}

export function AgendaItemView({
  ctx,
  item,
  details,
  gaps,
  can,
  forms,
  priorityOptions,
  idempotencyKey,
  stories,
}: {
  ctx: PageContext;
  item: { slug: string; description: string; status: string; /** With glossary terms marked up. */ descriptionHtml: string; lang_of?: Record<string, string> };
  details: Details;
  gaps: PerspectiveGap[];
  can: { edit: boolean; update: boolean; linkPriority: boolean };
  forms: { update: FormState; milestone: FormState; link: FormState; priority: FormState };
  priorityOptions: { value: string; label: string }[];
  idempotencyKey: string;
  /** Stories of value linked to the item that the viewer may read, and where to tell one. */
  stories?: { rows: StoryRow[]; tellHref: string | null };
}) {
  const { t, fmt } = ctx;
  const progress = details.milestones.length ? Math.round(details.milestones.reduce((s, m) => s + m.percent, 0) / details.milestones.length) : null;
  const base = `/agenda/${item.slug}`;
  return (
    <>
      <p>
        <span class="usa-tag">{t(`agenda.status.${item.status}`)}</span> <Progress ctx={ctx} percent={progress} label="" />
        {can.edit && (
          <a class="usa-link margin-left-2" href={`${base}/edit`}>
            {t('agenda.edit')}
          </a>
        )}
      </p>
      {item.description && (
        <>
          {item.lang_of?.description && item.lang_of.description !== ctx.locale && (
            <p>
              <OnlyIn ctx={ctx} lang={item.lang_of.description} />
            </p>
          )}
          <div class="usa-intro" lang={item.lang_of?.description !== ctx.locale ? item.lang_of?.description : undefined} dangerouslySetInnerHTML={{ __html: item.descriptionHtml }} />
        </>
      )}
      {details.owners.length > 0 && (
        <p>
          {t('agenda.owners')}:{' '}
          {details.owners.map((o, i) => (
            <>
              {i > 0 && ', '}
              <a class="usa-link" href={`/organizations/${o.slug}`}>
                {o.name}
              </a>
            </>
          ))}
        </p>
      )}
      <section aria-labelledby="why">
        <h2 id="why">{t('agenda.why')}</h2>
        {details.why.length === 0 ? (
          <p class="usa-hint">{t('agenda.why_none')}</p>
        ) : (
          <dl class="convene-facts">
            {details.why.map((w) => (
              <>
                <dt>{t(`perspective.${w.perspective}`)}</dt>
                <dd>
                  <Loc ctx={ctx} row={w} field="reason" note />
                </dd>
              </>
            ))}
          </dl>
        )}
      </section>
      <section aria-labelledby="milestones" class="margin-top-4">
        <h2 id="milestones">{t('agenda.milestones')}</h2>
        {details.milestones.length === 0 ? (
          <p class="usa-hint">{t('agenda.no_milestones')}</p>
        ) : (
          <div class="convene-table-scroll">
            <table class="usa-table usa-table--borderless convene-full">
              <caption class="usa-sr-only">{t('agenda.milestones')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('agenda.milestone')}</th>
                  <th scope="col">{t('agenda.due')}</th>
                  <th scope="col">{t('agenda.done')}</th>
                  {can.edit && <th scope="col">{t('common.actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {details.milestones.map((m) => (
                  <tr>
                    <th scope="row">
                      <Loc ctx={ctx} row={m} field="title" />
                    </th>
                    <td>{m.due_on ? fmt.date(new Date(`${m.due_on}T00:00:00Z`)) : '—'}</td>
                    <td>
                      <Progress ctx={ctx} percent={m.percent} label={m.title} />
                    </td>
                    {can.edit && (
                      <td>
                        <form method="post" action={`${base}/milestones/${m.id}`} class="convene-watch__row">
                          <input type="hidden" name="_csrf" value={ctx.csrf()} />
                          <label class="usa-sr-only" for={`pct-${m.id}`}>
                            {t('agenda.percent_label', { title: m.title })}
                          </label>
                          <input class="usa-input usa-input--xs" id={`pct-${m.id}`} name="percent" type="number" min={0} max={100} value={String(m.percent)} />
                          <button class="usa-button usa-button--outline" type="submit">
                            {t('common.save')}
                          </button>
                        </form>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {can.edit && (
          <details class="convene-disclosure">
            <summary>{t('agenda.add_milestone')}</summary>
            <ErrorSummary ctx={ctx} form={forms.milestone} labels={{ title: t('agenda.milestone'), due_on: t('agenda.due'), percent: t('agenda.done') }} />
            <Form ctx={ctx} action={`${base}/milestones`} label={t('agenda.add_milestone')} class="usa-form">
              <BilingualField ctx={ctx} form={forms.milestone} name="title" label={t('agenda.milestone')} required maxLength={300} />
              <TextField ctx={ctx} form={forms.milestone} name="due_on" label={t('agenda.due')} type="date" width="md" />
              <TextField ctx={ctx} form={{ ...forms.milestone, values: { percent: '0', ...forms.milestone.values } }} name="percent" label={t('agenda.done')} inputMode="numeric" width="sm" required />
              <Submit label={t('agenda.add_milestone')} />
            </Form>
          </details>
        )}
      </section>
      <section aria-labelledby="work" class="margin-top-4">
        <h2 id="work">{t('agenda.work')}</h2>
        {details.priorities.length + details.threads.length + details.resources.length === 0 && <p class="usa-hint">{t('agenda.no_work')}</p>}
        {details.priorities.length > 0 && (
          <>
            <h3>{t('agenda.priorities')}</h3>
            <ul class="usa-list">
              {details.priorities.map((p) => (
                <li>
                  <a class="usa-link" href={`/groups/${p.slug}`}>
                    <bdi>{p.name}</bdi>
                  </a>
                  , {t('agenda.priority_n', { n: p.position })}
                  {p.text ? ': ' : ''}
                  {p.text ? <Loc ctx={ctx} row={p} field="text" /> : null}
                </li>
              ))}
            </ul>
          </>
        )}
        {details.hiddenPriorities > 0 && <p class="usa-hint">{t('agenda.hidden_priorities', { count: details.hiddenPriorities })}</p>}
        {details.threads.length > 0 && (
          <>
            <h3>{t('agenda.threads')}</h3>
            <ul class="usa-list">
              {details.threads.map((th) => (
                <li>
                  <a class="usa-link" href={`/threads/${th.id}`}>
                    <bdi>{th.title}</bdi>
                  </a>{' '}
                  ({t('discussions.replies')}: {fmt.number(th.reply_count)})
                </li>
              ))}
            </ul>
          </>
        )}
        {details.resources.length > 0 && (
          <>
            <h3>{t('agenda.resources')}</h3>
            <ul class="usa-list">
              {details.resources.map((r) => (
                <li>
                  <a class="usa-link" href={`/resources/${r.slug}`}>
                    {r.title}
                  </a>{' '}
                  ({t(`resources.kind.${r.kind}`)})
                </li>
              ))}
            </ul>
          </>
        )}
        {can.edit && (
          <Form ctx={ctx} action={`${base}/links`} label={t('agenda.link_work')} class="usa-form">
            <ErrorSummary ctx={ctx} form={forms.link} labels={{ url: t('agenda.link_work') }} />
            <TextField ctx={ctx} form={forms.link} name="url" label={t('agenda.link_work')} hint={t('agenda.link_hint')} required maxLength={500} />
            <Submit label={t('agenda.link_button')} />
          </Form>
        )}
        {can.linkPriority && priorityOptions.length > 0 && (
          <Form ctx={ctx} action={`${base}/priorities`} label={t('agenda.link_priority')} class="usa-form">
            <Select ctx={ctx} form={forms.priority} name="priority" label={t('agenda.link_priority')} options={priorityOptions} required />
            <Submit label={t('agenda.link_button')} />
          </Form>
        )}
      </section>
      <WhoIsntHere ctx={ctx} gaps={gaps} id="who" />
      <section aria-labelledby="updates" class="margin-top-4">
        <h2 id="updates">{t('agenda.updates')}</h2>
        {can.update && (
          <>
            <ErrorSummary ctx={ctx} form={forms.update} labels={bilingualLabels(ctx, { body: t('agenda.update_label') }, ['body'])} />
            <Form ctx={ctx} action={`${base}/updates`} idempotencyKey={idempotencyKey} label={t('agenda.post_update')} class="usa-form">
              <BilingualField ctx={ctx} form={forms.update} name="body" label={t('agenda.update_label')} textarea rows={3} required maxLength={5000} />
              <Submit label={t('agenda.post_update')} />
            </Form>
          </>
        )}
        {details.updates.length === 0 ? (
          <p class="usa-hint">{t('agenda.no_updates')}</p>
        ) : (
          <ol class="usa-list usa-list--unstyled">
            {details.updates.map((u) => (
              <li class="convene-notification">
                <div class="margin-y-05" lang={u.lang_of?.body !== ctx.locale ? u.lang_of?.body : undefined} dangerouslySetInnerHTML={{ __html: (u as { html?: string }).html ?? '' }} />
                {u.lang_of?.body && u.lang_of.body !== ctx.locale && <OnlyIn ctx={ctx} lang={u.lang_of.body} />}
                <p class="margin-y-05 font-sans-3xs text-base-dark">
                  {u.author ?? t('discussions.former_member')} · <time dateTime={u.created_at.toISOString()}>{fmt.dateTime(u.created_at)}</time>
                  {u.decision_id ? (
                    <>
                      {' · '}
                      <a class="usa-link" href={`/decisions/${u.decision_id}`}>
                        {t('decisions.view')}
                      </a>
                    </>
                  ) : null}
                </p>
              </li>
            ))}
          </ol>
        )}
      </section>
      {stories && <LinkedStories ctx={ctx} stories={stories.rows} tellHref={stories.tellHref} />}
    </>
  );
}

export function AgendaFormView({ ctx, form, action, organizations, idempotencyKey, editing }: { ctx: PageContext; form: FormState; action: string; organizations: { value: string; label: string }[]; idempotencyKey?: string; editing: boolean }) {
  const { t } = ctx;
  const labels: Record<string, string> = {
    title: t('agenda.field.title'),
    description: t('agenda.field.description'),
    status: t('agenda.field.status'),
    owners: t('agenda.owners'),
    ...Object.fromEntries(PERSPECTIVES.map((p) => [`why_${p}`, t('agenda.why_for', { perspective: t(`perspective.${p}`) })])),
  };
  return (
    <>
      <ErrorSummary ctx={ctx} form={form} labels={bilingualLabels(ctx, labels, ['title', 'description', ...PERSPECTIVES.map((p) => `why_${p}`)])} />
      <Form ctx={ctx} action={action} idempotencyKey={idempotencyKey} label={editing ? t('agenda.edit') : t('agenda.new')}>
        <BilingualField ctx={ctx} form={form} name="title" label={labels.title!} required maxLength={200} />
        <BilingualField ctx={ctx} form={form} name="description" label={labels.description!} textarea rows={4} maxLength={10000} />
        <Select ctx={ctx} form={form} name="status" label={labels.status!} options={AGENDA_STATUSES.map((s) => ({ value: s, label: t(`agenda.status.${s}`) }))} />
        <ChoiceGroup ctx={ctx} form={form} name="owners" label={labels.owners!} multiple columns options={organizations} />
        <fieldset class="usa-fieldset margin-top-3">
          <legend class="usa-legend usa-legend--large">{t('agenda.why')}</legend>
          <p class="usa-hint">{t('agenda.why_hint')}</p>
          {PERSPECTIVES.map((p) => (
            <BilingualField ctx={ctx} form={form} name={`why_${p}`} label={labels[`why_${p}`]!} textarea rows={2} maxLength={1000} />
          ))}
        </fieldset>
        <Submit label={editing ? t('common.save') : t('agenda.create')} />
      </Form>
    </>
  );
}

/** The group page's depth-of-interaction history and (for leads) the self-rating form. */
export function DepthSection({ ctx, reviews, canReview, action, form }: { ctx: PageContext; reviews: { level: string; notes: string; created_at: Date; reviewer: string | null }[]; canReview: boolean; action: string; form: FormState }) {
  const { t, fmt } = ctx;
  return (
    <section aria-labelledby="depth" class="margin-top-4">
      <h2 id="depth">{t('agenda.depth')}</h2>
      <p class="usa-hint">{t('agenda.depth_hint')}</p>
      {reviews.length === 0 ? (
        <p>{t('agenda.no_reviews')}</p>
      ) : (
        <div class="convene-table-scroll">
          <table class="usa-table usa-table--borderless convene-full">
            <caption class="usa-sr-only">{t('agenda.depth')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('reach.day')}</th>
                <th scope="col">{t('agenda.level')}</th>
                <th scope="col">{t('agenda.notes')}</th>
              </tr>
            </thead>
            <tbody>
              {reviews.map((r) => (
                <tr>
                  <th scope="row">{fmt.date(r.created_at)}</th>
                  <td>
                    {t(`agenda.depth_level.${r.level}`)} ({DEPTH_LEVELS.indexOf(r.level as never) + 1}/4)
                  </td>
                  <td>{r.notes}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canReview && (
        <details class="convene-disclosure">
          <summary>{t('agenda.rate_group')}</summary>
          <ErrorSummary ctx={ctx} form={form} labels={{ level: t('agenda.level'), notes: t('agenda.notes') }} />
          <Form ctx={ctx} action={action} label={t('agenda.rate_group')} class="usa-form">
            <ChoiceGroup ctx={ctx} form={form} name="level" label={t('agenda.level')} required options={DEPTH_LEVELS.map((l) => ({ value: l, label: `${t(`agenda.depth_level.${l}`)}: ${t(`agenda.depth_help.${l}`)}` }))} />
            <TextArea ctx={ctx} form={form} name="notes" label={t('agenda.notes')} rows={3} maxLength={5000} />
            <Submit label={t('agenda.save_review')} />
          </Form>
        </details>
      )}
    </section>
  );
}

export { ButtonForm };
