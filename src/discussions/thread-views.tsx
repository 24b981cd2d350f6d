import type { PageContext } from '../platform/views/context.js';
import { DecisionsBox } from '../value/views.js';
import type { DecisionRow } from '../value/decisions.js';
import { keptPart, same, slot, type KeptStore } from '../platform/views/kept.js';
import { ButtonForm, PrivacyAcknowledge, ErrorSummary, Form, JargonAcknowledge, Select, Submit, TextArea, emptyForm, type FormState } from '../platform/views/forms.js';
import type { DialogueQuestion, PostView, ThreadRow } from './queries.js';
import { REACTIONS, inOrder, type ReactionKind } from './reactions.js';
import { WatchControl } from '../notifications/views.js';
import { Avatar } from '../platform/views/avatar.js';
import { AttachmentFields, ThreadFlags } from './views.js';
import { LanguageSelect } from '../platform/views/bilingual.js';

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
  bookmark: boolean;
  /** Youth members' photos: signed-in viewers only (the public sees their initials). */
  youthPhotos: boolean;
  editIds: Set<number>;
  deleteIds: Set<number>;
  /** Write or correct a post's translation (the thread's rule: whoever may take part here). */
  translate?: boolean;
  /** Ask for a post in the other language. */
  askTranslation?: boolean;
}

export interface ThreadPageData {
  thread: ThreadRow;
  posts: PostView[];
  can: PostPermissions & { signIn: boolean };
  idempotencyKey: string;
  /** The viewer's watch level (signed in only). */
  watchLevel?: string;
  linkedFrom: { id: number; title: string }[];
  /** Signed in: replies by others since the viewer last opened the thread, and the first of them. */
  newSince?: { first: number; count: number };
  /** The reply being written, as it will look (the "Preview" button). */
  preview?: string;
  guide?: GuideData;
  /** Posts already rendered for this viewer (`renderPosts`), by post id; the rest are rendered in place. */
  renderedPosts?: Map<number, string>;
  /**
   * Where the page's controls and reply form are kept between viewers (with the
   * thread's shared rows); without it, or when the form carries a submission's
   * values and errors, they are rendered for this view.
   */
  kept?: KeptStore;
  /** Polls and proposals opened here (read only when the thread has some), and whether the viewer may open one. */
  decisions?: { rows: DecisionRow[]; canOpen: boolean };
}

/** What one viewer may do to one post (from the thread's `PostPermissions`). */
interface PostActions {
  reply: boolean;
  moderate: boolean;
  react: boolean;
  flag: boolean;
  bookmark: boolean;
  youthPhotos: boolean;
  edit: boolean;
  delete: boolean;
  translate: boolean;
  askTranslation: boolean;
}

type PostProps = { ctx: PageContext; p: PostView; threadId: number; own: boolean; actions: PostActions; question?: DialogueQuestion };

function postActions(can: PostPermissions, p: PostView): PostActions {
  return { reply: can.reply, moderate: can.moderate, react: can.react, flag: can.flag, bookmark: can.bookmark, youthPhotos: can.youthPhotos, edit: can.editIds.has(p.id), delete: can.deleteIds.has(p.id), translate: !!can.translate, askTranslation: !!can.askTranslation };
}

const questionOf = (p: PostView, questions: DialogueQuestion[] | undefined) => (p.question_id ? questions?.find((q) => q.id === p.question_id) : undefined);

/** One message in a thread; also sent alone to pages that show new replies live. */
export function PostItem({ ctx, p, threadId, can, questions }: { ctx: PageContext; p: PostView; threadId: number; can: PostPermissions; questions?: DialogueQuestion[] }) {
  const own = ctx.actor.kind === 'user' && p.author_id === ctx.actor.id;
  return (
    <li class="convene-post" id={`post-${p.id}`} data-post-id={p.id}>
      <PostArticle ctx={ctx} p={p} threadId={threadId} own={own} actions={postActions(can, p)} question={questionOf(p, questions)} />
    </li>
  );
}

/**
 * A post as kept between viewers: the shared row (by identity: any write reads
 * it afresh), the reactions this viewer left on it, whether they bookmarked
 * it, whether it is their own,
 * what they may do to it, and the Dialogue Guide question it answers.
 */
const KeptPost = keptPart<{ post: ReturnType<typeof same<PostView>>; mine: string; bookmarked: boolean; own: boolean; threadId: number; reply: boolean; moderate: boolean; react: boolean; flag: boolean; bookmark: boolean; youthPhotos: boolean; edit: boolean; delete: boolean; translate: boolean; askTranslation: boolean; question: string | null }>(
  'post',
  (ctx, d) => (
    <PostArticle
      ctx={ctx}
      p={d.mine === d.post.mine.join(',') && d.bookmarked === d.post.bookmarked ? d.post : { ...d.post, mine: inOrder(d.mine ? d.mine.split(',') : []), bookmarked: d.bookmarked }}
      threadId={d.threadId}
      own={d.own}
      actions={{ reply: d.reply, moderate: d.moderate, react: d.react, flag: d.flag, bookmark: d.bookmark, youthPhotos: d.youthPhotos, edit: d.edit, delete: d.delete, translate: d.translate, askTranslation: d.askTranslation }}
      question={d.question === null ? undefined : (JSON.parse(d.question) as DialogueQuestion)}
    />
  ),
  { max: 2000 },
);

/**
 * Each post's markup for this viewer, kept in `store` when someone whose view
 * of the post is the same (language, time zone, the same buttons and marks)
 * rendered it already. A thread page's rows are the same for all its readers
 * and only these few things vary, so after the first few views a page puts
 * kept strings together instead of rendering twenty posts again. `shared` are
 * the rows as read for everyone; `viewer` the reader's reactions by post and
 * their bookmarks.
 */
export function renderPosts(ctx: PageContext, shared: PostView[], viewer: { mine: ReadonlyMap<number, ReactionKind[]>; bookmarks: ReadonlySet<number> }, threadId: number, can: PostPermissions, questions: DialogueQuestion[] | undefined, store: KeptStore): Map<number, string> {
  const out = new Map<number, string>();
  for (const p of shared) {
    const q = questionOf(p, questions);
    const own = ctx.actor.kind === 'user' && p.author_id === ctx.actor.id;
    out.set(p.id, KeptPost.html(store, ctx, { post: same(p), mine: (viewer.mine.get(p.id) ?? p.mine).join(','), bookmarked: viewer.bookmarks.has(p.id) || p.bookmarked, own, threadId, ...postActions(can, p), question: q ? JSON.stringify(q) : null }));
  }
  return out;
}

function PostArticle({ ctx, p, threadId, own, actions: can, question }: PostProps) {
  const { t, fmt } = ctx;
  return (
    <article aria-labelledby={`post-${p.id}-by`}>
      <header class="convene-post__meta">
        <span id={`post-${p.id}-by`}>
          {p.author_id && <Avatar person={{ id: p.author_id, name: p.author_name, photo: p.author_youth && !can.youthPhotos ? null : p.author_photo }} />}
          <strong>
            {p.author_id ? (
              <>
                <a class="usa-link" href={`/people/${p.author_id}`}>
                  <bdi>{p.author_name}</bdi>
                </a>
                {p.author_handle && <span class="convene-handle"> @{p.author_handle}</span>}
              </>
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
          {p.attachments.length > 0 && <Attachments ctx={ctx} p={p} canRemove={can.edit || can.moderate} />}
          {!p.hidden && <PostTranslation ctx={ctx} p={p} can={can} />}
        </>
      )}
      {!p.deleted_at && (!p.hidden || can.moderate) && (
        <footer class="convene-post__actions">
          <ReactionBar ctx={ctx} p={p} canReact={can.react && !own} />
          {can.bookmark &&
            (p.bookmarked ? (
              <a class="usa-link convene-bookmark convene-bookmark--on" href={`/posts/${p.id}/bookmark`}>
                {t('bookmarks.bookmarked')}
              </a>
            ) : (
              <ButtonForm ctx={ctx} action={`/posts/${p.id}/bookmark`} label={t('bookmarks.bookmark')} variant="unstyled" />
            ))}
          {can.reply && (
            <a class="usa-link margin-left-1" href={`/threads/${threadId}?reply_to=${p.id}#reply`}>
              {t('discussions.reply_to_this')}
            </a>
          )}
          {can.edit && (
            <a class="usa-link margin-left-1" href={`/posts/${p.id}/edit`}>
              {t('discussions.edit')}
            </a>
          )}
          {can.delete && <ButtonForm ctx={ctx} action={`/posts/${p.id}/delete`} label={t('discussions.delete')} variant="unstyled" />}
          {can.moderate && (
            <>
              <ButtonForm ctx={ctx} action={`/posts/${p.id}/${p.hidden ? 'restore' : 'hide'}`} label={t(p.hidden ? 'moderation.restore' : 'moderation.hide')} variant="unstyled" />
              <a class="usa-link margin-left-1" href={`/posts/${p.id}/redact`}>
                {t('moderation.redact')}
              </a>
            </>
          )}
          {can.flag && !own && (
          <a class="usa-link margin-left-1" href={`/posts/${p.id}/report`} aria-label={t('moderation.report_post')}>
            {t('moderation.report')}
          </a>
        )}
        </footer>
      )}
    </article>
  );
}

/**
 * A member's translation of the post, beside it: open when it is in the
 * reader's language, folded otherwise; who wrote and corrected it; a note
 * when the post changed since. Without one, a reader of the other language
 * may ask for it and those who may take part here may write it.
 */
function PostTranslation({ ctx, p, can }: { ctx: PageContext; p: PostView; can: PostActions }) {
  const { t } = ctx;
  const other = p.language === 'es' ? 'en' : 'es';
  const tr = p.translation;
  const language = t(`translate.language.${other}`);
  if (!tr) {
    if (p.language === ctx.locale || (!can.translate && !can.askTranslation)) return null;
    return (
      <div class="convene-translation-actions">
        {can.askTranslation && <ButtonForm ctx={ctx} action={`/posts/${p.id}/translation-request`} label={t('translate.member.ask', { language })} variant="unstyled" />}
        {can.translate && (
          <a class="usa-link margin-left-1" href={`/posts/${p.id}/translate`}>
            {t('translate.member.translate', { language })}
          </a>
        )}
      </div>
    );
  }
  const by = tr.translator ? t('translate.member.by', { name: tr.translator }) : t('translate.member.by_former');
  return (
    <details class="convene-translation" open={tr.language === ctx.locale}>
      <summary>{t('translate.member.translation_of', { language: t(`translate.language.${tr.language}`) })}</summary>
      {tr.source_version !== p.version && <p class="usa-hint">{t('translate.member.out_of_date')}</p>}
      <div class="convene-post__body" lang={tr.language !== ctx.locale ? tr.language : undefined} dangerouslySetInnerHTML={{ __html: tr.html }} />
      <p class="usa-hint margin-y-05">
        {by}
        {tr.corrector && `, ${t('translate.member.corrected_by', { name: tr.corrector })}`}
        {can.translate && (
          <>
            {' · '}
            <a class="usa-link" href={`/posts/${p.id}/translate`}>
              {t('translate.member.correct')}
            </a>
          </>
        )}
      </p>
    </details>
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
export function excerptOf(html: string, max = 220): string {
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

export function ThreadView({ ctx, data, form }: { ctx: PageContext; data: ThreadPageData; form: FormState }) {
  const { t } = ctx;
  const { thread, posts, can } = data;
  const lastId = posts.reduce((m, p) => Math.max(m, p.id), 0);
  const questions = data.guide?.questions;
  // A form as a GET shows it (no submitted text, no errors) looks the same for
  // everyone with the same buttons; a guide's question list is read per view.
  const pristine = Object.keys(form.errors).length === 0 && Object.keys(form.values).every((k) => k === 'reply_to' || k === 'language');
  const controls: ControlsDeps = { threadId: thread.id, kind: thread.kind, pinned: thread.pinned, locked: thread.locked, closed: thread.closed, watchLevel: data.watchLevel ?? null, moderate: can.moderate, canSplit: posts.length > 1 };
  return (
    <>
      {KeptControls.render(data.kept, ctx, controls)}
      {data.decisions && <DecisionsBox ctx={ctx} decisions={data.decisions.rows} threadId={thread.id} canOpen={data.decisions.canOpen} />}
      {data.newSince && (
        <div class="usa-alert usa-alert--info usa-alert--slim margin-bottom-2">
          <div class="usa-alert__body">
            <p class="usa-alert__text">
              {t('latest.since_last_visit', { count: data.newSince.count, n: ctx.fmt.number(data.newSince.count) })}{' '}
              <a class="usa-link" href={`#post-${data.newSince.first}`}>
                {t('latest.jump_first_new')}
              </a>
            </p>
          </div>
        </div>
      )}
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
      {pristine && !questions
        ? KeptReply.render(
            data.kept,
            ctx,
            { threadId: thread.id, closed: thread.closed, locked: thread.locked, reply: can.reply, signIn: can.signIn, replyTo: String(form.values.reply_to ?? ''), language: String(form.values.language ?? '') },
            { [IDEM_SLOT]: data.idempotencyKey },
          )
        : <ReplySection ctx={ctx} thread={thread} can={can} questions={questions} idempotencyKey={data.idempotencyKey} form={form} preview={data.preview} />}
    </>
  );
}

type ControlsDeps = { threadId: number; kind: string; pinned: boolean; locked: boolean; closed: boolean; watchLevel: string | null; moderate: boolean; canSplit: boolean };

/** The thread's flags, the viewer's watch level, and the moderators' buttons (kept: the same for every viewer with the same deps). */
const KeptControls = keptPart<ControlsDeps>(
  'thread-controls',
  (ctx, d) => {
    const { t } = ctx;
    const id = d.threadId;
    return (
      <>
        <p>
          {d.kind === 'dialogue_guide' && <span class="usa-tag bg-accent-cool-darker">{t('guides.badge')}</span>}
          <ThreadFlags ctx={ctx} t={d} />
        </p>
        {d.watchLevel && <WatchControl ctx={ctx} action={`/threads/${id}/watch`} level={d.watchLevel} scope="thread" />}
        {d.moderate && (
          <div class="convene-actions margin-bottom-2">
            <ButtonForm ctx={ctx} action={`/threads/${id}/moderate`} hidden={{ pinned: String(!d.pinned) }} label={t(d.pinned ? 'discussions.unpin' : 'discussions.pin')} variant="outline" />
            <ButtonForm ctx={ctx} action={`/threads/${id}/moderate`} hidden={{ locked: String(!d.locked) }} label={t(d.locked ? 'discussions.unlock' : 'discussions.lock')} variant="outline" />
            <ButtonForm ctx={ctx} action={`/threads/${id}/moderate`} hidden={{ closed: String(!d.closed) }} label={t(d.closed ? 'discussions.reopen' : 'discussions.close')} variant="outline" />
            {d.canSplit && (
              <a class="usa-button usa-button--outline" href={`/threads/${id}/split`}>
                {t('discussions.split')}
              </a>
            )}
            <a class="usa-button usa-button--outline" href={`/threads/${id}/move`}>
              {t('discussions.move')}
            </a>
          </div>
        )}
      </>
    );
  },
  { max: 2000 },
);

/** The reply section as a form shows it before anything is typed (no guide questions): kept, with the idempotency key filled in per view. */
const KeptReply = keptPart<{ threadId: number; closed: boolean; locked: boolean; reply: boolean; signIn: boolean; replyTo: string; language: string }>(
  'thread-reply',
  (ctx, d) => (
    <ReplySection
      ctx={ctx}
      thread={{ id: d.threadId, closed: d.closed, locked: d.locked }}
      can={{ reply: d.reply, signIn: d.signIn }}
      idempotencyKey={IDEM_SLOT}
      form={emptyForm({ ...(d.replyTo ? { reply_to: d.replyTo } : {}), ...(d.language ? { language: d.language } : {}) })}
    />
  ),
  { max: 2000 },
);

/**
 * Formatting buttons for a Markdown field: hidden (and out of the accessibility tree)
 * until convene.js wires them; without JavaScript people type the Markdown themselves.
 */
function MarkdownToolbar({ ctx, field }: { ctx: PageContext; field: string }) {
  const { t } = ctx;
  const tools = ['bold', 'italic', 'link', 'list', 'quote'] as const;
  return (
    <div role="toolbar" class="convene-md-toolbar margin-top-2" aria-label={t('discussions.toolbar_label')} aria-controls={field} data-for={field} hidden>
      {tools.map((tool, i) => (
        <button type="button" class="usa-button usa-button--unstyled convene-md-toolbar__button" data-md={tool} tabIndex={i === 0 ? 0 : -1}>
          {t(`discussions.tool_${tool}`)}
        </button>
      ))}
    </div>
  );
}

/** "Your reply": the form, or why there is none (closed, locked, members only, sign in first). */
function ReplySection({
  ctx,
  thread,
  can,
  questions,
  idempotencyKey,
  form,
  preview,
}: {
  ctx: PageContext;
  thread: Pick<ThreadRow, 'id' | 'closed' | 'locked'>;
  can: { reply: boolean; signIn: boolean };
  questions?: DialogueQuestion[];
  idempotencyKey: string;
  form: FormState;
  /** The reply as it will look, rendered by the server's posting pipeline (sanitized HTML). */
  preview?: string;
}) {
  const { t } = ctx;
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
          <ErrorSummary ctx={ctx} form={form} labels={{ body: t('discussions.reply_label'), reply_to: t('discussions.reply_label'), question_id: t('guides.answering'), attachment: t('attachments.field'), attachment_alt: t('attachments.alt'), acknowledge_privacy: t('privacy.heading'), acknowledge_jargon: t('jargon.heading') }} />
          {preview !== undefined && (
            <section aria-labelledby="reply-preview" class="convene-preview margin-y-2 padding-2 border-1px border-base-lighter radius-md">
              <h3 id="reply-preview" tabIndex={-1}>
                {t('discussions.preview_heading')}
              </h3>
              <p class="usa-hint">{t('discussions.preview_hint')}</p>
              <div class="convene-post__body" dangerouslySetInnerHTML={{ __html: preview }} />
            </section>
          )}
          <Form ctx={ctx} action={`/threads/${thread.id}/replies`} idempotencyKey={idempotencyKey} label={t('discussions.your_reply')} enctype="multipart/form-data">
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
            <MarkdownToolbar ctx={ctx} field="field-body" />
            <TextArea ctx={ctx} form={form} name="body" label={t('discussions.reply_label')} hint={`${t('discussions.markdown_hint')} ${t('discussions.mention_hint')}`} rows={6} required markdown draft={{ key: `reply:${thread.id}`, restored: t('discussions.draft_restored'), discard: t('discussions.draft_discard') }} mentions={`/api/v1/mentions?thread=${thread.id}`} />
            <LanguageSelect ctx={ctx} form={form} label={t('discussions.language_label')} />
            <AttachmentFields ctx={ctx} form={form} />
            <PrivacyAcknowledge ctx={ctx} form={form} />
            <JargonAcknowledge ctx={ctx} form={form} />
            <div class="margin-top-3">
              <button type="submit" class="usa-button">
                {t('discussions.post_reply')}
              </button>
              <button type="submit" class="usa-button usa-button--outline" name="preview" value="1" formNoValidate>
                {t('discussions.preview')}
              </button>
            </div>
          </Form>
        </>
      )}
    </section>
  );
}


/** A picture for each reaction, next to its words (never instead of them). */
export const REACTION_SIGNS: Record<ReactionKind, string> = { helpful: '💡', thanks: '🙏', agree: '👍', will_try: '🌱' };

/**
 * A post's reactions: toggle buttons (`aria-pressed`) for a reader who may
 * react, each a small form so it works without JavaScript; counts alone for
 * everyone else; and a link to who reacted.
 */
function ReactionBar({ ctx, p, canReact }: { ctx: PageContext; p: PostView; canReact: boolean }) {
  const { t, fmt } = ctx;
  const total = REACTIONS.reduce((n, k) => n + (p.reactions[k] ?? 0), 0);
  if (!canReact && total === 0) return null;
  const mine = new Set(p.mine);
  const faceOf = (kind: ReactionKind) => {
    const count = p.reactions[kind] ?? 0;
    return (
      <>
        <span aria-hidden="true">{REACTION_SIGNS[kind]}</span> {t(`reactions.kind.${kind}`)}
        {count > 0 && <span class="convene-reaction__count">{fmt.number(count)}</span>}
      </>
    );
  };
  const who = total > 0 && (
    <a class="usa-link convene-reactions__who" href={`/posts/${p.id}/reactions`}>
      {t('reactions.who', { count: total })}
    </a>
  );
  if (!canReact) {
    return (
      <div class="convene-reactions" role="group" aria-label={t('reactions.label')}>
        {REACTIONS.map((kind) => ((p.reactions[kind] ?? 0) > 0 ? <span class="convene-reaction convene-reaction--static">{faceOf(kind)}</span> : null))}
        {who}
      </div>
    );
  }
  // One form for the four buttons: each button sends which reaction and whether it is being given or
  // taken back (`react=thanks:on`), so a double submit changes nothing twice, and the page carries
  // one token per post rather than one per reaction.
  return (
    <div class="convene-reactions" role="group" aria-label={t('reactions.label')}>
      <form method="post" action={`/posts/${p.id}/reactions`} class="convene-reactions__form">
        <input type="hidden" name="_csrf" value={ctx.csrf()} />
        {REACTIONS.map((kind) => (
          <button type="submit" name="react" value={`${kind}:${mine.has(kind) ? 'off' : 'on'}`} class="convene-reaction" aria-pressed={mine.has(kind) ? 'true' : 'false'}>
            {faceOf(kind)}
          </button>
        ))}
      </form>
      {who}
    </div>
  );
}

export const attachmentUrl = (a: { id: number; filename: string }) => `/attachments/${a.id}/${encodeURIComponent(a.filename)}`;

/** A message's pictures (with the description their author wrote) and files (with type and size). */
function Attachments({ ctx, p, canRemove }: { ctx: PageContext; p: PostView; canRemove: boolean }) {
  const { t, fmt } = ctx;
  const images = p.attachments.filter((a) => a.kind === 'image');
  const files = p.attachments.filter((a) => a.kind === 'file');
  const remove = (a: { id: number; filename: string }) =>
    canRemove && (
      <form method="post" action={`/attachments/${a.id}/delete`} class="convene-inline-form">
        <input type="hidden" name="_csrf" value={ctx.csrf()} />
        <button type="submit" class="usa-button usa-button--unstyled" aria-label={t('attachments.remove_named', { name: a.filename })}>
          {t('attachments.remove')}
        </button>
      </form>
    );
  return (
    <div class="convene-attachments">
      {images.map((a) => (
        <figure class="convene-attachment">
          <img src={attachmentUrl(a)} alt={a.alt} width={a.width ?? undefined} height={a.height ?? undefined} loading="lazy" decoding="async" />
          {remove(a)}
        </figure>
      ))}
      {files.length > 0 && (
        <ul class="usa-list usa-list--unstyled">
          {files.map((a) => (
            <li>
              <a class="usa-link" href={attachmentUrl(a)} download={a.filename}>
                {a.filename}
              </a>{' '}
              <span class="usa-hint">({t('attachments.size', { type: (a.filename.split('.').pop() ?? '').toUpperCase(), size: fmt.number(Math.max(1, Math.round(a.size_bytes / 1024))) })})</span> {remove(a)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
