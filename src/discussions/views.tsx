import type { VNode } from 'preact';
import { render } from 'preact-render-to-string';
import type { PageContext } from '../platform/views/context.js';
import { fillCsrf, keep, slot, slottedContext } from '../platform/views/kept.js';
import { ButtonForm, PrivacyAcknowledge, ChoiceGroup, ErrorSummary, Form, JargonAcknowledge, Select, Submit, TextArea, TextField, type FormState } from '../platform/views/forms.js';
import type { DialogueQuestion, PostView, SearchHit, ThreadRow } from './queries.js';
import { WatchControl } from '../notifications/views.js';
import { PERSPECTIVES } from '../community/vocab.js';
import { FLAG_REASONS } from './moderation.js';

function ThreadFlags({ ctx, t }: { ctx: PageContext; t: Pick<ThreadRow, 'pinned' | 'locked' | 'closed'> }) {
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

export function SpaceView({ ctx, threads, more, page, newHref, basePath, feedHref }: { ctx: PageContext; threads: ThreadRow[]; more: boolean; page: number; newHref?: string; basePath: string; feedHref?: string }) {
  const { t } = ctx;
  return (
    <>
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
      <ThreadList ctx={ctx} threads={threads} caption={t('discussions.threads')} />
      <Pager ctx={ctx} page={page} more={more} basePath={basePath} />
    </>
  );
}

export function Pager({ ctx, page, more, basePath }: { ctx: PageContext; page: number; more: boolean; basePath: string }) {
  if (page <= 1 && !more) return null;
  const sep = basePath.includes('?') ? '&' : '?';
  return (
    <nav aria-label={ctx.t('common.pagination')} class="margin-top-3">
      <ul class="usa-list usa-list--unstyled convene-inline-list">
        {page > 1 && (
          <li>
            <a class="usa-link" rel="prev" href={`${basePath}${sep}page=${page - 1}`}>
              {ctx.t('common.previous_page')}
            </a>
          </li>
        )}
        {more && (
          <li>
            <a class="usa-link" rel="next" href={`${basePath}${sep}page=${page + 1}`}>
              {ctx.t('common.next_page')}
            </a>
          </li>
        )}
      </ul>
    </nav>
  );
}

export function ThreadForm({ ctx, form, action, idempotencyKey, guides }: { ctx: PageContext; form: FormState; action: string; idempotencyKey: string; guides?: boolean }) {
  const { t } = ctx;
  const labels = {
    title: t('discussions.title_label'),
    body: t('discussions.body_label'),
    language: t('discussions.language_label'),
    acknowledge_privacy: t('privacy.heading'),
    acknowledge_jargon: t('jargon.heading'),
    kind: t('guides.kind_legend'),
    source_title: t('guides.source_title'),
    source_url: t('guides.source_url'),
    reaction_questions: t('guides.reaction_questions'),
    application_questions: t('guides.application_questions'),
  };
  return (
    <>
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <Form ctx={ctx} action={action} idempotencyKey={idempotencyKey} label={t('discussions.new_thread')}>
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
        <TextArea ctx={ctx} form={form} name="body" label={labels.body} hint={`${t('discussions.markdown_hint')} ${t('discussions.mention_hint')}`} rows={10} required />
        <LanguageSelect ctx={ctx} form={form} label={labels.language} />
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

function LanguageSelect({ ctx, form, label }: { ctx: PageContext; form: FormState; label: string }) {
  return (
    <Select
      ctx={ctx}
      form={form}
      name="language"
      label={label}
      options={[
        { value: 'en', label: 'English' },
        { value: 'es', label: 'Español' },
      ]}
    />
  );
}

export interface GuideData {
  questions: DialogueQuestion[];
  /** Perspectives of the whole community, for "not heard from yet". */
  perspectives: readonly string[];
}

export interface PostPermissions {
  reply: boolean;
  moderate: boolean;
  react: boolean;
  flag: boolean;
  editIds: Set<number>;
  deleteIds: Set<number>;
}

export interface ThreadPageData {
  thread: ThreadRow;
  posts: PostView[];
  can: PostPermissions & { signIn: boolean };
  idempotencyKey: string;
  /** The viewer's watch level (signed in only). */
  watchLevel?: string;
  linkedFrom: { id: number; title: string }[];
  guide?: GuideData;
  /** Posts already rendered for this viewer (`renderPosts`), by post id; the rest are rendered in place. */
  renderedPosts?: Map<number, string>;
  /**
   * Where the page's controls and reply form are kept between viewers (with the
   * thread's shared rows); without it, or when the form carries a submission's
   * values and errors, they are rendered for this view.
   */
  kept?: Map<string, string>;
  /** Spaces a moderator may move the thread to ('' is the community space). */
}

type PostProps = { ctx: PageContext; p: PostView; threadId: number; can: PostPermissions; questions?: DialogueQuestion[] };

/** One message in a thread; also sent alone to pages that show new replies live. */
export function PostItem(props: PostProps) {
  const { p } = props;
  return (
    <li class="convene-post" id={`post-${p.id}`} data-post-id={p.id}>
      <PostArticle {...props} />
    </li>
  );
}

/** Rendered posts kept with a thread's shared rows: markup by post and by everything that markup depends on. */
export type PostFragments = Map<string, string>;

const MAX_FRAGMENTS = 2000;

/**
 * Each post's markup for this viewer, from `fragments` when someone whose view
 * of the post is the same (language, time zone, the same buttons and marks)
 * rendered it already. A thread page's rows are the same for all its readers
 * and only these few things vary, so after the first few views a page puts
 * kept strings together instead of rendering twenty posts again. The CSRF
 * token is the one per-person part of the markup: it is kept as a slot and
 * filled in for each viewer. `fragments` lives as long as the rows it was
 * made from (any write forgets both).
 */
export function renderPosts(ctx: PageContext, posts: PostView[], threadId: number, can: PostPermissions, questions: DialogueQuestion[] | undefined, fragments: PostFragments): Map<number, string> {
  if (fragments.size > MAX_FRAGMENTS) fragments.clear();
  const slotted = slottedContext(ctx);
  const out = new Map<number, string>();
  for (const p of posts) {
    const own = ctx.actor.kind === 'user' && p.author_id === ctx.actor.id;
    const key = [p.id, p.version, p.helpful_count, ctx.locale, ctx.tz, own, p.reacted, can.react, can.reply, can.moderate, can.flag, can.editIds.has(p.id), can.deleteIds.has(p.id)].join('|');
    let html = fragments.get(key);
    if (html === undefined) {
      html = render(<PostArticle ctx={slotted} p={p} threadId={threadId} can={can} questions={questions} />);
      fragments.set(key, html);
    }
    out.set(p.id, fillCsrf(html, ctx));
  }
  return out;
}

function PostArticle({ ctx, p, threadId, can, questions }: PostProps) {
  const { t, fmt } = ctx;
  const own = ctx.actor.kind === 'user' && p.author_id === ctx.actor.id;
  const question = p.question_id ? questions?.find((q) => q.id === p.question_id) : undefined;
  return (
    <article aria-labelledby={`post-${p.id}-by`}>
      <header class="convene-post__meta">
        <span id={`post-${p.id}-by`}>
          <strong>
            {p.author_id ? (
              <a class="usa-link" href={`/people/${p.author_id}`}>
                <bdi>{p.author_name}</bdi>
              </a>
            ) : (
              t('discussions.former_member')
            )}
          </strong>{' '}
          · <time dateTime={p.created_at.toISOString()}>{fmt.dateTime(p.created_at)}</time>
        </span>
        {p.reply_to_id && (
          <span>
            {' '}
            ·{' '}
            <a class="usa-link" href={`#post-${p.reply_to_id}`}>
              {t('discussions.in_reply_to', { name: p.reply_to_author ?? t('discussions.former_member') })}
            </a>
          </span>
        )}
        {p.edited_at && !p.deleted_at && (
          <span>
            {' '}
            ·{' '}
            {/* Earlier versions are for the author and the moderators only (the key holds both). */}
            {own || can.moderate ? (
              <a class="usa-link" href={`/posts/${p.id}/history`}>
                {t('discussions.edited')}
              </a>
            ) : (
              t('discussions.edited')
            )}
          </span>
        )}
        {question && (
          <span class="display-block">
            <a class="usa-link" href={`#question-${question.id}`}>
              {t(question.kind === 'reaction' ? 'guides.reactions' : 'guides.applications')} {question.position}
            </a>
            : {question.prompt}
          </span>
        )}
      </header>
      {p.deleted_at ? (
        <p class="usa-hint">{t('discussions.deleted')}</p>
      ) : p.hidden && !can.moderate ? (
        <p class="usa-hint">{t('moderation.hidden_note')}</p>
      ) : (
        <>
          {p.hidden && <p class="usa-tag">{t('moderation.hidden_tag')}</p>}
          <div class="convene-post__body" lang={p.language !== ctx.locale ? p.language : undefined} dangerouslySetInnerHTML={{ __html: p.html }} />
        </>
      )}
      {!p.deleted_at && (!p.hidden || can.moderate) && (
        <footer class="convene-post__actions">
          <span class="usa-hint">{t('discussions.helpful_count', { count: p.helpful_count })}</span>
          {can.react && p.author_id !== ctx.actor.id && (
            <ButtonForm
              ctx={ctx}
              action={`/posts/${p.id}/helpful`}
              hidden={{ on: String(!p.reacted) }}
              label={p.reacted ? t('discussions.unmark_helpful') : t('discussions.mark_helpful')}
              variant="unstyled"
            />
          )}
          {can.reply && (
            <a class="usa-link margin-left-1" href={`/threads/${threadId}?reply_to=${p.id}#reply`}>
              {t('discussions.reply_to_this')}
            </a>
          )}
          {can.editIds.has(p.id) && (
            <a class="usa-link margin-left-1" href={`/posts/${p.id}/edit`}>
              {t('discussions.edit')}
            </a>
          )}
          {can.deleteIds.has(p.id) && <ButtonForm ctx={ctx} action={`/posts/${p.id}/delete`} label={t('discussions.delete')} variant="unstyled" />}
          {can.moderate && (
            <>
              <ButtonForm ctx={ctx} action={`/posts/${p.id}/${p.hidden ? 'restore' : 'hide'}`} label={t(p.hidden ? 'moderation.restore' : 'moderation.hide')} variant="unstyled" />
              <a class="usa-link margin-left-1" href={`/posts/${p.id}/redact`}>
                {t('moderation.redact')}
              </a>
            </>
          )}
          {can.flag && p.author_id !== ctx.actor.id && (
          <a class="usa-link margin-left-1" href={`/posts/${p.id}/report`} aria-label={t('moderation.report_post')}>
            {t('moderation.report')}
          </a>
        )}
        </footer>
      )}
    </article>
  );
}

/** The Dialogue Guide: shared text, each question with its responses grouped by perspective, and the closing summary. */
function GuideSections({ ctx, thread, posts, guide, canSummarize }: { ctx: PageContext; thread: ThreadRow; posts: PostView[]; guide: GuideData; canSummarize: boolean }) {
  const { t, fmt } = ctx;
  const live = posts.filter((p) => !p.deleted_at && !p.hidden && !p.is_opening);
  const byQuestion = (qid: number) => live.filter((p) => p.question_id === qid);
  const sections = [
    { kind: 'reaction' as const, heading: t('guides.reactions') },
    { kind: 'application' as const, heading: t('guides.applications') },
  ];
  return (
    <div class="convene-guide">
      <div class="usa-summary-box margin-bottom-3" role="region" aria-labelledby="guide-about">
        <div class="usa-summary-box__body">
          <h2 class="usa-summary-box__heading" id="guide-about">
            {t('guides.badge')}
          </h2>
          <div class="usa-summary-box__text">
            <p>{t('guides.about')}</p>
            {thread.source_title && (
              <p>
                <strong>{t('guides.shared_text')}:</strong>{' '}
                {thread.source_url ? (
                  <a class="usa-link" href={thread.source_url} rel="nofollow ugc noopener noreferrer">
                    {thread.source_title}
                  </a>
                ) : (
                  thread.source_title
                )}
              </p>
            )}
          </div>
        </div>
      </div>
      {sections.map((sec) => (
        <section aria-labelledby={`guide-${sec.kind}`} class="margin-bottom-4">
          <h2 id={`guide-${sec.kind}`}>{sec.heading}</h2>
          {guide.questions
            .filter((q) => q.kind === sec.kind)
            .map((q) => {
              const answers = byQuestion(q.id);
              const groups = new Map<string, PostView[]>();
              for (const a of answers) {
                const keys = a.perspectives.length ? a.perspectives : ['_unstated'];
                for (const k of keys) groups.set(k, [...(groups.get(k) ?? []), a]);
              }
              const heard = new Set(answers.flatMap((a) => a.perspectives));
              const missing = guide.perspectives.filter((p) => !heard.has(p));
              return (
                <div class="convene-guide__question margin-bottom-3" id={`question-${q.id}`}>
                  <h3>
                    {q.position}. {q.prompt}
                  </h3>
                  <p class="usa-hint">{t('guides.responses_count', { count: answers.length })}</p>
                  {answers.length === 0 ? (
                    <p>{t('guides.no_responses')}</p>
                  ) : (
                    <>
                      <h4 class="usa-sr-only">{t('guides.by_perspective')}</h4>
                      <dl class="convene-guide__perspectives">
                        {[...groups.entries()].map(([persp, list]) => (
                          <>
                            <dt>{persp === '_unstated' ? t('guides.unstated') : t(`perspective.${persp}`)}</dt>
                            {list.map((a) => (
                              <dd>
                                <a class="usa-link" href={`#post-${a.id}`}>
                                  {a.author_name ?? t('discussions.former_member')}
                                </a>
                                : {excerptOf(a.html)}
                              </dd>
                            ))}
                          </>
                        ))}
                      </dl>
                    </>
                  )}
                  {missing.length > 0 && (
                    <p class="usa-hint">
                      {t('guides.missing_perspectives')}: {missing.map((m) => t(`perspective.${m}`)).join(', ')}
                    </p>
                  )}
                </div>
              );
            })}
        </section>
      ))}
      <section aria-labelledby="guide-summary" class="margin-bottom-4">
        <h2 id="guide-summary">{t('guides.summary')}</h2>
        {thread.summary_at ? (
          <>
            <h3>{t('guides.common_ground')}</h3>
            <p class="convene-prewrap">{thread.summary_common_ground}</p>
            <h3>{t('guides.action_items')}</h3>
            <p class="convene-prewrap">{thread.summary_actions}</p>
            <p class="usa-hint">{t('guides.summary_by', { name: thread.summary_by_name ?? t('discussions.former_member'), when: fmt.dateTime(thread.summary_at) })}</p>
          </>
        ) : (
          !canSummarize && <p>{t('guides.no_summary')}</p>
        )}
        {canSummarize && (
          <details class="convene-disclosure" open={!thread.summary_at}>
            <summary>{t(thread.summary_at ? 'guides.edit_summary' : 'guides.write_summary')}</summary>
            <Form ctx={ctx} action={`/threads/${thread.id}/summary`} label={t('guides.summary')}>
              <TextArea ctx={ctx} form={{ values: { common_ground: thread.summary_common_ground ?? '' }, errors: {} }} name="common_ground" label={t('guides.common_ground')} rows={5} required />
              <TextArea ctx={ctx} form={{ values: { action_items: thread.summary_actions ?? '' }, errors: {} }} name="action_items" label={t('guides.action_items')} rows={5} required />
              <div class="usa-checkbox margin-top-2">
                <input class="usa-checkbox__input" id="field-close" type="checkbox" name="close" value="true" />
                <label class="usa-checkbox__label" for="field-close">
                  {t('guides.close_after')}
                </label>
              </div>
              <Submit label={t('guides.save_summary')} />
            </Form>
          </details>
        )}
      </section>
    </div>
  );
}

/** Plain text of rendered post HTML, shortened, for the guide's per-perspective lists. */
function excerptOf(html: string, max = 220): string {
  const text = html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? text.slice(0, max - 1).trimEnd() + '…' : text;
}

/** Stands for the reply form's idempotency key in kept markup. */
const IDEM_SLOT = slot('idem');
const MAX_KEPT_PARTS = 64;

export function ThreadView({ ctx, data, form }: { ctx: PageContext; data: ThreadPageData; form: FormState }) {
  const { t } = ctx;
  const { thread, posts, can } = data;
  const lastId = posts.reduce((m, p) => Math.max(m, p.id), 0);
  const questions = data.guide?.questions;
  // A form as a GET shows it (no submitted text, no errors) looks the same for
  // everyone with the same buttons; a guide's question list is read per view.
  const pristine = Object.keys(form.errors).length === 0 && Object.keys(form.values).every((k) => k === 'reply_to' || k === 'language');
  const controlsKey = ['controls', ctx.locale, thread.id, thread.kind, thread.pinned, thread.locked, thread.closed, data.watchLevel ?? '', can.moderate, posts.length > 1].join('|');
  const replyKey = ['reply', ctx.locale, thread.id, thread.closed, thread.locked, can.reply, can.signIn, String(form.values.reply_to ?? ''), String(form.values.language ?? '')].join('|');
  return (
    <>
      {data.kept ? keep(data.kept, controlsKey, ctx, (c) => <ThreadControls ctx={c} data={data} />, MAX_KEPT_PARTS) : <ThreadControls ctx={ctx} data={data} />}
      {data.guide && <GuideSections ctx={ctx} thread={thread} posts={posts} guide={data.guide} canSummarize={can.moderate} />}
      {data.guide && <h2>{t('discussions.posts')}</h2>}
      <ol class="convene-posts" aria-label={t('discussions.posts')} data-live={`/threads/${thread.id}/live`} data-after={String(lastId)} data-fragment={`/threads/${thread.id}/posts`}>
        {posts.map((p) => {
          const html = data.renderedPosts?.get(p.id);
          return html === undefined ? (
            <PostItem ctx={ctx} p={p} threadId={thread.id} can={can} questions={questions} />
          ) : (
            <li class="convene-post" id={`post-${p.id}`} data-post-id={p.id} dangerouslySetInnerHTML={{ __html: html }} />
          );
        })}
      </ol>
      <div class="usa-sr-only" role="status" aria-live="polite" id="live-status" data-one={t('discussions.live_new', { count: 1 })} data-many={t('discussions.live_new_other', { count: '{n}' })} />
      {data.linkedFrom.length > 0 && (
        <section aria-labelledby="linked-from" class="margin-top-3">
          <h2 id="linked-from">{t('discussions.linked_from')}</h2>
          <ul class="usa-list">
            {data.linkedFrom.map((l) => (
              <li>
                <a class="usa-link" href={`/threads/${l.id}`}>
                  {l.title}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {data.kept && pristine && !questions
        ? keep(data.kept, replyKey, ctx, (c) => <ReplySection ctx={c} data={{ ...data, idempotencyKey: IDEM_SLOT }} form={form} />, MAX_KEPT_PARTS, { [IDEM_SLOT]: data.idempotencyKey })
        : <ReplySection ctx={ctx} data={data} form={form} />}
    </>
  );
}

/** The thread's flags, the viewer's watch level, and the moderators' buttons. */
function ThreadControls({ ctx, data }: { ctx: PageContext; data: ThreadPageData }) {
  const { t } = ctx;
  const { thread, posts, can } = data;
  return (
    <>
      <p>
        {thread.kind === 'dialogue_guide' && <span class="usa-tag bg-accent-cool-darker">{t('guides.badge')}</span>}
        <ThreadFlags ctx={ctx} t={thread} />
      </p>
      {data.watchLevel && <WatchControl ctx={ctx} action={`/threads/${thread.id}/watch`} level={data.watchLevel} scope="thread" />}
      {can.moderate && (
        <div class="convene-actions margin-bottom-2">
          <ButtonForm ctx={ctx} action={`/threads/${thread.id}/moderate`} hidden={{ pinned: String(!thread.pinned) }} label={t(thread.pinned ? 'discussions.unpin' : 'discussions.pin')} variant="outline" />
          <ButtonForm ctx={ctx} action={`/threads/${thread.id}/moderate`} hidden={{ locked: String(!thread.locked) }} label={t(thread.locked ? 'discussions.unlock' : 'discussions.lock')} variant="outline" />
          <ButtonForm ctx={ctx} action={`/threads/${thread.id}/moderate`} hidden={{ closed: String(!thread.closed) }} label={t(thread.closed ? 'discussions.reopen' : 'discussions.close')} variant="outline" />
          {posts.length > 1 && (
            <a class="usa-button usa-button--outline" href={`/threads/${thread.id}/split`}>
              {t('discussions.split')}
            </a>
          )}
          <a class="usa-button usa-button--outline" href={`/threads/${thread.id}/move`}>
            {t('discussions.move')}
          </a>
        </div>
      )}
    </>
  );
}

/** "Your reply": the form, or why there is none (closed, locked, members only, sign in first). */
function ReplySection({ ctx, data, form }: { ctx: PageContext; data: ThreadPageData; form: FormState }) {
  const { t } = ctx;
  const { thread, can } = data;
  const questions = data.guide?.questions;
  return (
    <section aria-labelledby="reply" class="margin-top-4">
      <h2 id="reply">{t('discussions.your_reply')}</h2>
      {thread.closed && <p>{t('discussions.closed_note')}</p>}
      {!thread.closed && thread.locked && !can.reply && <p>{t('discussions.locked_note')}</p>}
      {can.signIn && (
        <p>
          <a class="usa-button" href={`/login?next=${encodeURIComponent(`/threads/${thread.id}`)}`}>
            {t('discussions.sign_in_to_reply')}
          </a>
        </p>
      )}
      {!can.reply && !can.signIn && !thread.closed && !thread.locked && <p class="usa-hint">{t('discussions.members_only_reply')}</p>}
      {can.reply && (
        <>
          <ErrorSummary ctx={ctx} form={form} labels={{ body: t('discussions.reply_label'), reply_to: t('discussions.reply_label'), question_id: t('guides.answering'), acknowledge_privacy: t('privacy.heading'), acknowledge_jargon: t('jargon.heading') }} />
          <Form ctx={ctx} action={`/threads/${thread.id}/replies`} idempotencyKey={data.idempotencyKey} label={t('discussions.your_reply')}>
            {form.values.reply_to ? (
              <p>
                <input type="hidden" name="reply_to" value={String(form.values.reply_to)} />
                <a class="usa-link" href={`#post-${String(form.values.reply_to)}`}>
                  {t('discussions.replying_to_post')}
                </a>
              </p>
            ) : null}
            {questions && questions.length > 0 && (
              <Select
                ctx={ctx}
                form={form}
                name="question_id"
                label={t('guides.answering')}
                emptyLabel={t('guides.general')}
                options={questions.map((q) => ({ value: String(q.id), label: `${t(q.kind === 'reaction' ? 'guides.reactions' : 'guides.applications')} ${q.position}: ${q.prompt}` }))}
              />
            )}
            <TextArea ctx={ctx} form={form} name="body" label={t('discussions.reply_label')} hint={`${t('discussions.markdown_hint')} ${t('discussions.mention_hint')}`} rows={6} required />
            <LanguageSelect ctx={ctx} form={form} label={t('discussions.language_label')} />
            <PrivacyAcknowledge ctx={ctx} form={form} />
            <JargonAcknowledge ctx={ctx} form={form} />
            <Submit label={t('discussions.post_reply')} />
          </Form>
        </>
      )}
    </section>
  );
}

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

/** Highlighted snippet: the text is escaped by JSX; only our sentinel marks become <mark>. */
function Snippet({ text }: { text: string }) {
  const parts = text.split(/(⟦[^⟧]*⟧)/);
  return (
    <>
      {parts.map((p) => (p.startsWith('⟦') && p.endsWith('⟧') ? <mark>{p.slice(1, -1)}</mark> : p))}
    </>
  );
}

export function SearchView({
  ctx,
  q,
  group,
  perspective,
  groups,
  resources,
  terms,
  hits,
  more,
  page,
  error,
  part = (_name, view) => view(ctx),
}: {
  ctx: PageContext;
  q: string;
  group: string;
  perspective: string;
  groups: { slug: string; name: string }[];
  resources?: { slug: string; title: string; summary: string; kind: string; language: string }[];
  terms?: { slug: string; term: string; acronym: string | null; plain_definition: string }[];
  hits: SearchHit[];
  more: boolean;
  page: number;
  error?: string;
  /**
   * Renders the page's two large parts, the form (every group the viewer may
   * search in) and the results; the route keeps their markup with the answer.
   */
  part?: (name: 'form' | 'hits', view: (ctx: PageContext) => VNode) => VNode;
}) {
  const { t } = ctx;
  return (
    <>
      {part('form', (c) => (
        <SearchForm ctx={c} q={q} group={group} perspective={perspective} groups={groups} />
      ))}
      {error && (
        <div class="usa-alert usa-alert--error usa-alert--slim margin-top-2" role="alert">
          <div class="usa-alert__body">
            <p class="usa-alert__text">{error}</p>
          </div>
        </div>
      )}
      {q && !error && terms && terms.length > 0 && (
        <section aria-labelledby="term-results" class="margin-top-4">
          <h2 id="term-results">{t('glossary.search_section')}</h2>
          <dl class="convene-glossary">
            {terms.map((g) => (
              <>
                <dt>
                  <a class="usa-link" href={`/glossary/${g.slug}`}>
                    {g.acronym ? `${g.acronym} — ${g.term}` : g.term}
                  </a>
                </dt>
                <dd>{g.plain_definition}</dd>
              </>
            ))}
          </dl>
        </section>
      )}
      {q && !error && resources && resources.length > 0 && (
        <section aria-labelledby="resource-results" class="margin-top-4">
          <h2 id="resource-results">{t('search.in_library')}</h2>
          <ul class="usa-list usa-list--unstyled">
            {resources.map((r) => (
              <li class="margin-bottom-2">
                <a class="usa-link text-bold" href={`/resources/${r.slug}`} lang={r.language !== ctx.locale ? r.language : undefined}>
                  {r.title}
                </a>{' '}
                <span class="text-base-dark">({t(`resources.kind.${r.kind}`)})</span>
                <div>{r.summary}</div>
              </li>
            ))}
          </ul>
          <a class="usa-link" href={`/resources?q=${encodeURIComponent(q)}`}>
            {t('search.more_in_library')}
          </a>
        </section>
      )}
      {q && !error && part('hits', (c) => <SearchResults ctx={c} q={q} group={group} perspective={perspective} hits={hits} more={more} page={page} />)}
    </>
  );
}

function SearchForm({ ctx, q, group, perspective, groups }: { ctx: PageContext; q: string; group: string; perspective: string; groups: { slug: string; name: string }[] }) {
  const { t } = ctx;
  return (
    <form method="get" action="/search" class="usa-form usa-form--large" role="search" aria-label={t('search.title')}>
      <label class="usa-label" for="search-q">
        {t('search.query')}
      </label>
      <div class="usa-hint" id="search-q-hint">
        {t('search.syntax_hint')}
      </div>
      <input class="usa-input" id="search-q" name="q" type="search" value={q} aria-describedby="search-q-hint" maxLength={200} />
      <label class="usa-label" for="search-group">
        {t('search.in_group')}
      </label>
      <select class="usa-select" id="search-group" name="group">
        <option value="">{t('search.everywhere')}</option>
        {groups.map((g) => (
          <option value={g.slug} selected={g.slug === group}>
            {g.name}
          </option>
        ))}
      </select>
      <label class="usa-label" for="search-perspective">
        {t('discussions.perspective_filter')}
      </label>
      <select class="usa-select" id="search-perspective" name="perspective">
        <option value="">{t('search.everyone')}</option>
        {PERSPECTIVES.map((p) => (
          <option value={p} selected={p === perspective}>
            {t(`perspective.${p}`)}
          </option>
        ))}
      </select>
      <button class="usa-button margin-top-2" type="submit">
        {t('common.search')}
      </button>
    </form>
  );
}

function SearchResults({ ctx, q, group, perspective, hits, more, page }: { ctx: PageContext; q: string; group: string; perspective: string; hits: SearchHit[]; more: boolean; page: number }) {
  const { t, fmt } = ctx;
  const base = `/search?q=${encodeURIComponent(q)}${group ? `&group=${encodeURIComponent(group)}` : ''}${perspective ? `&perspective=${encodeURIComponent(perspective)}` : ''}`;
  return (
    <section aria-labelledby="results" class="margin-top-4">
      <h2 id="results">{t('search.results')}</h2>
      <p role="status">{hits.length === 0 ? t('search.no_results') : t('search.showing', { count: hits.length })}</p>
      <ol class="usa-list usa-list--unstyled">
        {hits.map((h) => (
          <li class="margin-bottom-3">
            <a class="usa-link text-bold" href={`/threads/${h.thread_id}#post-${h.post_id}`}>
              {h.title}
            </a>
            <div class="usa-hint">
              {h.group_name ?? t('discussions.community_space')} · {h.author_name ?? t('discussions.former_member')} · {fmt.date(h.created_at)}
            </div>
            <p class="margin-top-05">
              <Snippet text={h.snippet} />
            </p>
          </li>
        ))}
      </ol>
      <Pager ctx={ctx} page={page} more={more} basePath={base} />
    </section>
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
