import { GroupName } from '../platform/views/bilingual.js';
import type { PageContext } from '../platform/views/context.js';
import { ButtonForm, ChoiceGroup, ErrorSummary, Form, Submit, TextField, type FormState } from '../platform/views/forms.js';
import { eventFormatters } from '../events/time.js';
import { Pager } from '../platform/views/pager.js';
import { NOTE_MAX, REMIND_PRESETS, presetTime, type BookmarkRow } from './bookmarks.js';

/** The bookmark of one post: its note and reminder, saved or removed. */
export function BookmarkFormView({
  ctx,
  form,
  post,
  thread,
  saved,
}: {
  ctx: PageContext;
  form: FormState;
  post: { id: number; author_name: string | null; excerpt: string };
  thread: { id: number; title: string };
  saved?: { remind_at: Date | null; reminded_at: Date | null };
}) {
  const { t } = ctx;
  const when = eventFormatters(ctx.locale, ctx.tz);
  const labels = { note: t('bookmarks.note'), remind: t('bookmarks.remind'), remind_at: t('bookmarks.remind_at') };
  const now = new Date();
  return (
    <>
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <figure class="convene-bookmark__post margin-x-0">
        <blockquote class="convene-bookmark__quote">{post.excerpt}</blockquote>
        <figcaption class="usa-hint">
          {post.author_name ?? t('discussions.former_member')} ·{' '}
          <a class="usa-link" href={`/threads/${thread.id}#post-${post.id}`}>
            {thread.title}
          </a>
        </figcaption>
      </figure>
      {saved?.remind_at && (
        <p>{saved.reminded_at ? t('bookmarks.reminded', { when: when.dateTime(saved.remind_at) }) : t('bookmarks.reminder_set', { when: when.dateTime(saved.remind_at) })}</p>
      )}
      <Form ctx={ctx} action={`/posts/${post.id}/bookmark`} label={t('bookmarks.form_label')}>
        <TextField ctx={ctx} form={form} name="note" label={labels.note} hint={t('bookmarks.note_hint', { max: NOTE_MAX })} maxLength={NOTE_MAX} />
        <ChoiceGroup
          ctx={ctx}
          form={form}
          name="remind"
          label={labels.remind}
          options={REMIND_PRESETS.map((p) => ({
            value: p,
            label: p === '' ? t('bookmarks.remind_none') : p === 'custom' ? t('bookmarks.remind_custom') : `${t(`bookmarks.remind_${p}`)} (${when.shortDay(presetTime(p, when.zone, now))}, ${when.time(presetTime(p, when.zone, now))})`,
          }))}
        />
        <TextField ctx={ctx} form={form} name="remind_at" type="datetime-local" label={labels.remind_at} hint={t('bookmarks.remind_at_hint', { zone: when.zone })} width="lg" />
        <Submit label={t('bookmarks.save')} />
      </Form>
      {saved && <ButtonForm ctx={ctx} action={`/posts/${post.id}/bookmark/delete`} label={t('bookmarks.remove')} variant="outline" />}
    </>
  );
}

/** A person's bookmarks: reminders to come first, then the newest. */
export function BookmarksView({ ctx, items, more, page }: { ctx: PageContext; items: BookmarkRow[]; more: boolean; page: number }) {
  const { t } = ctx;
  const when = eventFormatters(ctx.locale, ctx.tz);
  if (items.length === 0 && page === 1) return <p>{t('bookmarks.empty')}</p>;
  return (
    <>
      <ul class="usa-list usa-list--unstyled convene-bookmarks">
        {items.map((b) => (
          <li class="convene-bookmarks__item">
            <h2 class="font-heading-md margin-bottom-05">
              <a class="usa-link" href={`/threads/${b.thread_id}#post-${b.post_id}`}>
                {b.thread_title}
              </a>
            </h2>
            <p class="usa-hint margin-top-0">
              {b.is_opening ? t('bookmarks.opening_by', { name: b.author_name ?? t('discussions.former_member') }) : t('bookmarks.reply_by', { name: b.author_name ?? t('discussions.former_member') })}
              {b.group_name ? (
                <>
                  {' · '}
                  <GroupName ctx={ctx} name={b.group_name} />
                </>
              ) : (
                ''
              )}
            </p>
            <p lang={b.language !== ctx.locale ? b.language : undefined}>{b.excerpt}</p>
            {b.note && (
              <p>
                <strong>{t('bookmarks.your_note')}</strong> {b.note}
              </p>
            )}
            {b.remind_at && (
              <p class={b.reminded_at ? 'usa-hint' : 'text-bold'}>
                {b.reminded_at ? t('bookmarks.reminded', { when: when.dateTime(b.remind_at) }) : t('bookmarks.reminder_set', { when: when.dateTime(b.remind_at) })}
              </p>
            )}
            <p class="convene-actions">
              <a class="usa-link" href={`/posts/${b.post_id}/bookmark`} aria-label={t('bookmarks.edit_named', { title: b.thread_title })}>
                {t('bookmarks.edit')}
              </a>
            </p>
          </li>
        ))}
      </ul>
      <Pager ctx={ctx} page={page} more={more} basePath="/bookmarks" />
    </>
  );
}
