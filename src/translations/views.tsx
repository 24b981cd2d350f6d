import type { PageContext } from '../platform/views/context.js';
import { ButtonForm, ErrorSummary, Form, PrivacyAcknowledge, Submit, TextArea, TextField, type FormState } from '../platform/views/forms.js';
import { CONTENT } from '../platform/i18n/content.js';
import type { NeedsTranslationRow, OpenRequest, TranslationView } from './translations.js';

/** The form to write or correct a translation, with the original beside it. */
export function TranslateFormView(props: {
  ctx: PageContext;
  form: FormState;
  action: string;
  kind: 'post' | 'resource';
  original: { language: string; title: string; html: string };
  existing?: TranslationView;
  history: { version: number; title: string; body: string; created_at: Date; editor: string | null }[];
  /** Where a moderator removes it (absent for everyone else). */
  removeAction?: string;
}) {
  const { ctx, form, kind, original, existing } = props;
  const { t, fmt } = ctx;
  const target = original.language === 'es' ? 'en' : 'es';
  const language = t(`translate.language.${target}`);
  const labels = { title: t('translate.member.field_title', { language }), body: t(kind === 'post' ? 'translate.member.field_body' : 'translate.member.field_summary', { language }) };
  return (
    <>
      <p class="usa-intro">{t('translate.member.lead', { language })}</p>
      <div class="grid-row grid-gap">
        <section class="tablet:grid-col-6" aria-labelledby="original-heading">
          <h2 id="original-heading">{t('translate.member.original')}</h2>
          <div lang={original.language !== ctx.locale ? original.language : undefined}>
            {kind === 'resource' && <p class="text-bold">{original.title}</p>}
            <div class="convene-post__body" dangerouslySetInnerHTML={{ __html: original.html }} />
          </div>
        </section>
        <section class="tablet:grid-col-6" aria-labelledby="translation-heading">
          <h2 id="translation-heading">{t('translate.member.translation_of', { language })}</h2>
          {existing && (
            <p class="usa-hint">
              {existing.translator ? t('translate.member.by', { name: existing.translator }) : t('translate.member.by_former')}
              {existing.corrector && `, ${t('translate.member.corrected_by', { name: existing.corrector })}`}
            </p>
          )}
          <ErrorSummary ctx={ctx} form={form} labels={labels} />
          {existing && props.removeAction && <ButtonForm ctx={ctx} action={props.removeAction} label={t('translate.member.remove')} variant="outline" />}
          <Form ctx={ctx} action={props.action} label={t('translate.member.translation_of', { language })}>
            {kind === 'resource' && <TextField ctx={ctx} form={form} name="title" label={labels.title} required maxLength={300} lang={target} />}
            <TextArea ctx={ctx} form={form} name="body" label={labels.body} rows={kind === 'post' ? 12 : 5} required maxLength={kind === 'post' ? 50000 : 2000} markdown={kind === 'post'} lang={target} />
            <PrivacyAcknowledge ctx={ctx} form={form} />
            <Submit label={t('translate.member.save')} />
          </Form>
        </section>
      </div>
      {props.history.length > 0 && (
        <section aria-labelledby="history-heading" class="margin-top-4">
          <h2 id="history-heading">{t('translate.member.history')}</h2>
          <ol class="usa-list usa-list--unstyled">
            {props.history.map((h) => (
              <li class="convene-notification">
                <p class="usa-hint margin-y-05">
                  {h.editor ?? t('discussions.former_member')} · <time dateTime={h.created_at.toISOString()}>{fmt.dateTime(h.created_at)}</time>
                </p>
                <div lang={target !== ctx.locale ? target : undefined}>
                  {h.title && <p class="text-bold margin-y-05">{h.title}</p>}
                  <p class="margin-y-05 convene-prewrap">{h.body}</p>
                </div>
              </li>
            ))}
          </ol>
        </section>
      )}
    </>
  );
}

/** The translators' page: the setting, and what members are waiting to read. */
export function TranslationsView({ ctx, translator, requests, canSeeNeeded }: { ctx: PageContext; translator: boolean; requests: OpenRequest[]; canSeeNeeded: boolean }) {
  const { t, fmt } = ctx;
  return (
    <>
      <p class="usa-intro">{t('translate.member.waiting_lead')}</p>
      <div class="usa-summary-box margin-bottom-3" role="region" aria-labelledby="translator-setting">
        <div class="usa-summary-box__body">
          <h2 class="usa-summary-box__heading" id="translator-setting">
            {t('translate.member.translator_setting')}
          </h2>
          <p class="usa-summary-box__text">{t('translate.member.translator_hint')}</p>
          <ButtonForm
            ctx={ctx}
            action="/translations/translator"
            hidden={{ translator: translator ? 'off' : 'on' }}
            label={translator ? t('translate.member.translator_off') : t('translate.member.translator_on')}
            variant={translator ? 'outline' : undefined}
          />
        </div>
      </div>
      {canSeeNeeded && (
        <p>
          <a class="usa-link" href="/translations/needed">
            {t('translate.needs.title')}
          </a>
        </p>
      )}
      <h2>{t('translate.member.waiting_title')}</h2>
      {requests.length === 0 ? (
        <p>{t('translate.member.waiting_none')}</p>
      ) : (
        <div class="usa-table-container--scrollable" tabIndex={0} role="region" aria-label={t('translate.member.waiting_title')}>
          <table class="usa-table usa-table--borderless usa-table--stacked">
            <thead>
              <tr>
                <th scope="col">{t('translate.needs.item')}</th>
                <th scope="col">{t('translate.needs.kind')}</th>
                <th scope="col">{t('translate.needs.wants')}</th>
                <th scope="col">{t('translate.needs.asked')}</th>
              </tr>
            </thead>
            <tbody>
              {requests.map((r) => (
                <tr>
                  <th scope="row" data-label={t('translate.needs.item')}>
                    <a class="usa-link" href={r.href}>
                      {r.title}
                    </a>
                  </th>
                  <td data-label={t('translate.needs.kind')}>{t(r.kind === 'post' ? 'translate.kinds.post' : 'translate.kinds.resource')}</td>
                  <td data-label={t('translate.needs.wants')}>{t(`translate.language.${r.language}`)}</td>
                  <td data-label={t('translate.needs.asked')}>
                    {fmt.number(r.asked)} · <time dateTime={r.first_asked.toISOString()}>{fmt.date(r.first_asked)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** Facilitators' list: the community's own text in one language only, most-reached first. */
export function NeedsTranslationView({ ctx, rows, kind }: { ctx: PageContext; rows: NeedsTranslationRow[]; kind: string }) {
  const { t, fmt } = ctx;
  const fieldLabel = (f: string) => (f.startsWith('why_') ? t(`perspective.${f.slice(4)}`) : t(`translate.fields.${f}`));
  return (
    <>
      <form method="get" action="/translations/needed" class="usa-form margin-bottom-2">
        <label class="usa-label" for="needs-kind">
          {t('translate.needs.filter_kind')}
        </label>
        <select class="usa-select" id="needs-kind" name="kind">
          <option value="" selected={!kind}>
            {t('translate.needs.all_kinds')}
          </option>
          {Object.entries(CONTENT).map(([k, c]) => (
            <option value={k} selected={kind === k}>
              {t(c.label)}
            </option>
          ))}
        </select>
        <button class="usa-button margin-top-1" type="submit">
          {t('translate.needs.show')}
        </button>
      </form>
      <p>{t('translate.needs.count', { count: rows.length, n: fmt.number(rows.length) })}</p>
      {rows.length === 0 ? (
        <p>{t('translate.needs.none')}</p>
      ) : (
        <div class="usa-table-container--scrollable" tabIndex={0} role="region" aria-label={t('translate.needs.title')}>
          <table class="usa-table usa-table--borderless usa-table--stacked">
            <thead>
              <tr>
                <th scope="col">{t('translate.needs.item')}</th>
                <th scope="col">{t('translate.needs.kind')}</th>
                <th scope="col">{t('translate.needs.written_in')}</th>
                <th scope="col">{t('translate.needs.missing')}</th>
                <th scope="col" class="text-right">
                  {t('translate.needs.readers')}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <th scope="row" data-label={t('translate.needs.item')}>
                    <a class="usa-link" href={r.href} lang={r.language !== ctx.locale ? r.language : undefined}>
                      {r.title}
                    </a>
                  </th>
                  <td data-label={t('translate.needs.kind')}>{t(CONTENT[r.kind]?.label ?? r.kind)}</td>
                  <td data-label={t('translate.needs.written_in')}>{t(`translate.language.${r.language}`)}</td>
                  <td data-label={t('translate.needs.missing')}>{r.missing.map(fieldLabel).join(', ')}</td>
                  <td data-label={t('translate.needs.readers')} class="text-right">
                    {fmt.number(r.readers)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
