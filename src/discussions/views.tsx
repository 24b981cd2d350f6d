import type { PageContext } from '../platform/views/context.js';
import { ButtonForm, FileField, PrivacyAcknowledge, ChoiceGroup, ErrorSummary, Form, JargonAcknowledge, Select, Submit, TextArea, TextField, type FormState } from '../platform/views/forms.js';
import type { ThreadRow } from './queries.js';

import { Pager } from '../platform/views/pager.js';
import { LanguageSelect } from '../platform/views/bilingual.js';

export function ThreadFlags({ ctx, t }: { ctx: PageContext; t: Pick<ThreadRow, 'pinned' | 'locked' | 'closed'> }) {
  const flags = (['pinned', 'locked', 'closed'] as const).filter((f) => t[f]);
  if (!flags.length) return null;
  return (
    <>
      {flags.map((f) => (
        <span class="usa-tag margin-left-1">{ctx.t(`discussions.flag_${f}`)}</span>
      ))}
    </>
  );
}

/** A list of threads as a table: title, author, replies, last activity. */
export function ThreadList({ ctx, threads, caption }: { ctx: PageContext; threads: (ThreadRow & { unread?: boolean })[]; caption: string }) {
  const { t, fmt } = ctx;
  if (threads.length === 0) return <p class="usa-hint">{t('discussions.none')}</p>;
  return (
    <table class="usa-table usa-table--borderless usa-table--stacked convene-full">
      <caption class="usa-sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('discussions.topic')}</th>
          <th scope="col">{t('discussions.started_by')}</th>
          <th scope="col">{t('discussions.replies')}</th>
          <th scope="col">{t('discussions.last_activity')}</th>
        </tr>
      </thead>
      <tbody>
        {threads.map((th) => (
          <tr>
            <th scope="row" data-label={t('discussions.topic')}>
              <a class="usa-link" href={`/threads/${th.id}`} lang={th.language !== ctx.locale ? th.language : undefined}>
                <bdi>{th.title}</bdi>
              </a>
              {th.kind === 'dialogue_guide' && <span class="usa-tag bg-accent-cool-darker margin-left-1">{t('guides.badge')}</span>}
              {th.unread && <span class="usa-tag bg-secondary-dark margin-left-1">{t('discussions.unread_badge')}</span>}
              <ThreadFlags ctx={ctx} t={th} />
            </th>
            <td data-label={t('discussions.started_by')}>{th.author_name ?? t('discussions.former_member')}</td>
            <td data-label={t('discussions.replies')}>{fmt.number(th.reply_count)}</td>
            <td data-label={t('discussions.last_activity')}>{fmt.dateTime(th.last_activity_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Why the viewer cannot start a discussion here, and what would let them. */
export type StartHint = { kind: 'sign_in'; next: string } | { kind: 'join' | 'request'; action: string; next: string };

export function SpaceView({
  ctx,
  threads,
  more,
  page,
  newHref,
  startHint,
  basePath,
  feedHref,
  searchIn,
}: {
  ctx: PageContext;
  threads: ThreadRow[];
  more: boolean;
  page: number;
  newHref?: string;
  startHint?: StartHint;
  basePath: string;
  feedHref?: string;
  /** A group's space: the slug its own search box searches in. */
  searchIn?: string;
}) {
  const { t } = ctx;
  return (
    <>
      {searchIn && (
        <form class="usa-search usa-search--small margin-bottom-2" role="search" method="get" action="/search" aria-label={t('search.in_this_group')}>
          <input type="hidden" name="group" value={searchIn} />
          <label class="usa-sr-only" for="group-search">
            {t('search.in_this_group')}
          </label>
          <input class="usa-input" id="group-search" type="search" name="q" maxLength={200} />
          <button class="usa-button" type="submit">
            <span class="usa-search__submit-text">{t('common.search')}</span>
          </button>
        </form>
      )}
      {feedHref && (
        <p>
          <a class="usa-link" href={feedHref} type="application/atom+xml">
            {t('discussions.feed')}
          </a>
        </p>
      )}
      {newHref && (
        <p>
          <a class="usa-button" href={newHref}>
            {t('discussions.new_thread')}
          </a>
        </p>
      )}
      {startHint?.kind === 'sign_in' && (
        <p>
          {t('discussions.start_sign_in')}{' '}
          <a class="usa-link" href={`/login?next=${encodeURIComponent(startHint.next)}`}>
            {t('nav.sign_in')}
          </a>
        </p>
      )}
      {(startHint?.kind === 'join' || startHint?.kind === 'request') && (
        <div class="usa-summary-box margin-bottom-2">
          <p class="margin-top-0">{t(startHint.kind === 'join' ? 'discussions.start_join' : 'discussions.start_request')}</p>
          <ButtonForm ctx={ctx} action={startHint.action} label={t(startHint.kind === 'join' ? 'discussions.join_button' : 'discussions.request_button')} hidden={{ next: startHint.next }} />
        </div>
      )}
      <ThreadList ctx={ctx} threads={threads} caption={t('discussions.threads')} />
      <Pager ctx={ctx} page={page} more={more} basePath={basePath} />
    </>
  );
}


/** A picture or a file for a message, folded until wanted (open when it has something to say). */
export function AttachmentFields({ ctx, form }: { ctx: PageContext; form: FormState }) {
  const { t } = ctx;
  return (
    <details class="convene-attach" open={Boolean(form.errors.attachment || form.errors.attachment_alt || form.values.attachment_alt) || undefined}>
      <summary>{t('attachments.add')}</summary>
      <FileField ctx={ctx} form={form} name="attachment" label={t('attachments.field')} hint={t('attachments.hint')} />
      <TextField ctx={ctx} form={form} name="attachment_alt" label={t('attachments.alt')} hint={t('attachments.alt_hint')} maxLength={300} />
    </details>
  );
}

/** Where a new thread's form asks for people to mention: its group's members first. */
const mentionsFor = (action: string) => {
  const group = /^\/groups\/([^/]+)\/threads/.exec(action)?.[1];
  return group ? `/api/v1/mentions?group=${encodeURIComponent(group)}` : '/api/v1/mentions?';
};

export function ThreadForm({ ctx, form, action, idempotencyKey, guides }: { ctx: PageContext; form: FormState; action: string; idempotencyKey: string; guides?: boolean }) {
  const { t } = ctx;
  const labels = {
    title: t('discussions.title_label'),
    body: t('discussions.body_label'),
    language: t('discussions.language_label'),
    acknowledge_privacy: t('privacy.heading'),
    acknowledge_jargon: t('jargon.heading'),
    attachment: t('attachments.field'),
    attachment_alt: t('attachments.alt'),
    kind: t('guides.kind_legend'),
    source_title: t('guides.source_title'),
    source_url: t('guides.source_url'),
    reaction_questions: t('guides.reaction_questions'),
    application_questions: t('guides.application_questions'),
  };
  return (
    <>
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <Form ctx={ctx} action={action} idempotencyKey={idempotencyKey} label={t('discussions.new_thread')} enctype="multipart/form-data">
        {guides && (
          <ChoiceGroup
            ctx={ctx}
            form={{ ...form, values: { kind: 'discussion', ...form.values } }}
            name="kind"
            label={labels.kind}
            options={[
              { value: 'discussion', label: t('guides.kind.discussion') },
              { value: 'dialogue_guide', label: t('guides.kind.dialogue_guide') },
            ]}
          />
        )}
        <TextField ctx={ctx} form={form} name="title" label={labels.title} required maxLength={200} />
        <TextArea ctx={ctx} form={form} name="body" label={labels.body} hint={`${t('discussions.markdown_hint')} ${t('discussions.mention_hint')}`} rows={10} required markdown mentions={mentionsFor(action)} />
        <LanguageSelect ctx={ctx} form={form} label={labels.language} />
        <AttachmentFields ctx={ctx} form={form} />
        {guides && (
          <fieldset class="usa-fieldset margin-top-3">
            <legend class="usa-legend usa-legend--large">{t('guides.badge')}</legend>
            <p class="usa-hint">{t('guides.about')}</p>
            <TextField ctx={ctx} form={form} name="source_title" label={labels.source_title} maxLength={200} />
            <TextField ctx={ctx} form={form} name="source_url" label={labels.source_url} type="url" maxLength={500} />
            <TextArea ctx={ctx} form={form} name="reaction_questions" label={labels.reaction_questions} hint={t('guides.reaction_hint')} rows={4} />
            <TextArea ctx={ctx} form={form} name="application_questions" label={labels.application_questions} hint={t('guides.application_hint')} rows={4} />
          </fieldset>
        )}
        <PrivacyAcknowledge ctx={ctx} form={form} />
        <JargonAcknowledge ctx={ctx} form={form} />
        <Submit label={t('discussions.post_thread')} />
      </Form>
    </>
  );
}

