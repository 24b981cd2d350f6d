import { BilingualField, LanguageSelect, OnlyIn, Tx, bilingualLabels } from '../platform/views/bilingual.js';
import type { ComponentChildren } from 'preact';
import type { PageContext } from '../platform/views/context.js';
import { ButtonForm, ChoiceGroup, ErrorSummary, Form, JargonAcknowledge, PrivacyAcknowledge, Select, Submit, TextArea, TextField, type FormState } from '../platform/views/forms.js';
import { PERSPECTIVES, STATE_CODES, STATES, LEVELS } from '../community/vocab.js';
import { ACCESSIBILITY_FACTS, CHANNELS, EVIDENCE_LEVELS, RESOURCE_KINDS, RESOURCE_SORTS, RESOURCE_VISIBILITIES, REVIEW_STATUSES, USE_SETTINGS } from './vocab.js';
import type { Facet, LibraryFilters, LibraryItem, ResourceRow, resourceDetails, recentUseReports } from './queries.js';

type Options = { value: string; label: string }[];

/** How a facet's stored value is shown. */
function facetLabel(ctx: PageContext, facet: Facet, value: string, label?: string): string {
  const { t } = ctx;
  switch (facet) {
    case 'kind':
      return t(`resources.kind.${value}`);
    case 'audience':
      return t(`perspective.${value}`);
    case 'evidence':
      return t(`resources.evidence.${value}`);
    case 'level':
      return t(`level.${value}`);
    case 'language':
      return value === 'es' ? 'Español' : 'English';
    case 'review':
      return t(`resources.review.${value}`);
    case 'accessibility':
      return t(`resources.a11y.${value}`);
    default:
      return label ?? value;
  }
}

const FACET_ORDER: Facet[] = ['kind', 'audience', 'topic', 'group', 'organization', 'evidence', 'review', 'level', 'language', 'accessibility'];

function Highlight({ text }: { text: string }) {
  const parts = text.split(/(⟦[^⟧]*⟧)/);
  return (
    <>
      {parts.map((p) => (p.startsWith('⟦') && p.endsWith('⟧') ? <mark>{p.slice(1, -1)}</mark> : p))}
    </>
  );
}

export function LibraryView({ ctx, filters, result, canAdd }: { ctx: PageContext; filters: LibraryFilters; result: { items: LibraryItem[]; total: number; facets: Record<Facet, { value: string; label?: string; count: number }[]> }; canAdd: boolean }) {
  const { t, fmt } = ctx;
  const page = filters.page ?? 1;
  const selected = (facet: Facet) => new Set((filters[facet] as (string | number)[] | undefined)?.map(String) ?? []);
  const query = new URLSearchParams();
  if (filters.q) query.set('q', filters.q);
  if (filters.sort) query.set('sort', filters.sort);
  for (const f of FACET_ORDER) for (const v of selected(f)) query.append(f, v);
  const pageHref = (p: number) => {
    const q = new URLSearchParams(query);
    q.set('page', String(p));
    return `/resources?${q.toString()}`;
  };
  const pages = Math.max(1, Math.ceil(result.total / 20));
  const chosenCount = FACET_ORDER.reduce((n, f) => n + selected(f).size, 0);
  return (
    <div class="grid-row grid-gap-4">
      <div class="grid-col-12 desktop:grid-col-4">
        <form method="get" action="/resources" class="usa-form convene-facets" role="search" aria-label={t('resources.filter_label')}>
          <label class="usa-label" for="library-q">
            {t('resources.search_label')}
          </label>
          <div class="usa-hint" id="library-q-hint">
            {t('search.syntax_hint')}
          </div>
          <input class="usa-input" id="library-q" name="q" type="search" value={filters.q ?? ''} maxLength={200} aria-describedby="library-q-hint" />
          <label class="usa-label" for="library-sort">
            {t('resources.sort_label')}
          </label>
          <select class="usa-select" id="library-sort" name="sort">
            {RESOURCE_SORTS.map((s) => (
              <option value={s} selected={(filters.sort ?? (filters.q ? 'relevance' : 'newest')) === s}>
                {t(`resources.sort.${s}`)}
              </option>
            ))}
          </select>
          {/* On a phone the facets fold behind "Filters" (convene.js closes the disclosure on
              narrow screens; it is open without JavaScript and on wide screens). */}
          <details class="convene-filters margin-top-2" open data-fold-narrow="">
            <summary class="convene-filters__toggle">
              {t('resources.filters')}
              {chosenCount > 0 && ` (${t('resources.filters_chosen', { count: chosenCount, n: fmt.number(chosenCount) })})`}
            </summary>
          {FACET_ORDER.map((facet) => {
            const values = result.facets[facet];
            const chosen = selected(facet);
            if (values.length === 0 && chosen.size === 0) return null;
            return (
              <fieldset class="usa-fieldset margin-top-2">
                <legend class="usa-legend text-bold">{t(`resources.facet.${facet}`)}</legend>
                {values.map((v) => {
                  const id = `facet-${facet}-${v.value.replace(/[^a-z0-9_-]/gi, '-')}`;
                  return (
                    <div class="usa-checkbox">
                      <input class="usa-checkbox__input" type="checkbox" id={id} name={facet} value={v.value} checked={chosen.has(v.value)} />
                      <label class="usa-checkbox__label" for={id}>
                        {facetLabel(ctx, facet, v.value, v.label)} <span class="text-base">({fmt.number(v.count)})</span>
                      </label>
                    </div>
                  );
                })}
              </fieldset>
            );
          })}
          </details>
          <button class="usa-button margin-top-2" type="submit">
            {t('resources.apply')}
          </button>
          <a class="usa-link display-block margin-top-1" href="/resources">
            {t('resources.clear')}
          </a>
        </form>
      </div>
      <div class="grid-col-12 desktop:grid-col-8">
        <div class="convene-toolbar margin-bottom-2">
          <p role="status" class="margin-0">
            {t('resources.count', { count: result.total })}
          </p>
          {canAdd && (
            <a class="usa-button" href="/resources/new">
              {t('resources.add')}
            </a>
          )}
          <a class="usa-link" href="/collections">
            {t('collections.title')}
          </a>
          <a class="usa-link" href="/resources/feed.atom">
            {t('resources.feed')}
          </a>
        </div>
        {result.items.length === 0 ? (
          <p>{t('resources.none')}</p>
        ) : (
          <ul class="usa-list usa-list--unstyled convene-resources">
            {result.items.map((r) => (
              <li class="convene-resource">
                <h2 class="margin-bottom-05 font-heading-md">
                  <a class="usa-link" href={`/resources/${r.slug}`}>
                    <Tx ctx={ctx} row={r} field="title" />
                  </a>
                </h2>
                <p class="margin-y-05">
                  <span class="usa-tag">{t(`resources.kind.${r.kind}`)}</span> <span class="usa-tag bg-accent-cool-darker">{t(`resources.evidence.${r.evidence_level}`)}</span>{' '}
                  {r.language !== ctx.locale && <span class="usa-tag bg-base-darker">{r.language === 'es' ? 'Español' : 'English'}</span>}
                </p>
                {r.snippet ? (
                  <p class="margin-y-05" lang={r.language !== ctx.locale ? r.language : undefined}>
                    <Highlight text={r.snippet} />
                  </p>
                ) : (
                  <p class="margin-y-05">
                    <Tx ctx={ctx} row={r} field="summary" />
                  </p>
                )}
                <p class="margin-y-05 font-sans-3xs text-base-dark">
                  {r.published_on && <>{fmt.date(new Date(`${r.published_on}T00:00:00Z`))} · </>}
                  {r.audiences.map((a) => t(`perspective.${a}`)).join(', ')}
                  {r.uses > 0 && <> · {t('resources.uses', { count: r.uses })}</>}
                </p>
              </li>
            ))}
          </ul>
        )}
        {pages > 1 && (
          <nav aria-label={t('common.pagination')} class="margin-top-3">
            <ul class="usa-list usa-list--unstyled convene-inline-list">
              {page > 1 && (
                <li>
                  <a class="usa-link" href={pageHref(page - 1)}>
                    {t('common.previous_page')}
                  </a>
                </li>
              )}
              <li>{t('resources.page_of', { page, pages })}</li>
              {page < pages && (
                <li>
                  <a class="usa-link" href={pageHref(page + 1)}>
                    {t('common.next_page')}
                  </a>
                </li>
              )}
            </ul>
          </nav>
        )}
      </div>
    </div>
  );
}

export function ResourceFormView({
  ctx,
  form,
  options,
  action,
  idempotencyKey,
  canReview,
  editing,
}: {
  ctx: PageContext;
  form: FormState;
  options: { groups: Options; organizations: Options };
  action: string;
  idempotencyKey?: string;
  canReview: boolean;
  editing: boolean;
}) {
  const { t } = ctx;
  const labels: Record<string, string> = {
    title: t('resources.field.title'),
    summary: t('resources.field.summary'),
    description: t('resources.field.description'),
    kind: t('resources.field.kind'),
    external_url: t('resources.field.external_url'),
    file: t('resources.field.file'),
    alt_text: t('resources.field.alt_text'),
    authors: t('resources.field.authors'),
    organizations: t('resources.field.organizations'),
    groups: t('resources.field.groups'),
    audiences: t('resources.field.audiences'),
    topics: t('resources.field.topics'),
    level: t('resources.field.level'),
    language: t('resources.field.language'),
    evidence_level: t('resources.field.evidence_level'),
    review_status: t('resources.field.review_status'),
    published_on: t('resources.field.published_on'),
    visibility: t('resources.field.visibility'),
    group: t('resources.field.group'),
    accessibility: t('resources.field.accessibility'),
    acknowledge_jargon: t('jargon.heading'),
    acknowledge_privacy: t('privacy.heading'),
  };
  const fileError = form.errors.file;
  return (
    <>
      <ErrorSummary ctx={ctx} form={form} labels={bilingualLabels(ctx, labels, ['title', 'summary'])} />
      <form method="post" action={action} class="usa-form usa-form--large" enctype="multipart/form-data" aria-label={editing ? t('resources.edit') : t('resources.add')} noValidate>
        <input type="hidden" name="_csrf" value={ctx.csrf()} />
        {idempotencyKey && <input type="hidden" name="_idem" value={idempotencyKey} />}
        <LanguageSelect ctx={ctx} form={form} label={labels.language!} hint={t('resources.language_hint')} />
        <BilingualField ctx={ctx} form={form} name="title" label={labels.title!} required maxLength={300} />
        <Select ctx={ctx} form={form} name="kind" label={labels.kind!} required options={RESOURCE_KINDS.map((k) => ({ value: k, label: t(`resources.kind.${k}`) }))} emptyLabel={t('forms.choose')} />
        <BilingualField ctx={ctx} form={form} name="summary" label={labels.summary!} hint={t('resources.summary_hint')} textarea rows={4} maxLength={2000} />
        <TextArea ctx={ctx} form={form} name="description" label={labels.description!} hint={t('discussions.markdown_hint')} rows={6} maxLength={20000} />
        <div class={`usa-form-group${fileError ? ' usa-form-group--error' : ''}`}>
          <label class="usa-label" for="field-file">
            {labels.file}
          </label>
          <span class="usa-hint" id="field-file-hint">
            {editing ? t('resources.file_hint_edit') : t('resources.file_hint')}
          </span>
          {fileError && (
            <span class="usa-error-message" id="field-file-error">
              {fileError}
            </span>
          )}
          <input class="usa-input" id="field-file" name="file" type="file" aria-describedby={`field-file-hint${fileError ? ' field-file-error' : ''}`} aria-invalid={fileError ? 'true' : undefined} />
        </div>
        <TextField ctx={ctx} form={form} name="alt_text" label={labels.alt_text!} hint={t('resources.alt_hint')} maxLength={1000} />
        <TextField ctx={ctx} form={form} name="external_url" label={labels.external_url!} type="url" hint={t('resources.link_hint')} maxLength={500} />
        <TextField ctx={ctx} form={form} name="authors" label={labels.authors!} maxLength={500} />
        <ChoiceGroup ctx={ctx} form={form} name="audiences" label={labels.audiences!} hint={t('resources.audiences_hint')} multiple columns options={PERSPECTIVES.map((p) => ({ value: p, label: t(`perspective.${p}`) }))} />
        <TextField ctx={ctx} form={form} name="topics" label={labels.topics!} hint={t('resources.topics_hint')} maxLength={500} />
        {options.groups.length > 0 && <ChoiceGroup ctx={ctx} form={form} name="groups" label={labels.groups!} multiple columns options={options.groups} />}
        <ChoiceGroup ctx={ctx} form={form} name="organizations" label={labels.organizations!} multiple columns options={options.organizations} />
        <Select ctx={ctx} form={form} name="level" label={labels.level!} options={LEVELS.map((l) => ({ value: l, label: t(`level.${l}`) }))} />
        <Select ctx={ctx} form={form} name="evidence_level" label={labels.evidence_level!} hint={t('resources.evidence_hint')} options={EVIDENCE_LEVELS.map((e) => ({ value: e, label: t(`resources.evidence.${e}`) }))} />
        {canReview && <Select ctx={ctx} form={form} name="review_status" label={labels.review_status!} options={REVIEW_STATUSES.map((e) => ({ value: e, label: t(`resources.review.${e}`) }))} />}
        <TextField ctx={ctx} form={form} name="published_on" label={labels.published_on!} type="date" hint={t('resources.date_hint')} width="md" />
        <ChoiceGroup ctx={ctx} form={form} name="visibility" label={labels.visibility!} options={RESOURCE_VISIBILITIES.map((v) => ({ value: v, label: t(`resources.visibility.${v}`) }))} />
        {options.groups.length > 0 && <Select ctx={ctx} form={form} name="group" label={labels.group!} hint={t('resources.group_hint')} options={options.groups} emptyLabel={t('forms.choose_optional')} />}
        <ChoiceGroup ctx={ctx} form={form} name="accessibility" label={labels.accessibility!} multiple options={ACCESSIBILITY_FACTS.map((a) => ({ value: a, label: t(`resources.a11y.${a}`) }))} />
        <PrivacyAcknowledge ctx={ctx} form={form} />
        <JargonAcknowledge ctx={ctx} form={form} />
        <Submit label={editing ? t('common.save') : t('resources.add')} />
      </form>
    </>
  );
}

type Details = Awaited<ReturnType<typeof resourceDetails>>;
type Uses = Awaited<ReturnType<typeof recentUseReports>>;

/** One row of a definition list, left out when there is nothing to show. */
function Fact({ label, show = true, children }: { label: string; show?: boolean; children: ComponentChildren }) {
  if (!show) return null;
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** Links separated by commas. */
function LinkList({ items }: { items: { href: string; text: string }[] }) {
  return (
    <>
      {items.map((item, i) => (
        <>
          {i > 0 && ', '}
          <a class="usa-link" href={item.href}>
            {item.text}
          </a>
        </>
      ))}
    </>
  );
}

export function ResourceView({
  ctx,
  resource: r,
  details,
  uses,
  partners,
  forms,
  idempotencyKey,
  baseUrl,
  can,
  html,
  memberTranslation,
}: {
  ctx: PageContext;
  /** A member's translation of the title and summary into the other language. */
  memberTranslation?: { language: string; title: string; body: string; translator: string | null; corrector: string | null };
  /** Summary and description as HTML, with glossary terms marked up. */
  html: { summary: string; description: string };
  resource: ResourceRow & { lang_of?: Record<string, string> };
  details: Details;
  uses: Uses;
  partners: Options;
  forms: { link: FormState; report: FormState };
  idempotencyKey: string;
  baseUrl: string;
  can: { edit: boolean; review: boolean; signIn: boolean; translate?: boolean; askTranslation?: boolean };
}) {
  const { t, fmt } = ctx;
  const lang = r.language !== ctx.locale ? r.language : undefined;
  const otherLanguage = t(`translate.language.${r.language === 'es' ? 'en' : 'es'}`);
  // The facilitators' own translation already shows the summary in the reader's language.
  const translatedByEditors = r.language !== ctx.locale && r.lang_of?.summary === ctx.locale;
  const latest = details.files[0];
  const older = details.files.slice(1);
  const size = (n: number) => ctx.fmt.fileSize(n);
  const reportLabels = {
    partner: t('resources.field.partner'),
    channel: t('resources.field.channel'),
    recipients: t('resources.field.recipients'),
    sent_on: t('resources.field.sent_on'),
    audiences: t('resources.field.audiences'),
    states: t('resources.field.states'),
    evidence_url: t('resources.field.evidence_url'),
    note: t('resources.field.note'),
  };
  return (
    <div class="grid-row grid-gap-4">
      <div class="grid-col-12 desktop:grid-col-8">
        <p>
          <span class="usa-tag">{t(`resources.kind.${r.kind}`)}</span> <span class="usa-tag bg-accent-cool-darker">{t(`resources.evidence.${r.evidence_level}`)}</span>{' '}
          <span class="usa-tag bg-base-darker">{t(`resources.review.${r.review_status}`)}</span>
        </p>
        {r.summary && (
          <section aria-labelledby="summary-heading">
            <h2 id="summary-heading">{t('resources.field.summary')}</h2>
            {r.lang_of?.summary !== ctx.locale && <OnlyIn ctx={ctx} lang={r.lang_of?.summary} />}
            <p class="font-sans-md" lang={r.lang_of?.summary !== ctx.locale ? r.lang_of?.summary : undefined} dangerouslySetInnerHTML={{ __html: html.summary }} />
          </section>
        )}
        {memberTranslation ? (
          <section aria-labelledby="translation-heading" id="translation" class="convene-translation">
            <h2 id="translation-heading">{t('translate.member.translation_of', { language: t(`translate.language.${memberTranslation.language}`) })}</h2>
            <div lang={memberTranslation.language !== ctx.locale ? memberTranslation.language : undefined}>
              <p class="text-bold margin-y-05">{memberTranslation.title}</p>
              <p class="margin-y-05 convene-prewrap">{memberTranslation.body}</p>
            </div>
            <p class="usa-hint">
              {memberTranslation.translator ? t('translate.member.by', { name: memberTranslation.translator }) : t('translate.member.by_former')}
              {memberTranslation.corrector && `, ${t('translate.member.corrected_by', { name: memberTranslation.corrector })}`}
              {can.translate && (
                <>
                  {' · '}
                  <a class="usa-link" href={`/resources/${r.slug}/translate`}>
                    {t('translate.member.correct')}
                  </a>
                </>
              )}
            </p>
          </section>
        ) : (
          r.language !== ctx.locale &&
          !translatedByEditors &&
          (can.translate || can.askTranslation) && (
            <div id="translation" class="convene-translation-actions">
              {can.askTranslation && <ButtonForm ctx={ctx} action={`/resources/${r.slug}/translation-request`} label={t('translate.member.ask', { language: otherLanguage })} variant="unstyled" />}
              {can.translate && (
                <a class="usa-link margin-left-1" href={`/resources/${r.slug}/translate`}>
                  {t('translate.member.translate', { language: otherLanguage })}
                </a>
              )}
            </div>
          )
        )}
        <div class="convene-actions margin-y-2">
          {latest && (
            <a class="usa-button" href={`/resources/${r.slug}/files/${latest.id}`}>
              {t('resources.download', { type: latest.filename.split('.').pop()!.toUpperCase(), size: size(latest.size_bytes) })}
            </a>
          )}
          {latest?.extract_error && <p class="usa-hint">{t(`resources.extract_error.${latest.extract_error}`)}</p>}
          {r.external_url && (
            <a class="usa-button usa-button--outline" href={r.external_url} rel="noopener noreferrer">
              {t('resources.open_link')}
            </a>
          )}
          <a class="usa-button usa-button--secondary" href={`/resources/${r.slug}/use`}>
            {t('resources.tell_us')}
          </a>
          {can.edit && (
            <a class="usa-link" href={`/resources/${r.slug}/edit`}>
              {t('resources.edit')}
            </a>
          )}
        </div>
        {latest?.alt_text && <p class="usa-hint">{t('resources.alt_shown', { alt: latest.alt_text })}</p>}
        {r.description && <div class="convene-post__body" lang={lang} dangerouslySetInnerHTML={{ __html: html.description }} />}
        {older.length > 0 && (
          <section aria-labelledby="versions-heading">
            <h2 id="versions-heading">{t('resources.versions')}</h2>
            <ul class="usa-list">
              {older.map((f) => (
                <li>
                  <a class="usa-link" href={`/resources/${r.slug}/files/${f.id}`}>
                    {t('resources.version', { n: f.version })}: {f.filename}
                  </a>{' '}
                  ({size(f.size_bytes)}, {fmt.date(f.created_at)})
                </li>
              ))}
            </ul>
          </section>
        )}

        <section aria-labelledby="reach" class="margin-top-4">
          <h2 id="reach">{t('resources.reach_heading')}</h2>
          <ul class="usa-list">
            <li>{t('resources.web_visitors', { count: details.web.visitors })}</li>
            <li>{t('resources.downloads', { count: details.web.downloads })}</li>
            <li>
              {t('resources.partner_recipients', { count: details.reports.filter((x) => x.status !== 'questioned').reduce((s, x) => s + x.recipients, 0) })}
            </li>
            <li>
              {t('resources.use_count', { count: details.use.n })}
              {details.use.n > 0 && <> — {t('resources.ratings', { quality: details.use.quality, relevance: details.use.relevance, usefulness: details.use.usefulness })}</>}
            </li>
          </ul>
          {details.reports.length > 0 && (
            <div class="convene-table-scroll">
              <table class="usa-table usa-table--borderless usa-table--compact convene-full">
                <caption>{t('resources.reports_caption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('resources.field.partner')}</th>
                    <th scope="col">{t('resources.field.channel')}</th>
                    <th scope="col">{t('resources.field.sent_on')}</th>
                    <th scope="col" class="text-right">
                      {t('resources.field.recipients')}
                    </th>
                    <th scope="col">{t('resources.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {details.reports.map((d) => (
                    <tr>
                      <th scope="row">
                        {d.org_name ?? d.state_name}
                        {d.evidence_url && (
                          <>
                            {' '}
                            <a class="usa-link" href={d.evidence_url} rel="nofollow noopener noreferrer">
                              {t('resources.evidence_link')}
                            </a>
                          </>
                        )}
                      </th>
                      <td>{t(`resources.channel.${d.channel}`)}</td>
                      <td>{fmt.date(new Date(`${d.sent_on}T00:00:00Z`))}</td>
                      <td class="text-right">{fmt.number(d.recipients)}</td>
                      <td>
                        {t(`resources.report_status.${d.status}`)}
                        {d.review_note && <span class="display-block usa-hint">{d.review_note}</span>}
                        {can.review && (
                          <span class="display-block">
                            {d.status !== 'verified' && <ButtonForm ctx={ctx} action={`/dissemination/${d.id}/review`} hidden={{ status: 'verified' }} label={t('resources.verify')} variant="unstyled" />}
                            {d.status !== 'questioned' && <ButtonForm ctx={ctx} action={`/dissemination/${d.id}/review`} hidden={{ status: 'questioned' }} label={t('resources.question')} variant="unstyled" />}
                          </span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {uses.length > 0 && (
            <>
              <h3>{t('resources.recent_uses')}</h3>
              <ul class="usa-list">
                {uses.map((u) => (
                  <li>
                    “{u.how_used}”{' '}
                    <span class="text-base-dark">
                      — {[u.perspective && t(`perspective.${u.perspective}`), u.setting && t(`resources.setting.${u.setting}`), u.state_code && STATES[u.state_code]].filter(Boolean).join(', ')}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>

        <section aria-labelledby="share" class="margin-top-4">
          <h2 id="share">{t('resources.share_heading')}</h2>
          <p>{t('resources.share_lead')}</p>
          {details.links.length > 0 && (
            <ul class="usa-list">
              {details.links.map((l) => (
                <li>
                  <code>
                    {baseUrl}/r/{l.code}
                  </code>{' '}
                  — {l.org_name ?? l.state_name}, {t(`resources.channel.${l.channel}`)} ({t('resources.visits', { count: l.visits })})
                </li>
              ))}
            </ul>
          )}
          {can.signIn && (
            <p>
              <a class="usa-link" href={`/login?next=${encodeURIComponent(`/resources/${r.slug}`)}`}>
                {t('resources.sign_in_to_share')}
              </a>
            </p>
          )}
          {partners.length > 0 && (
            <>
              <ErrorSummary ctx={ctx} form={forms.link} labels={{ partner: reportLabels.partner, channel: reportLabels.channel }} />
              <Form ctx={ctx} action={`/resources/${r.slug}/links`} label={t('resources.make_link')} class="usa-form">
                <Select ctx={ctx} form={{ ...forms.link, values: { partner: partners[0]!.value, ...forms.link.values } }} name="partner" label={reportLabels.partner} options={partners} required />
                <Select ctx={ctx} form={forms.link} name="channel" label={reportLabels.channel} options={CHANNELS.map((c) => ({ value: c, label: t(`resources.channel.${c}`) }))} />
                <Submit label={t('resources.make_link')} />
              </Form>
              <h3 class="margin-top-4">{t('resources.report_heading')}</h3>
              <p>{t('resources.report_lead')}</p>
              <ErrorSummary ctx={ctx} form={forms.report} labels={reportLabels} />
              <Form ctx={ctx} action={`/resources/${r.slug}/dissemination`} label={t('resources.report_heading')} idempotencyKey={idempotencyKey} class="usa-form">
                <Select ctx={ctx} form={{ ...forms.report, values: { partner: partners[0]!.value, ...forms.report.values } }} name="partner" label={reportLabels.partner} options={partners} required />
                <Select ctx={ctx} form={forms.report} name="channel" label={reportLabels.channel} options={CHANNELS.map((c) => ({ value: c, label: t(`resources.channel.${c}`) }))} required />
                <TextField ctx={ctx} form={forms.report} name="recipients" label={reportLabels.recipients} inputMode="numeric" required width="md" />
                <TextField ctx={ctx} form={forms.report} name="sent_on" label={reportLabels.sent_on} type="date" required width="md" />
                <ChoiceGroup ctx={ctx} form={forms.report} name="audiences" label={reportLabels.audiences} multiple columns options={PERSPECTIVES.map((p) => ({ value: p, label: t(`perspective.${p}`) }))} />
                <Select ctx={ctx} form={forms.report} name="states" label={reportLabels.states} hint={t('resources.states_hint')} options={STATE_CODES.map((c) => ({ value: c, label: STATES[c]! }))} emptyLabel={t('forms.choose_optional')} />
                <TextField ctx={ctx} form={forms.report} name="evidence_url" label={reportLabels.evidence_url} type="url" maxLength={500} />
                <TextArea ctx={ctx} form={forms.report} name="note" label={reportLabels.note} rows={3} maxLength={2000} />
                <Submit label={t('resources.send_report')} />
              </Form>
            </>
          )}
        </section>
      </div>
      <aside class="grid-col-12 desktop:grid-col-4" aria-labelledby="facts-heading">
        <h2 id="facts-heading">{t('resources.facts')}</h2>
        <dl class="convene-facts">
          <Fact label={t('resources.field.authors')} show={!!r.authors}>
            {r.authors}
          </Fact>
          <Fact label={t('resources.field.organizations')} show={details.organizations.length > 0}>
            <LinkList items={details.organizations.map((o) => ({ href: `/organizations/${o.slug}`, text: o.name }))} />
          </Fact>
          <Fact label={t('resources.field.published_on')} show={!!r.published_on}>
            {r.published_on && fmt.date(new Date(`${r.published_on}T00:00:00Z`))}
          </Fact>
          <Fact label={t('resources.field.audiences')} show={r.audiences.length > 0}>
            {r.audiences.map((a) => t(`perspective.${a}`)).join(', ')}
          </Fact>
          <Fact label={t('resources.field.topics')} show={r.topics.length > 0}>
            <LinkList items={r.topics.map((tp) => ({ href: `/resources?topic=${encodeURIComponent(tp)}`, text: tp }))} />
          </Fact>
          <Fact label={t('resources.field.groups')} show={details.groups.length > 0}>
            <LinkList items={details.groups.map((g) => ({ href: `/groups/${g.slug}`, text: g.name }))} />
          </Fact>
          <Fact label={t('resources.field.level')}>{t(`level.${r.level}`)}</Fact>
          <Fact label={t('resources.field.language')}>{r.language === 'es' ? 'Español' : 'English'}</Fact>
          <Fact label={t('resources.field.visibility')}>{t(`resources.visibility.${r.visibility}`)}</Fact>
          <Fact label={t('resources.field.accessibility')}>{r.accessibility.length ? r.accessibility.map((a) => t(`resources.a11y.${a}`)).join(', ') : t('resources.a11y_none')}</Fact>
          <Fact label={t('collections.title')} show={details.collections.length > 0}>
            <LinkList items={details.collections.map((c) => ({ href: `/collections/${c.slug}`, text: c.title }))} />
          </Fact>
        </dl>
        {can.edit && <ButtonForm ctx={ctx} action={`/resources/${r.slug}/delete`} label={t('resources.delete')} variant="outline" />}
      </aside>
    </div>
  );
}

export function UseReportView({ ctx, form, action, idempotencyKey }: { ctx: PageContext; form: FormState; action: string; idempotencyKey: string }) {
  const { t } = ctx;
  const labels = {
    how_used: t('resources.field.how_used'),
    perspective: t('resources.field.perspective'),
    state_code: t('resources.field.state'),
    setting: t('resources.field.setting'),
    quality: t('resources.field.quality'),
    relevance: t('resources.field.relevance'),
    usefulness: t('resources.field.usefulness'),
  };
  const scale = [1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: t(`resources.scale.${n}`) }));
  return (
    <>
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <Form ctx={ctx} action={action} idempotencyKey={idempotencyKey} label={t('resources.use_title')}>
        <TextArea ctx={ctx} form={form} name="how_used" label={labels.how_used} hint={t('resources.how_used_hint')} rows={4} required maxLength={2000} />
        <Select ctx={ctx} form={form} name="perspective" label={labels.perspective} options={PERSPECTIVES.map((p) => ({ value: p, label: t(`perspective.${p}`) }))} emptyLabel={t('forms.choose_optional')} />
        <Select ctx={ctx} form={form} name="state_code" label={labels.state_code} options={STATE_CODES.map((c) => ({ value: c, label: STATES[c]! }))} emptyLabel={t('forms.choose_optional')} />
        <Select ctx={ctx} form={form} name="setting" label={labels.setting} options={USE_SETTINGS.map((s) => ({ value: s, label: t(`resources.setting.${s}`) }))} emptyLabel={t('forms.choose_optional')} />
        <ChoiceGroup ctx={ctx} form={form} name="quality" label={labels.quality} required options={scale} />
        <ChoiceGroup ctx={ctx} form={form} name="relevance" label={labels.relevance} required options={scale} />
        <ChoiceGroup ctx={ctx} form={form} name="usefulness" label={labels.usefulness} required options={scale} />
        <p class="usa-hint">{t('resources.use_privacy')}</p>
        <Submit label={t('resources.send_use')} />
      </Form>
    </>
  );
}
