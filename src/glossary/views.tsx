import type { PageContext } from '../platform/views/context.js';
import { ButtonForm, ErrorSummary, Form, Submit, TextArea, TextField, type FormState } from '../platform/views/forms.js';
import { DISCIPLINES, type TermRow, type getTerm } from './queries.js';

type Term = NonNullable<Awaited<ReturnType<typeof getTerm>>>;

export function GlossaryView({ ctx, terms, letters, q, letter, canReview, suggestions }: { ctx: PageContext; terms: (TermRow & { perspectives: number })[]; letters: string[]; q: string; letter: string; canReview: boolean; suggestions: number }) {
  const { t, locale } = ctx;
  return (
    <>
      <form method="get" action="/glossary" class="usa-form margin-bottom-2" role="search" aria-label={t('glossary.search')}>
        <label class="usa-label" for="glossary-q">
          {t('glossary.search')}
        </label>
        <div class="convene-watch__row">
          <input class="usa-input" id="glossary-q" type="search" name="q" value={q} maxLength={100} />
          <button class="usa-button" type="submit">
            {t('common.search')}
          </button>
        </div>
      </form>
      <nav aria-label={t('glossary.az')} class="margin-bottom-2">
        <ul class="usa-list usa-list--unstyled convene-inline-list convene-az">
          <li>
            <a class="usa-link" href="/glossary" aria-current={!letter && !q ? 'page' : undefined}>
              {t('glossary.all')}
            </a>
          </li>
          {letters.map((l) => (
            <li>
              <a class="usa-link" href={`/glossary?letter=${encodeURIComponent(l)}`} aria-current={letter === l ? 'page' : undefined}>
                {l}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <p class="convene-actions">
        <a class="usa-button usa-button--outline" href="/glossary/suggest">
          {t('glossary.suggest')}
        </a>
        {canReview && (
          <a class="usa-link" href="/glossary/review">
            {t('glossary.review_queue', { count: suggestions })}
          </a>
        )}
      </p>
      <p role="status">{t('glossary.count', { count: terms.length })}</p>
      {terms.length === 0 ? (
        <p>{t('glossary.none')}</p>
      ) : (
        <dl class="convene-glossary">
          {terms.map((g) => (
            <>
              <dt>
                <a class="usa-link" href={`/glossary/${g.slug}`}>
                  {g.acronym ? `${g.acronym} — ${g.term}` : g.term}
                </a>
                {locale === 'es' && g.term_es && (
                  <span class="text-base-dark" lang="es">
                    {' '}
                    ({g.acronym_es ? `${g.acronym_es}, ` : ''}
                    {g.term_es})
                  </span>
                )}
              </dt>
              <dd lang={locale === 'es' && !g.plain_definition_es ? 'en' : undefined}>
                {locale === 'es' && g.plain_definition_es ? g.plain_definition_es : g.plain_definition}
                {g.perspectives > 0 && <span class="text-base-dark"> {t('glossary.perspectives_count', { count: g.perspectives })}</span>}
              </dd>
            </>
          ))}
        </dl>
      )}
    </>
  );
}

export function TermView({ ctx, term, canEdit }: { ctx: PageContext; term: Term; canEdit: boolean }) {
  const { t, locale, fmt } = ctx;
  return (
    <>
      {term.status !== 'published' && (
        <div class="usa-alert usa-alert--info usa-alert--slim margin-bottom-2">
          <div class="usa-alert__body">
            <p class="usa-alert__text">{t(`glossary.status.${term.status}`)}</p>
          </div>
        </div>
      )}
      {term.acronym && (
        <p class="font-sans-lg">
          <abbr title={term.term}>{term.acronym}</abbr>: {term.term}
        </p>
      )}
      <section aria-labelledby="plain">
        <h2 id="plain">{t('glossary.plain')}</h2>
        <p class="font-sans-md">{term.plain_definition}</p>
        {term.term_es && (
          <div lang="es" class="margin-top-2">
            <h3>
              {t('glossary.in_spanish')}: {term.acronym_es ? `${term.acronym_es} — ` : ''}
              {term.term_es}
            </h3>
            {term.plain_definition_es && <p>{term.plain_definition_es}</p>}
          </div>
        )}
      </section>
      {term.definitions.length > 0 && (
        <section aria-labelledby="perspectives" class="margin-top-4">
          <h2 id="perspectives">{t('glossary.by_perspective')}</h2>
          <p class="usa-hint">{t('glossary.by_perspective_hint')}</p>
          <ul class="usa-card-group">
            {term.definitions.map((d) => (
              <li class="usa-card tablet:grid-col-6 desktop:grid-col-4">
                <div class="usa-card__container">
                  <div class="usa-card__header">
                    <h3 class="usa-card__heading">{t(`glossary.discipline.${d.discipline}`)}</h3>
                  </div>
                  <div class="usa-card__body">
                    <p lang={locale === 'es' && !d.definition_es ? 'en' : undefined}>{locale === 'es' && d.definition_es ? d.definition_es : d.definition}</p>
                  </div>
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
      {term.relatedTerms.length > 0 && (
        <section aria-labelledby="related" class="margin-top-2">
          <h2 id="related">{t('glossary.related')}</h2>
          <ul class="usa-list">
            {term.relatedTerms.map((r) => (
              <li>
                <a class="usa-link" href={`/glossary/${r.slug}`}>
                  {r.acronym ? `${r.acronym} — ${r.term}` : r.term}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {term.sources && (
        <section aria-labelledby="sources" class="margin-top-2">
          <h2 id="sources">{t('glossary.sources')}</h2>
          <p class="convene-prewrap">{term.sources}</p>
        </section>
      )}
      <p class="usa-hint margin-top-3">{t('glossary.updated', { when: fmt.date(term.updated_at) })}</p>
      {canEdit && (
        <p class="convene-actions">
          <a class="usa-link" href={`/glossary/${term.slug}/edit`}>
            {t('glossary.edit')}
          </a>
          {term.status !== 'published' && <ButtonForm ctx={ctx} action={`/glossary/${term.slug}/review`} hidden={{ status: 'published' }} label={t('glossary.publish')} />}
          {term.status !== 'rejected' && <ButtonForm ctx={ctx} action={`/glossary/${term.slug}/review`} hidden={{ status: 'rejected' }} label={t('glossary.reject')} variant="outline" />}
        </p>
      )}
    </>
  );
}

export function TermFormView({ ctx, form, action, idempotencyKey, editing }: { ctx: PageContext; form: FormState; action: string; idempotencyKey?: string; editing: boolean }) {
  const { t } = ctx;
  const labels: Record<string, string> = {
    term: t('glossary.field.term'),
    acronym: t('glossary.field.acronym'),
    plain_definition: t('glossary.field.plain_definition'),
    term_es: t('glossary.field.term_es'),
    acronym_es: t('glossary.field.acronym_es'),
    plain_definition_es: t('glossary.field.plain_definition_es'),
    related: t('glossary.field.related'),
    sources: t('glossary.field.sources'),
    ...Object.fromEntries(DISCIPLINES.map((d) => [`def_${d}`, t('glossary.field.def', { discipline: t(`glossary.discipline.${d}`) })])),
  };
  return (
    <>
      {!editing && <p>{t('glossary.suggest_lead')}</p>}
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <Form ctx={ctx} action={action} idempotencyKey={idempotencyKey} label={editing ? t('glossary.edit') : t('glossary.suggest')}>
        <TextField ctx={ctx} form={form} name="term" label={labels.term!} required maxLength={120} />
        <TextField ctx={ctx} form={form} name="acronym" label={labels.acronym!} hint={t('glossary.acronym_hint')} maxLength={15} width="md" />
        <TextArea ctx={ctx} form={form} name="plain_definition" label={labels.plain_definition!} hint={t('glossary.plain_hint')} required rows={3} maxLength={2000} />
        <fieldset class="usa-fieldset margin-top-3">
          <legend class="usa-legend usa-legend--large">{t('glossary.by_perspective')}</legend>
          <p class="usa-hint">{t('glossary.by_perspective_form_hint')}</p>
          {DISCIPLINES.map((d) => (
            <TextArea ctx={ctx} form={form} name={`def_${d}`} label={labels[`def_${d}`]!} rows={2} maxLength={2000} />
          ))}
        </fieldset>
        <fieldset class="usa-fieldset margin-top-3" lang="es">
          <legend class="usa-legend usa-legend--large">{t('glossary.in_spanish')}</legend>
          <TextField ctx={ctx} form={form} name="term_es" label={labels.term_es!} maxLength={120} />
          <TextField ctx={ctx} form={form} name="acronym_es" label={labels.acronym_es!} maxLength={15} width="md" />
          <TextArea ctx={ctx} form={form} name="plain_definition_es" label={labels.plain_definition_es!} rows={3} maxLength={2000} />
        </fieldset>
        <TextField ctx={ctx} form={form} name="related" label={labels.related!} hint={t('glossary.related_hint')} maxLength={500} />
        <TextArea ctx={ctx} form={form} name="sources" label={labels.sources!} rows={2} maxLength={2000} />
        <Submit label={editing ? t('common.save') : t('glossary.send_suggestion')} />
      </Form>
    </>
  );
}

export function ReviewQueueView({ ctx, terms }: { ctx: PageContext; terms: TermRow[] }) {
  const { t } = ctx;
  if (terms.length === 0) return <p>{t('glossary.queue_empty')}</p>;
  return (
    <ul class="usa-list usa-list--unstyled">
      {terms.map((g) => (
        <li class="margin-bottom-3 convene-resource">
          <h2 class="font-heading-md margin-bottom-05">
            <a class="usa-link" href={`/glossary/${g.slug}`}>
              {g.acronym ? `${g.acronym} — ${g.term}` : g.term}
            </a>
          </h2>
          <p>{g.plain_definition}</p>
          <div class="convene-actions">
            <ButtonForm ctx={ctx} action={`/glossary/${g.slug}/review`} hidden={{ status: 'published' }} label={t('glossary.publish_named', { term: g.term })} />
            <ButtonForm ctx={ctx} action={`/glossary/${g.slug}/review`} hidden={{ status: 'rejected' }} label={t('glossary.reject_named', { term: g.term })} variant="outline" />
          </div>
        </li>
      ))}
    </ul>
  );
}
