import type { PageContext } from '../platform/views/context.js';
import { ButtonForm, ChoiceGroup, ErrorSummary, Form, JargonAcknowledge, PrivacyAcknowledge, Submit, TextArea, TextField, type FormState } from '../platform/views/forms.js';
import { excerpt } from '../discussions/markdown.js';
import type { HeldRow } from './held.js';

/** Taking part by email: how replying works, each group's posting address, and mailing-list mode. */
export function EmailSettingsView({ ctx, form, groups, replyByEmail }: { ctx: PageContext; form: FormState; groups: { slug: string; name: string; address: string | null }[]; replyByEmail: boolean }) {
  const { t } = ctx;
  return (
    <>
      <ErrorSummary ctx={ctx} form={form} labels={{ groups: t('mail_in.settings.groups_label') }} />
      <section aria-labelledby="reply-by-email">
        <h2 id="reply-by-email">{t('mail_in.settings.reply_heading')}</h2>
        <p>{t(replyByEmail ? 'mail_in.settings.reply_on' : 'mail_in.settings.reply_off')}</p>
        {replyByEmail && <p>{t('mail_in.settings.commands')}</p>}
        {replyByEmail && groups.length > 0 && (
          <>
            <h3>{t('mail_in.settings.addresses_heading')}</h3>
            <p>{t('mail_in.settings.addresses_lead')}</p>
            <ul class="usa-list">
              {groups.map((g) => (
                <li>
                  {g.name}: <code>{g.address}</code>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <section aria-labelledby="list-mode">
        <h2 id="list-mode">{t('mail_in.settings.list_heading')}</h2>
        {groups.length === 0 ? (
          <p>{t('mail_in.settings.no_groups')}</p>
        ) : (
          <Form ctx={ctx} action="/settings/by-email" label={t('mail_in.settings.list_heading')}>
            <ChoiceGroup ctx={ctx} form={form} name="groups" multiple label={t('mail_in.settings.groups_label')} hint={t('mail_in.settings.groups_hint')} options={groups.map((g) => ({ value: g.slug, label: g.name }))} />
            <Submit label={t('mail_in.settings.save')} />
          </Form>
        )}
        <p>
          <a class="usa-link" href="/settings/notifications">
            {t('mail_in.settings.notifications_link')}
          </a>
        </p>
      </section>
    </>
  );
}

/** The person's messages held from email, each waiting for them to review. */
export function HeldListView({ ctx, items }: { ctx: PageContext; items: { id: number; title: string | null; body: string; reason: string; created_at: Date; thread_title: string | null; group_name: string | null }[] }) {
  const { t } = ctx;
  if (items.length === 0) return <p>{t('mail_in.held_page.none')}</p>;
  return (
    <ul class="usa-list usa-list--unstyled">
      {items.map((i) => (
        <li class="margin-bottom-3">
          <h2 class="font-heading-md margin-bottom-05">
            <a class="usa-link" href={`/held/${i.id}`}>
              {i.thread_title ? t('mail_in.held_page.reply_to', { title: i.thread_title }) : t('mail_in.held_page.new_in', { title: i.title ?? '', group: i.group_name ?? '' })}
            </a>
          </h2>
          <p class="usa-hint margin-top-0">{t(`mail_in.held_page.reason_${i.reason}`)}</p>
          <p>{excerpt(i.body, 200)}</p>
        </li>
      ))}
    </ul>
  );
}

/** One held message: the warning, the text to edit, publish or throw away. */
export function HeldView({ ctx, form, held }: { ctx: PageContext; form: FormState; held: HeldRow }) {
  const { t } = ctx;
  const labels = { title: t('discussions.title_label'), body: t('mail_in.held_page.body_label') };
  return (
    <>
      <p>
        {held.thread_id !== null
          ? t('mail_in.held_page.intro_reply', { title: held.thread_title ?? '' })
          : t('mail_in.held_page.intro_thread', { group: held.group_name ?? '' })}
      </p>
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <Form ctx={ctx} action={`/held/${held.id}`} label={t('mail_in.held_page.title')}>
        <PrivacyAcknowledge ctx={ctx} form={form} />
        <JargonAcknowledge ctx={ctx} form={form} />
        {held.group_id !== null && <TextField ctx={ctx} form={form} name="title" label={labels.title} maxLength={200} required />}
        <TextArea ctx={ctx} form={form} name="body" label={labels.body} rows={12} maxLength={50_000} markdown required />
        <Submit label={t('mail_in.held_page.publish')} />
      </Form>
      <ButtonForm ctx={ctx} action={`/held/${held.id}/discard`} label={t('mail_in.held_page.discard')} variant="outline" />
    </>
  );
}
