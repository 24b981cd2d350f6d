import type { PageContext } from '../platform/views/context.js';
import { ButtonForm, PrivacyAcknowledge, ChoiceGroup, ErrorSummary, Form, Select, Submit, TextArea, TextField, type FormState } from '../platform/views/forms.js';
import type { PostView } from './queries.js';
import { FLAG_REASONS } from './moderation.js';
import { excerptOf } from './thread-views.js';

/** "Report this message": a disclosure with the reasons, usable without JavaScript. */
export interface ReportedPost {
  author_name: string | null;
  created_at: Date;
  /** The message's text, or null when the reader may not see it (hidden by a moderator). */
  body: string | null;
}

/** Reporting a message to the moderators: which message, why, and an optional note. */
export function ReportView({ ctx, form, action, post, back }: { ctx: PageContext; form: FormState; action: string; post: ReportedPost; back: string }) {
  const { t, fmt } = ctx;
  const labels = { reason: t('moderation.why'), note: t('moderation.note') };
  return (
    <>
      <p>{t('moderation.report_intro')}</p>
      <section aria-labelledby="reported-message" class="margin-bottom-3">
        <h2 id="reported-message" class="font-heading-md">
          {t('moderation.report_message')}
        </h2>
        <p class="usa-hint">{t('moderation.report_by', { name: post.author_name ?? t('discussions.former_member'), when: fmt.dateTime(post.created_at) })}</p>
        {post.body === null ? <p class="usa-hint">{t('moderation.hidden_note')}</p> : <blockquote class="convene-quote">{excerptOf(post.body, 600)}</blockquote>}
      </section>
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <Form ctx={ctx} action={action} label={t('moderation.report_title')}>
        <ChoiceGroup
          ctx={ctx}
          form={{ ...form, values: { reason: FLAG_REASONS[0], ...form.values } }}
          name="reason"
          label={labels.reason}
          required
          options={FLAG_REASONS.map((r) => ({ value: r, label: t(`moderation.reason_${r}`) }))}
        />
        <TextArea ctx={ctx} form={form} name="note" label={labels.note} rows={3} />
        <Submit label={t('moderation.send_report')} />
        <p>
          <a class="usa-link" href={back}>
            {t('moderation.report_cancel')}
          </a>
        </p>
      </Form>
    </>
  );
}

export interface QueueItem {
  post_id: number;
  thread_id: number;
  title: string;
  group_name: string | null;
  author_name: string | null;
  reasons: string[];
  notes: string[];
  reports: number;
  first_reported: Date;
  excerpt: string;
  hidden_at: Date | null;
}

export function ModerationView({ ctx, items }: { ctx: PageContext; items: QueueItem[] }) {
  const { t, fmt } = ctx;
  if (items.length === 0) return <p>{t('moderation.empty')}</p>;
  return (
    <ul class="usa-list usa-list--unstyled">
      {items.map((i) => (
        <li class="convene-post">
          <h2 class="font-heading-md margin-0">
            <a class="usa-link" href={`/threads/${i.thread_id}#post-${i.post_id}`}>
              {i.title}
            </a>
          </h2>
          <p class="usa-hint margin-y-05">
            {i.group_name ?? t('discussions.community_space')} · {i.author_name ?? t('discussions.former_member')} · {t('moderation.reports', { count: i.reports })} ·{' '}
            {fmt.dateTime(i.first_reported)}
          </p>
          <p>
            {i.reasons.map((r) => (
              <span class="usa-tag margin-right-1">{t(`moderation.reason_${r}`)}</span>
            ))}
          </p>
          <blockquote class="convene-quote">{i.excerpt}</blockquote>
          {i.notes.length > 0 && (
            <ul class="usa-list">
              {i.notes.map((n) => (
                <li>{n}</li>
              ))}
            </ul>
          )}
          <div class="convene-actions">
            {!i.hidden_at && <ButtonForm ctx={ctx} action={`/posts/${i.post_id}/hide`} hidden={{ next: '/moderation' }} label={t('moderation.hide_post', { title: i.title })} />}
            <ButtonForm ctx={ctx} action={`/posts/${i.post_id}/dismiss`} label={t('moderation.dismiss', { title: i.title })} variant="outline" />
            <a class="usa-link" href={`/posts/${i.post_id}/redact`}>
              {t('moderation.redact')}
            </a>
          </div>
        </li>
      ))}
    </ul>
  );
}

export function RedactView({ ctx, form, action }: { ctx: PageContext; form: FormState; action: string }) {
  const { t } = ctx;
  return (
    <>
      <p>{t('moderation.redact_intro')}</p>
      <ErrorSummary ctx={ctx} form={form} labels={{ body: t('discussions.body_label') }} />
      <Form ctx={ctx} action={action} label={t('moderation.redact')}>
        <TextArea ctx={ctx} form={form} name="body" label={t('discussions.body_label')} rows={10} required />
        <Submit label={t('moderation.redact_submit')} />
      </Form>
    </>
  );
}

export function EditPostView({ ctx, form, action, withTitle }: { ctx: PageContext; form: FormState; action: string; withTitle: boolean }) {
  const { t } = ctx;
  const labels = { title: t('discussions.title_label'), body: t('discussions.body_label'), acknowledge_privacy: t('privacy.heading') };
  return (
    <>
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <Form ctx={ctx} action={action} label={t('discussions.edit_post')}>
        {withTitle && <TextField ctx={ctx} form={form} name="title" label={labels.title} required maxLength={200} />}
        <TextArea ctx={ctx} form={form} name="body" label={labels.body} hint={t('discussions.markdown_hint')} rows={10} required />
        <PrivacyAcknowledge ctx={ctx} form={form} />
        <Submit label={t('common.save')} />
      </Form>
    </>
  );
}

export function HistoryView({ ctx, postId, current, revisions }: { ctx: PageContext; postId: number; current: { body: string; version: number }; revisions: { version: number; body: string; created_at: Date; editor: string | null }[] }) {
  const { t, fmt } = ctx;
  return (
    <>
      <p>{t('discussions.history_who')}</p>
      {revisions.length > 0 ? (
        <ButtonForm ctx={ctx} action={`/posts/${postId}/history/erase`} label={t('discussions.erase_history')} variant="secondary" />
      ) : (
        <p class="usa-hint">{t('discussions.history_none')}</p>
      )}
      <section aria-labelledby={`v${current.version}`}>
        <h2 id={`v${current.version}`}>{t('discussions.current_version', { n: current.version })}</h2>
        <pre class="convene-source">{current.body}</pre>
      </section>
      {revisions.map((r) => (
        <section aria-labelledby={`v${r.version}`}>
          <h2 id={`v${r.version}`}>{t('discussions.version', { n: r.version })}</h2>
          <p class="usa-hint">{t('discussions.replaced', { when: fmt.dateTime(r.created_at), who: r.editor ?? t('discussions.former_member') })}</p>
          <pre class="convene-source">{r.body}</pre>
        </section>
      ))}
    </>
  );
}

/** Split: a moderator picks replies to move into a new discussion in the same space. */
export function MoveView({ ctx, form, action, targets }: { ctx: PageContext; form: FormState; action: string; targets: { value: string; label: string }[] }) {
  const { t } = ctx;
  const labels = { target: t('discussions.move_target') };
  if (targets.length === 0) return <p>{t('discussions.move_nowhere')}</p>;
  return (
    <>
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <Form ctx={ctx} action={action} label={t('discussions.move')}>
        <Select ctx={ctx} form={form} name="target" label={labels.target} options={targets} />
        <Submit label={t('discussions.move_button')} />
      </Form>
    </>
  );
}

export function SplitView({ ctx, form, action, posts }: { ctx: PageContext; form: FormState; action: string; posts: PostView[] }) {
  const { t, fmt } = ctx;
  const labels = { title: t('discussions.split_title'), post_ids: t('discussions.split_pick') };
  return (
    <>
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <Form ctx={ctx} action={action} label={t('discussions.split')}>
        <TextField ctx={ctx} form={form} name="title" label={labels.title} required maxLength={200} />
        <ChoiceGroup
          ctx={ctx}
          form={form}
          name="post_ids"
          label={labels.post_ids}
          multiple
          options={posts.map((p) => ({ value: String(p.id), label: `${p.author_name ?? t('discussions.former_member')} · ${fmt.dateTime(p.created_at)}: ${excerptOf(p.html, 120)}` }))}
        />
        <Submit label={t('discussions.split_button')} />
      </Form>
    </>
  );
}

