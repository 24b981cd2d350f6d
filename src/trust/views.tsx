import type { PageContext } from '../platform/views/context.js';
import { ButtonForm, ChoiceGroup, ErrorSummary, Form, Select, Submit, TextArea, TextField, type FormState } from '../platform/views/forms.js';
import { policiesEn } from '../platform/i18n/en-trust.js';
import { policiesEs } from '../platform/i18n/es-trust.js';

export type PolicyPage = 'guidelines' | 'terms' | 'privacy';
export const CONTACT_TOPICS = ['safety', 'accessibility', 'account', 'content', 'other'] as const;

/** Guidelines, terms and privacy: sections with a table of contents. */
export function PolicyView({ ctx, page }: { ctx: PageContext; page: PolicyPage }) {
  const p = ctx.locale === 'es' ? policiesEs : policiesEn;
  const sections = p[page];
  return (
    <div class="convene-narrow">
      <nav aria-labelledby="policy-contents" class="margin-bottom-3">
        <h2 id="policy-contents" class="font-heading-sm">
          {p.contents}
        </h2>
        <ul class="usa-list">
          {sections.map((s) => (
            <li>
              <a class="usa-link" href={`#${s.id}`}>
                {s.h}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {sections.map((s) => (
        <section aria-labelledby={s.id}>
          <h2 id={s.id}>{s.h}</h2>
          {s.p.map((para) => (
            <p>{para}</p>
          ))}
        </section>
      ))}
      <p class="usa-hint">{p.updated.replace('{{date}}', ctx.fmt.date(new Date('2026-11-28T12:00:00Z')))}</p>
    </div>
  );
}

export function ContactView({ ctx, form, signedIn }: { ctx: PageContext; form: FormState; signedIn: boolean }) {
  const { t } = ctx;
  const labels = { topic: t('contact.topic'), body: t('contact.body') };
  return (
    <div class="convene-narrow">
      <div class="usa-alert usa-alert--info usa-alert--slim margin-bottom-3">
        <div class="usa-alert__body">
          <p class="usa-alert__text">
            {t('footer.crisis_text')}{' '}
            <a class="usa-link" href="tel:988">
              988
            </a>
          </p>
        </div>
      </div>
      {!signedIn ? (
        <p>
          {t('contact.sign_in_first')}{' '}
          <a class="usa-link" href="/login?next=%2Fcontact">
            {t('nav.sign_in')}
          </a>
        </p>
      ) : (
        <>
          <ErrorSummary ctx={ctx} form={form} labels={labels} />
          <Form ctx={ctx} action="/contact" label={t('contact.title')}>
            <ChoiceGroup ctx={ctx} form={form} name="topic" label={labels.topic} options={CONTACT_TOPICS.map((k) => ({ value: k, label: t(`contact.topics.${k}`) }))} required />
            <TextArea ctx={ctx} form={form} name="body" label={labels.body} hint={t('contact.body_hint')} rows={8} maxLength={4000} required />
            <Submit label={t('contact.send')} />
          </Form>
        </>
      )}
    </div>
  );
}

export interface ContactRow {
  id: number;
  topic: string;
  body: string;
  status: string;
  created_at: Date;
  name: string | null;
  email: string | null;
  is_youth: boolean | null;
}

export function ContactInboxView({ ctx, rows, closed }: { ctx: PageContext; rows: ContactRow[]; closed: boolean }) {
  const { t, fmt } = ctx;
  return (
    <>
      <p>
        <a class="usa-link" href={closed ? '/admin/contact' : '/admin/contact?closed=1'}>
          {closed ? t('contact.admin_title') : t('contact.show_closed')}
        </a>
      </p>
      {rows.length === 0 ? (
        <p>{t('contact.admin_empty')}</p>
      ) : (
        <ul class="usa-list usa-list--unstyled">
          {rows.map((r) => (
            <li class="border-1px border-base-lighter padding-2 margin-bottom-2">
              <h2 class="font-heading-md margin-top-0">{t(`contact.topics.${r.topic}`)}</h2>
              <p class="usa-hint">
                {t('contact.from')}: {r.name ?? t('discussions.former_member')} {r.email && <a href={`mailto:${r.email}`}>{r.email}</a>}{' '}
                {r.is_youth && <span class="usa-tag">{t('contact.youth_tag')}</span>} · {t('contact.received')}: {fmt.dateTime(r.created_at)}
              </p>
              <p class="convene-prewrap">{r.body}</p>
              {r.status === 'open' && <ButtonForm ctx={ctx} action={`/admin/contact/${r.id}/close`} label={t('contact.close')} variant="outline" />}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export interface ExportInfo {
  status: string;
  expires_at: Date | null;
}

export function YourDataView({ ctx, latest, form }: { ctx: PageContext; latest?: ExportInfo; form: FormState }) {
  const { t, fmt } = ctx;
  const labels = { posts: t('your_data.posts_choice'), password: t('your_data.confirm_password'), email: t('your_data.confirm_email') };
  return (
    <div class="convene-narrow">
      <section aria-labelledby="download">
        <h2 id="download">{t('your_data.download_title')}</h2>
        <p>{t('your_data.download_body')}</p>
        {latest?.status === 'pending' && (
          <p role="status" class="text-bold">
            {t('your_data.download_pending')}
          </p>
        )}
        {latest?.status === 'done' && latest.expires_at && (
          <p>
            {t('your_data.download_ready', { date: fmt.dateTime(latest.expires_at) })}{' '}
            <a class="usa-link" href="/settings/data/download">
              {t('your_data.download_link')}
            </a>
          </p>
        )}
        {latest?.status !== 'pending' && <ButtonForm ctx={ctx} action="/settings/data/export" label={t('your_data.download_request')} />}
      </section>
      <section aria-labelledby="delete" class="margin-top-5">
        <h2 id="delete">{t('your_data.delete_title')}</h2>
        <p>{t('your_data.delete_body')}</p>
        <ErrorSummary ctx={ctx} form={form} labels={labels} />
        <Form ctx={ctx} action="/settings/data/delete" label={t('your_data.delete_title')}>
          <ChoiceGroup
            ctx={ctx}
            form={form}
            name="posts"
            label={labels.posts}
            required
            options={[
              { value: 'anonymize', label: t('your_data.posts_anonymize') },
              { value: 'erase', label: t('your_data.posts_erase') },
            ]}
          />
          <TextField ctx={ctx} form={form} name="email" type="email" label={labels.email} autocomplete="off" required />
          <TextField ctx={ctx} form={form} name="password" type="password" label={labels.password} autocomplete="current-password" />
          <button type="submit" class="usa-button usa-button--secondary margin-top-3">
            {t('your_data.delete_submit')}
          </button>
        </Form>
      </section>
    </div>
  );
}

export function RetentionView({ ctx, form, lastRun }: { ctx: PageContext; form: FormState; lastRun?: Date }) {
  const { t, fmt } = ctx;
  const labels = { retention_inactive_days: t('retention.inactive_days'), retention_notification_days: t('retention.notification_days') };
  return (
    <div class="convene-narrow">
      {lastRun && <p>{t('retention.last_run', { date: fmt.dateTime(lastRun) })}</p>}
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <Form ctx={ctx} action="/admin/retention" label={t('retention.title')}>
        <TextField ctx={ctx} form={form} name="retention_inactive_days" label={labels.retention_inactive_days} hint={t('retention.inactive_hint')} inputMode="numeric" width="sm" maxLength={5} />
        <TextField ctx={ctx} form={form} name="retention_notification_days" label={labels.retention_notification_days} hint={t('retention.notification_hint')} inputMode="numeric" width="sm" maxLength={5} />
        <Submit label={t('common.save')} />
      </Form>
    </div>
  );
}

export interface AuditRow {
  id: number;
  actor: string | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  data: unknown;
  created_at: Date;
}

export function AuditView({ ctx, rows, action, actions, more, before }: { ctx: PageContext; rows: AuditRow[]; action: string; actions: string[]; more: boolean; before?: number }) {
  const { t, fmt } = ctx;
  return (
    <>
      <form method="get" action="/admin/audit" class="usa-form margin-bottom-3" aria-label={t('audit.filter')}>
        <Select ctx={ctx} form={{ values: { action }, errors: {} }} name="action" label={t('audit.filter_action')} options={actions.map((a) => ({ value: a, label: a }))} emptyLabel="—" />
        <button type="submit" class="usa-button margin-top-2">
          {t('audit.filter')}
        </button>
      </form>
      {rows.length === 0 ? (
        <p>{t('audit.empty')}</p>
      ) : (
        <div class="convene-table-scroll">
          <table class="usa-table usa-table--borderless usa-table--stacked convene-full">
            <caption class="usa-sr-only">{t('audit.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('audit.when')}</th>
                <th scope="col">{t('audit.who')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.subject')}</th>
                <th scope="col">{t('audit.details')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <td data-label={t('audit.when')}>{fmt.dateTime(r.created_at)}</td>
                  <td data-label={t('audit.who')}>{r.actor ?? t('audit.system')}</td>
                  <td data-label={t('audit.action')}>
                    <code>{r.action}</code>
                  </td>
                  <td data-label={t('audit.subject')}>
                    {r.subject_type}
                    {r.subject_id ? ` #${r.subject_id}` : ''}
                  </td>
                  <td data-label={t('audit.details')} class="convene-break">
                    {r.data && Object.keys(r.data as object).length ? <code>{JSON.stringify(r.data)}</code> : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {more && rows.length > 0 && (
        <p>
          <a class="usa-link" href={`/admin/audit?${new URLSearchParams({ ...(action ? { action } : {}), before: String(before) })}`}>
            {t('common.next_page')}
          </a>
        </p>
      )}
    </>
  );
}
