import type { PageContext } from '../platform/views/context.js';
import { ButtonForm, ErrorSummary, Form, PrivacyAcknowledge, Select, Submit, TextArea, TextField, type FormState } from '../platform/views/forms.js';
import { Pager } from '../platform/views/pager.js';
import { Avatar } from '../platform/views/avatar.js';
import { FLAG_REASONS } from '../discussions/moderation.js';
import { MAX_PEOPLE, type ConversationListItem, type ConversationRow, type MessageRow, type ReportedMessage } from './conversations.js';

/** A person's conversations; facilitators also have the ones involving youth members. */
export function ConversationsView({ ctx, items, more, page, view, oversee }: { ctx: PageContext; items: ConversationListItem[]; more: boolean; page: number; view: 'mine' | 'youth'; oversee: boolean }) {
  const { t, fmt } = ctx;
  return (
    <>
      <p class="convene-actions">
        <a class="usa-button" href="/conversations/new">
          {t('conversations.new')}
        </a>
      </p>
      {oversee && (
        <nav aria-label={t('conversations.views')} class="margin-bottom-2">
          <ul class="usa-button-group usa-button-group--segmented">
            <li class="usa-button-group__item">
              <a class={`usa-button${view === 'mine' ? '' : ' usa-button--outline'}`} href="/conversations" aria-current={view === 'mine' ? 'page' : undefined}>
                {t('conversations.mine')}
              </a>
            </li>
            <li class="usa-button-group__item">
              <a class={`usa-button${view === 'youth' ? '' : ' usa-button--outline'}`} href="/conversations?view=youth" aria-current={view === 'youth' ? 'page' : undefined}>
                {t('conversations.youth_view')}
              </a>
            </li>
            <li class="usa-button-group__item">
              <a class="usa-button usa-button--outline" href="/moderation/conversations">
                {t('conversations.reports_title')}
              </a>
            </li>
          </ul>
        </nav>
      )}
      {view === 'youth' && <p class="usa-hint">{t('conversations.youth_view_hint')}</p>}
      {items.length === 0 ? (
        <p>{t(view === 'youth' ? 'conversations.youth_none' : 'conversations.none')}</p>
      ) : (
        <ul class="usa-list usa-list--unstyled convene-conversations">
          {items.map((c) => (
            <li class={`convene-conversations__item${c.unread ? ' convene-conversations__item--unread' : ''}`}>
              <h2 class="font-heading-md margin-bottom-05 margin-top-0">
                {c.unread && <span class="usa-tag margin-right-1">{t('conversations.unread')}</span>}
                <a class="usa-link" href={`/conversations/${c.id}`}>
                  {c.subject}
                </a>
              </h2>
              <p class="usa-hint margin-y-05">
                {t('conversations.with', { names: c.people.join(', ') || t('conversations.nobody_else') })} · <time dateTime={c.last_message_at.toISOString()}>{fmt.dateTime(c.last_message_at)}</time>
              </p>
              {c.last_excerpt && (
                <p class="margin-y-05">
                  <strong>{c.last_author ?? t('discussions.former_member')}:</strong> {c.last_excerpt}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
      <Pager ctx={ctx} page={page} more={more} basePath={view === 'youth' ? '/conversations?view=youth' : '/conversations'} />
    </>
  );
}

export function NewConversationView({ ctx, form, idempotencyKey }: { ctx: PageContext; form: FormState; idempotencyKey: string }) {
  const { t } = ctx;
  const labels = { to: t('conversations.to'), subject: t('conversations.subject'), body: t('conversations.body'), acknowledge_privacy: t('privacy.heading') };
  return (
    <>
      <p>{t('conversations.new_lead', { max: MAX_PEOPLE })}</p>
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <Form ctx={ctx} action="/conversations" idempotencyKey={idempotencyKey} label={t('conversations.new')}>
        <TextField ctx={ctx} form={form} name="to" label={labels.to} hint={t('conversations.to_hint')} required maxLength={600} />
        <TextField ctx={ctx} form={form} name="subject" label={labels.subject} required maxLength={200} />
        <TextArea ctx={ctx} form={form} name="body" label={labels.body} hint={t('discussions.markdown_hint')} rows={8} required markdown mentions="/api/v1/mentions?" />
        <PrivacyAcknowledge ctx={ctx} form={form} />
        <Submit label={t('conversations.send')} />
      </Form>
    </>
  );
}

/** One conversation: who is in it, its messages, a reply box, leaving, and reporting a message. */
export function ConversationView({ ctx, c, messages, form, idempotencyKey, canWrite }: { ctx: PageContext; c: ConversationRow; messages: MessageRow[]; form: FormState; idempotencyKey: string; canWrite: boolean }) {
  const { t, fmt } = ctx;
  const me = ctx.actor.kind === 'user' ? ctx.actor.id : 0;
  const present = c.members.filter((m) => !m.left);
  return (
    <>
      <p>
        {t('conversations.people')}:{' '}
        {present.map((m, i) => (
          <>
            {i > 0 && ', '}
            <a class="usa-link" href={`/people/${m.id}`}>
              <bdi>{m.name}</bdi>
            </a>
          </>
        ))}
      </p>
      {c.involves_youth && <p class="usa-hint">{t('conversations.youth_note')}</p>}
      {!canWrite && <p class="usa-alert usa-alert--info usa-alert--slim usa-alert__body">{t('conversations.read_only')}</p>}
      <ol class="convene-posts" aria-label={t('conversations.messages')}>
        {messages.map((m) => (
          <li class="convene-post" id={`message-${m.id}`}>
            <article aria-labelledby={`message-${m.id}-by`}>
              <header class="convene-post__meta">
                <span id={`message-${m.id}-by`}>
                  {m.author_id && <Avatar person={{ id: m.author_id, name: m.author_name, photo: m.author_photo }} />}
                  <strong>{m.author_name ?? t('discussions.former_member')}</strong> · <time dateTime={m.created_at.toISOString()}>{fmt.dateTime(m.created_at)}</time>
                </span>
              </header>
              {m.hidden && !m.html ? (
                <p class="usa-hint">{t('moderation.hidden_note')}</p>
              ) : (
                <>
                  {m.hidden && <p class="usa-tag">{t('moderation.hidden_tag')}</p>}
                  <div class="convene-post__body" dangerouslySetInnerHTML={{ __html: m.html }} />
                </>
              )}
              {canWrite && m.author_id !== me && !m.hidden && (
                <footer class="convene-post__actions">
                  <a class="usa-link" href={`/conversations/messages/${m.id}/report`} aria-label={t('conversations.report_named', { name: m.author_name ?? '' })}>
                    {t('conversations.report')}
                  </a>
                </footer>
              )}
            </article>
          </li>
        ))}
      </ol>
      {canWrite && (
        <section aria-labelledby="reply" class="margin-top-4">
          <h2 id="reply">{t('conversations.reply')}</h2>
          <ErrorSummary ctx={ctx} form={form} labels={{ body: t('conversations.body'), acknowledge_privacy: t('privacy.heading') }} />
          <Form ctx={ctx} action={`/conversations/${c.id}/messages`} idempotencyKey={idempotencyKey} label={t('conversations.reply')}>
            <TextArea ctx={ctx} form={form} name="body" label={t('conversations.body')} hint={t('discussions.markdown_hint')} rows={5} required markdown draft={{ key: `conversation:${c.id}`, restored: t('discussions.draft_restored'), discard: t('discussions.draft_discard') }} />
            <PrivacyAcknowledge ctx={ctx} form={form} />
            <Submit label={t('conversations.send')} />
          </Form>
          <div class="margin-top-4">
            <ButtonForm ctx={ctx} action={`/conversations/${c.id}/leave`} label={t('conversations.leave')} variant="outline" />
            <p class="usa-hint">{t('conversations.leave_hint')}</p>
          </div>
        </section>
      )}
    </>
  );
}

export function ReportMessageView({ ctx, form, message, conversation }: { ctx: PageContext; form: FormState; message: { id: number; author_name: string | null; body: string }; conversation: { id: number; subject: string } }) {
  const { t } = ctx;
  const labels = { reason: t('moderation.why'), note: t('moderation.note') };
  return (
    <>
      <p>{t('conversations.report_lead')}</p>
      <figure class="margin-x-0">
        <blockquote class="convene-bookmark__quote">{message.body}</blockquote>
        <figcaption class="usa-hint">
          {message.author_name ?? t('discussions.former_member')} ·{' '}
          <a class="usa-link" href={`/conversations/${conversation.id}#message-${message.id}`}>
            {conversation.subject}
          </a>
        </figcaption>
      </figure>
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <Form ctx={ctx} action={`/conversations/messages/${message.id}/report`} label={t('conversations.report')}>
        <Select ctx={ctx} form={form} name="reason" label={labels.reason} required options={FLAG_REASONS.map((r) => ({ value: r, label: t(`moderation.reason_${r}`) }))} emptyLabel={t('forms.choose')} />
        <TextArea ctx={ctx} form={form} name="note" label={labels.note} rows={3} maxLength={1000} />
        <Submit label={t('conversations.report_send')} />
      </Form>
    </>
  );
}

/** Facilitators: reported messages, with the message and what reporters said; hide or keep. */
export function ConversationReportsView({ ctx, reports }: { ctx: PageContext; reports: ReportedMessage[] }) {
  const { t, fmt } = ctx;
  if (reports.length === 0) return <p>{t('conversations.reports_none')}</p>;
  return (
    <ul class="usa-list usa-list--unstyled">
      {reports.map((r) => (
        <li class="convene-bookmarks__item">
          <h2 class="font-heading-md margin-top-0">{r.subject}</h2>
          <p class="usa-hint">
            {t('conversations.reported_by', { count: r.reports })} · {r.reasons.map((x) => t(`moderation.reason_${x}`)).join(', ')} · <time dateTime={r.first_reported_at.toISOString()}>{fmt.dateTime(r.first_reported_at)}</time>
          </p>
          <blockquote class="convene-bookmark__quote">
            <strong>{r.author_name ?? t('discussions.former_member')}:</strong> {r.body}
          </blockquote>
          {r.notes.length > 0 && (
            <ul class="usa-list">
              {r.notes.map((n) => (
                <li>{n}</li>
              ))}
            </ul>
          )}
          <div class="convene-actions">
            <ButtonForm ctx={ctx} action={`/moderation/conversations/${r.message_id}`} hidden={{ action: 'hide' }} label={t('conversations.hide')} variant="secondary" />
            <ButtonForm ctx={ctx} action={`/moderation/conversations/${r.message_id}`} hidden={{ action: 'keep' }} label={t('conversations.keep')} variant="outline" />
          </div>
        </li>
      ))}
    </ul>
  );
}
