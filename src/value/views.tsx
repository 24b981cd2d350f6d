import { GroupName } from '../platform/views/bilingual.js';
import type { PageContext } from '../platform/views/context.js';
import { ButtonForm, ChoiceGroup, ErrorSummary, Form, PrivacyAcknowledge, Select, Submit, TextArea, TextField, type FormState } from '../platform/views/forms.js';
import { Pager } from '../platform/views/pager.js';
import { renderMarkdown } from '../discussions/markdown.js';
import { PERSPECTIVES } from '../community/vocab.js';
import { eventFormatters } from '../events/time.js';
import type { ValueCycle } from '../platform/db/schema.js';
import type { OpenFollowup, UseFunnel } from './followups.js';
import { AUDIENCES, CYCLES, type StoryLink, type StoryRow } from './stories.js';
import { MAX_OPTIONS, SMALL_CELL, STANCES, type Decision, type DecisionResults, type DecisionRow } from './decisions.js';
import { decisionOpen } from './policy.js';

/** A share as a percentage in the reader's language ("42%", "42 %"). */
export const percent = (ctx: PageContext, share: number): string => ctx.fmt.percent(share);

// ---- use follow-ups ------------------------------------------------------------------------------

/** A question as lists show it: what it is about and how the person came to it. */
export interface FollowupItem {
  id: number;
  trigger: string;
  title: string;
}
export const followupItem = (f: OpenFollowup): FollowupItem => ({ id: f.id, trigger: f.trigger, title: f.resource?.title ?? f.event?.title ?? '' });

function followupLine(ctx: PageContext, f: FollowupItem) {
  const { t } = ctx;
  return t('followups.about_resource', { how: t(`followups.how_${f.trigger}`), title: f.title });
}

export function FollowupsView({ ctx, items, off, delayDays }: { ctx: PageContext; items: OpenFollowup[]; off: boolean; delayDays: number }) {
  const { t, fmt } = ctx;
  return (
    <>
      {items.length === 0 ? (
        <p>{t('followups.none')}</p>
      ) : (
        <ul class="usa-list usa-list--unstyled convene-followups">
          {items.map((f) => (
            <li class="margin-bottom-2">
              <p class="margin-y-05">
                <a class="usa-link" href={`/follow-ups/${f.id}`}>
                  {followupLine(ctx, followupItem(f))}
                </a>
              </p>
              <p class="usa-hint margin-y-05">{t('followups.asked', { when: fmt.date(f.asked_at) })}</p>
            </li>
          ))}
        </ul>
      )}
      <section aria-labelledby="followup-settings" class="margin-top-4">
        <h2 id="followup-settings">{t('followups.settings_heading')}</h2>
        <p>{off ? t('followups.settings_off') : t('followups.settings_on', { days: fmt.number(delayDays) })}</p>
        <ButtonForm ctx={ctx} action="/follow-ups/settings" hidden={{ off: off ? 'false' : 'true' }} label={off ? t('followups.turn_on') : t('followups.turn_off')} variant="outline" />
      </section>
    </>
  );
}

export function FollowupAnswerView({ ctx, f, form, idempotencyKey }: { ctx: PageContext; f: { id: number; trigger: string; title: string; resource_id: number | null }; form: FormState; idempotencyKey: string }) {
  const { t } = ctx;
  const labels = { answer: t(f.resource_id ? 'followups.question' : 'followups.question_event'), how_used: t('followups.how_used'), usefulness: t('followups.usefulness') };
  return (
    <>
      <p>{t('followups.about_resource', { how: t(`followups.how_${f.trigger}`), title: f.title })}</p>
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <Form ctx={ctx} action={`/follow-ups/${f.id}`} idempotencyKey={idempotencyKey} label={labels.answer}>
        <ChoiceGroup
          ctx={ctx}
          form={form}
          name="answer"
          label={labels.answer}
          required
          options={[
            { value: 'used', label: t('followups.answer_used') },
            { value: 'not_used', label: t('followups.answer_not_used') },
            { value: 'not_yet', label: t('followups.answer_not_yet') },
          ]}
        />
        <TextArea ctx={ctx} form={form} name="how_used" label={labels.how_used} hint={t('followups.how_used_hint')} rows={3} maxLength={2000} />
        <ChoiceGroup ctx={ctx} form={form} name="usefulness" label={labels.usefulness} hint={t('followups.usefulness_hint')} options={[1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: ctx.fmt.number(n) }))} columns />
        <Submit label={t('followups.submit')} />
      </Form>
      <div class="margin-top-3">
        <ButtonForm ctx={ctx} action={`/follow-ups/${f.id}/dismiss`} label={t('followups.dismiss')} variant="unstyled" />
      </div>
    </>
  );
}

export function FollowupStopView({ ctx, action, done, valid }: { ctx: PageContext; action: string; done: boolean; valid: boolean }) {
  const { t } = ctx;
  if (!valid) return <p>{t('followups.stop_invalid')}</p>;
  if (done) return <p role="status">{t('followups.stop_done')}</p>;
  return (
    <>
      <p>{t('followups.stop_lead')}</p>
      <form method="post" action={action}>
        <button type="submit" class="usa-button">
          {t('followups.stop_button')}
        </button>
      </form>
    </>
  );
}

/** The home page's reminder of questions waiting (signed in). */
export function FollowupsHomeSection({ ctx, items, total }: { ctx: PageContext; items: FollowupItem[]; total: number }) {
  const { t } = ctx;
  if (items.length === 0) return null;
  return (
    <section aria-labelledby="home-followups" class="convene-home-section">
      <h3 id="home-followups">{t('followups.home_heading')}</h3>
      <p>{t('followups.home_lead', { count: total })}</p>
      <ul class="usa-list">
        {items.slice(0, 3).map((f) => (
          <li>
            <a class="usa-link" href={`/follow-ups/${f.id}`}>
              {followupLine(ctx, f)}
            </a>
          </li>
        ))}
      </ul>
      <p>
        <a class="usa-link" href="/follow-ups">
          {t('followups.title')}
        </a>
      </p>
    </section>
  );
}

/** From reach to use: the funnel, with the response rate beside every use figure. */
export function UseFunnelView({ ctx, reached, funnel, headingLevel = 2 }: { ctx: PageContext; reached: number; funnel: UseFunnel; headingLevel?: 2 | 3 }) {
  const { t, fmt } = ctx;
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const rate = funnel.responseRate === null ? t('followups.no_answers') : t('followups.response_rate', { rate: percent(ctx, funnel.responseRate) });
  const ofAnswers = (n: number) => (funnel.answered > 0 ? `${t('followups.of_answers', { rate: percent(ctx, n / funnel.answered) })}; ${rate}` : rate);
  const rows: [string, number, string | null][] = [
    [t('followups.funnel_reached'), reached, null],
    [t('followups.funnel_asked'), funnel.asked, null],
    [t('followups.funnel_answered'), funnel.answered, rate],
    [t('followups.funnel_used'), funnel.used, ofAnswers(funnel.used)],
    [t('followups.funnel_not_used'), funnel.notUsed, ofAnswers(funnel.notUsed)],
    [t('followups.funnel_not_yet'), funnel.notYet, ofAnswers(funnel.notYet)],
    [t('followups.funnel_unprompted'), funnel.unprompted, null],
  ];
  return (
    <section aria-labelledby="use-funnel" class="convene-funnel">
      <H id="use-funnel">{t('followups.funnel_heading')}</H>
      <p>{t('followups.funnel_lead')}</p>
      <table class="usa-table usa-table--borderless convene-table--compact">
        <tbody>
          {rows.map(([label, n, note]) => (
            <tr>
              <th scope="row">{label}</th>
              <td class="convene-num">{fmt.number(n)}</td>
              <td>{note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

// ---- stories -------------------------------------------------------------------------------------

function StoryCard({ ctx, s, heading = 'h3' }: { ctx: PageContext; s: StoryRow; heading?: 'h2' | 'h3' }) {
  const { t, fmt } = ctx;
  const H = heading;
  return (
    <li class="convene-story margin-bottom-3">
      <H class="margin-bottom-05 margin-top-0 font-heading-md">
        <a class="usa-link" href={`/stories/${s.id}`} lang={s.language !== ctx.locale ? s.language : undefined}>
          {s.title}
        </a>
      </H>
      <p class="usa-hint margin-y-05">
        {s.cycles.map((c) => (
          <span class="usa-tag margin-right-05">{t(`cycle.${c}`)}</span>
        ))}
        {s.group_name ? (
          <>
            {' · '}
            <GroupName ctx={ctx} name={s.group_name} />
          </>
        ) : null} · <time dateTime={s.created_at.toISOString()}>{fmt.date(s.created_at)}</time>
        {s.status !== 'approved' && s.audience !== 'group' ? <> · {t(`stories.status.${s.status}`)}</> : null}
      </p>
    </li>
  );
}

export function StoriesView({
  ctx,
  stories,
  counts,
  cycle,
  basePath,
  newHref,
  page,
  more,
  reviewCount,
}: {
  ctx: PageContext;
  stories: StoryRow[];
  counts: Record<ValueCycle, number>;
  cycle: ValueCycle | undefined;
  basePath: string;
  newHref: string | null;
  page: number;
  more: boolean;
  reviewCount: number | null;
}) {
  const { t, fmt } = ctx;
  const join = (q: string) => `${basePath}${basePath.includes('?') ? '&' : '?'}${q}`;
  return (
    <>
      {(newHref || reviewCount !== null) && (
        <p class="convene-actions">
          {newHref && (
            <a class="usa-button" href={newHref}>
              {t('stories.new')}
            </a>
          )}
          {reviewCount !== null && (
            <a class="usa-button usa-button--outline" href="/stories/review">
              {t('stories.review_title')} ({fmt.number(reviewCount)})
            </a>
          )}
        </p>
      )}
      <nav aria-label={t('stories.by_cycle')} class="margin-bottom-3">
        <h2 class="font-heading-md">{t('stories.by_cycle')}</h2>
        <ul class="usa-list usa-list--unstyled convene-cycle-list">
          <li>
            <a class="usa-link" href={basePath} aria-current={cycle ? undefined : 'page'}>
              {t('stories.all_cycles')}
            </a>
          </li>
          {CYCLES.map((c) => (
            <li>
              <a class="usa-link" href={join(`cycle=${c}`)} aria-current={cycle === c ? 'page' : undefined}>
                {t(`cycle.${c}`)}
              </a>{' '}
              <span class="usa-hint">({t('stories.count', { count: counts[c], n: fmt.number(counts[c]) })})</span>
              <div class="usa-hint">{t(`cycle_help.${c}`)}</div>
            </li>
          ))}
        </ul>
      </nav>
      <h2>{cycle ? t(`cycle.${cycle}`) : t('stories.title')}</h2>
      {stories.length === 0 ? (
        <p>{t(cycle ? 'stories.none_cycle' : 'stories.none')}</p>
      ) : (
        <ul class="usa-list usa-list--unstyled">
          {stories.map((s) => (
            <StoryCard ctx={ctx} s={s} />
          ))}
        </ul>
      )}
      <Pager ctx={ctx} page={page} more={more} basePath={cycle ? join(`cycle=${cycle}`) : basePath} />
    </>
  );
}

export function StoryView({ ctx, s, links, canEdit, canReview, reviewForm }: { ctx: PageContext; s: StoryRow; links: StoryLink[]; canEdit: boolean; canReview: boolean; reviewForm: FormState }) {
  const { t, fmt } = ctx;
  const author = s.author_name ?? t('stories.former_member');
  return (
    <>
      <p class="usa-hint">
        {t('stories.by', { name: author })} · <time dateTime={s.created_at.toISOString()}>{fmt.date(s.created_at)}</time>
        {s.group_slug ? (
          <>
            {' · '}
            <a class="usa-link" href={`/groups/${s.group_slug}/stories`}>
              <GroupName ctx={ctx} name={s.group_name ?? ''} />
            </a>
          </>
        ) : null}
      </p>
      <p>
        {s.cycles.map((c) => (
          <span class="usa-tag margin-right-05">{t(`cycle.${c}`)}</span>
        ))}
      </p>
      {(s.status !== 'approved' || s.review_note) && s.audience !== 'group' && (
        <div class={`usa-alert usa-alert--slim ${s.status === 'returned' ? 'usa-alert--warning' : 'usa-alert--info'}`}>
          <div class="usa-alert__body">
            <p class="usa-alert__text">
              {t(`stories.status.${s.status}`)} · {t(`stories.audience_option.${s.audience}`)}
              {s.review_note ? <> — {t('stories.review_note', { note: s.review_note })}</> : null}
            </p>
          </div>
        </div>
      )}
      <div class="convene-prose" lang={s.language !== ctx.locale ? s.language : undefined} dangerouslySetInnerHTML={{ __html: renderMarkdown(s.body) }} />
      {s.perspectives.length > 0 && (
        <section aria-labelledby="story-perspectives">
          <h2 id="story-perspectives">{t('stories.perspectives_in')}</h2>
          <p>{s.perspectives.map((p) => t(`perspective.${p}`)).join(', ')}</p>
        </section>
      )}
      {links.length > 0 && (
        <section aria-labelledby="story-links">
          <h2 id="story-links">{t('stories.involved')}</h2>
          <ul class="usa-list">
            {links.map((l) => (
              <li>
                <a class="usa-link" href={l.href}>
                  {l.title}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {canEdit && (
        <div class="convene-actions margin-top-3">
          <a class="usa-button usa-button--outline" href={`/stories/${s.id}/edit`}>
            {t('stories.edit')}
          </a>
          <ButtonForm ctx={ctx} action={`/stories/${s.id}/delete`} label={t('stories.delete')} variant="secondary" />
        </div>
      )}
      {canReview && s.audience !== 'group' && (
        <section aria-labelledby="story-review" class="margin-top-4">
          <h2 id="story-review">{t('stories.review_decision')}</h2>
          <ErrorSummary ctx={ctx} form={reviewForm} labels={{ decision: t('stories.review_decision'), note: t('stories.review_note_label') }} />
          <Form ctx={ctx} action={`/stories/${s.id}/review`} label={t('stories.review_decision')}>
            <ChoiceGroup
              ctx={ctx}
              form={reviewForm}
              name="decision"
              label={t('stories.review_decision')}
              required
              options={[
                { value: 'approved', label: t('stories.review_approve') },
                { value: 'returned', label: t('stories.review_return') },
              ]}
            />
            <TextArea ctx={ctx} form={reviewForm} name="note" label={t('stories.review_note_label')} hint={t('stories.review_note_hint')} rows={3} maxLength={2000} />
            <Submit label={t('stories.review_save')} />
          </Form>
        </section>
      )}
    </>
  );
}

export function StoryFormView({ ctx, form, action, groups, idempotencyKey, editing }: { ctx: PageContext; form: FormState; action: string; groups: { value: string; label: string }[]; idempotencyKey?: string; editing: boolean }) {
  const { t } = ctx;
  const labels = {
    title: t('stories.story_title'),
    body: t('stories.body'),
    language: t('stories.language'),
    group: t('stories.group'),
    cycles: t('stories.cycles'),
    perspectives: t('stories.perspectives'),
    audience: t('stories.audience'),
    links: t('stories.links'),
    acknowledge_privacy: t('privacy.heading'),
  };
  return (
    <>
      {!editing && <p>{t('stories.new_lead')}</p>}
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <Form ctx={ctx} action={action} idempotencyKey={idempotencyKey} label={editing ? t('stories.edit') : t('stories.new')}>
        <TextField ctx={ctx} form={form} name="title" label={labels.title} required maxLength={200} />
        <TextArea ctx={ctx} form={form} name="body" label={labels.body} hint={t('stories.body_hint')} rows={10} required markdown maxLength={10000} />
        <Select ctx={ctx} form={form} name="language" label={labels.language} options={[{ value: 'en', label: 'English' }, { value: 'es', label: 'Español' }]} />
        <Select ctx={ctx} form={form} name="group" label={labels.group} options={groups} emptyLabel={t('stories.group_none')} />
        <ChoiceGroup ctx={ctx} form={form} name="cycles" label={labels.cycles} hint={t('stories.cycles_hint')} multiple required options={CYCLES.map((c) => ({ value: c, label: `${t(`cycle.${c}`)}: ${t(`cycle_help.${c}`)}` }))} />
        <ChoiceGroup ctx={ctx} form={form} name="perspectives" label={labels.perspectives} multiple columns options={PERSPECTIVES.map((p) => ({ value: p, label: t(`perspective.${p}`) }))} />
        <ChoiceGroup ctx={ctx} form={form} name="audience" label={labels.audience} hint={t('stories.audience_hint')} required options={AUDIENCES.map((a) => ({ value: a, label: t(`stories.audience_option.${a}`) }))} />
        <TextArea ctx={ctx} form={form} name="links" label={labels.links} hint={t('stories.links_hint')} rows={3} maxLength={4000} />
        <PrivacyAcknowledge ctx={ctx} form={form} />
        <Submit label={editing ? t('stories.save_changes') : t('stories.save')} />
      </Form>
    </>
  );
}

export function StoryReviewView({ ctx, stories }: { ctx: PageContext; stories: StoryRow[] }) {
  const { t } = ctx;
  if (stories.length === 0) return <p>{t('stories.review_none')}</p>;
  return (
    <ul class="usa-list usa-list--unstyled">
      {stories.map((s) => (
        <StoryCard ctx={ctx} s={s} heading="h2" />
      ))}
    </ul>
  );
}

/** Stories linked to an agenda item (on its page). */
export function LinkedStories({ ctx, stories, tellHref }: { ctx: PageContext; stories: StoryRow[]; tellHref: string | null }) {
  const { t } = ctx;
  return (
    <section aria-labelledby="linked-stories" class="margin-top-4">
      <h2 id="linked-stories">{t('stories.agenda_heading')}</h2>
      {stories.length === 0 ? (
        <p>{t('stories.none')}</p>
      ) : (
        <ul class="usa-list usa-list--unstyled">
          {stories.map((s) => (
            <StoryCard ctx={ctx} s={s} />
          ))}
        </ul>
      )}
      {tellHref && (
        <p>
          <a class="usa-link" href={tellHref}>
            {t('stories.agenda_tell')}
          </a>
        </p>
      )}
    </section>
  );
}

// ---- decisions -----------------------------------------------------------------------------------

function decisionStatus(ctx: PageContext, d: Pick<DecisionRow, 'closes_at' | 'closed_at'>): string {
  const f = eventFormatters(ctx.locale, ctx.tz);
  if (d.closed_at) return ctx.t('decisions.status_closed', { when: f.dateTime(d.closed_at) });
  if (decisionOpen(d)) return ctx.t('decisions.status_open', { when: f.dateTime(d.closes_at) });
  return ctx.t('decisions.status_awaiting', { when: f.dateTime(d.closes_at) });
}

/** The thread page's box: its polls and proposals, and (for its leads) opening one. */
export function DecisionsBox({ ctx, decisions, threadId, canOpen }: { ctx: PageContext; decisions: DecisionRow[]; threadId: number; canOpen: boolean }) {
  const { t, fmt } = ctx;
  if (decisions.length === 0 && !canOpen) return null;
  return (
    <section aria-labelledby="thread-decisions" class="convene-decisions margin-bottom-3">
      <h2 id="thread-decisions" class="font-heading-md">
        {t('decisions.in_thread')}
      </h2>
      {decisions.length > 0 && (
        <ul class="usa-list usa-list--unstyled">
          {decisions.map((d) => (
            <li class="margin-bottom-1">
              <span class="usa-tag margin-right-05">{t(`decisions.kind_label.${d.kind}`)}</span>
              <a class="usa-link" href={`/decisions/${d.id}`}>
                {d.title}
              </a>
              <span class="usa-hint">
                {' '}
                · {decisionStatus(ctx, d)} · {t('decisions.voters', { count: d.voters, n: fmt.number(d.voters) })}
              </span>
            </li>
          ))}
        </ul>
      )}
      {canOpen && (
        <p>
          <a class="usa-link" href={`/threads/${threadId}/decisions/new`}>
            {t('decisions.open_new')}
          </a>
        </p>
      )}
    </section>
  );
}

const checked = (v: unknown) => v === true || v === 'true' || (Array.isArray(v) && v.includes('true'));

export function DecisionFormView({ ctx, form, threadId, idempotencyKey }: { ctx: PageContext; form: FormState; threadId: number; idempotencyKey: string }) {
  const { t } = ctx;
  const labels = { kind: t('decisions.kind'), title: t('decisions.question'), details: t('decisions.details'), options: t('decisions.options'), closes_at: t('decisions.closes_at') };
  const f = eventFormatters(ctx.locale, ctx.tz);
  return (
    <>
      <p>{t('decisions.new_lead')}</p>
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <Form ctx={ctx} action={`/threads/${threadId}/decisions`} idempotencyKey={idempotencyKey} label={t('decisions.new_title')}>
        <ChoiceGroup ctx={ctx} form={form} name="kind" label={labels.kind} required options={(['poll', 'proposal'] as const).map((k) => ({ value: k, label: t(`decisions.kind_option.${k}`) }))} />
        <TextField ctx={ctx} form={form} name="title" label={labels.title} required maxLength={300} />
        <TextArea ctx={ctx} form={form} name="details" label={labels.details} hint={t('decisions.details_hint')} rows={4} maxLength={5000} />
        <TextArea ctx={ctx} form={form} name="options" label={labels.options} hint={t('decisions.options_hint', { max: MAX_OPTIONS })} rows={5} maxLength={4000} />
        <fieldset class="usa-fieldset margin-top-3">
          <legend class="usa-legend">{t('decisions.how_to_vote')}</legend>
          {(['multiple', 'anonymous'] as const).map((name) => (
            <div class="usa-checkbox">
              <input class="usa-checkbox__input" id={`field-${name}`} type="checkbox" name={name} value="true" checked={checked(form.values[name])} />
              <label class="usa-checkbox__label" for={`field-${name}`}>
                {t(`decisions.${name}`)}
              </label>
            </div>
          ))}
        </fieldset>
        <TextField ctx={ctx} form={form} name="closes_at" type="datetime-local" label={labels.closes_at} hint={t('decisions.closes_hint', { zone: f.zone })} required />
        <Submit label={t('decisions.open')} />
      </Form>
    </>
  );
}

export function DecisionView({
  ctx,
  d,
  r,
  canVote,
  canClose,
  voteForm,
  closeForm,
  agendaOptions,
}: {
  ctx: PageContext;
  d: Decision;
  r: DecisionResults;
  canVote: boolean;
  canClose: boolean;
  voteForm: FormState;
  closeForm: FormState;
  agendaOptions: { value: string; label: string }[];
}) {
  const { t, fmt } = ctx;
  const total = r.voters || 1;
  const mineLabel = r.mine ? (d.kind === 'poll' ? d.options.filter((o) => r.mine!.option_ids.includes(o.id)).map((o) => o.label).join(', ') : t(`decisions.stance.${r.mine.stance}`)) : '';
  const open = decisionOpen(d);
  const choiceKeys = r.choices.map((c) => c.key);
  const voteValues = voteForm.values.options !== undefined || voteForm.values.stance !== undefined ? voteForm : { values: r.mine ? { options: r.mine.option_ids.map(String), stance: r.mine.stance ?? '', reason: r.mine.reason } : {}, errors: voteForm.errors };
  return (
    <>
      <p class="usa-hint">
        <span class="usa-tag margin-right-05">{t(`decisions.kind_label.${d.kind}`)}</span>
        {decisionStatus(ctx, d)} · {t('decisions.opened_by', { name: d.creator_name ?? t('stories.former_member') })} ·{' '}
        <a class="usa-link" href={`/threads/${d.thread.id}`}>
          {d.thread.title}
        </a>
      </p>
      {d.details && <div class="convene-prose" dangerouslySetInnerHTML={{ __html: renderMarkdown(d.details) }} />}
      {d.anonymous && <p class="usa-hint">{t('decisions.anonymous_note')}</p>}
      {d.closed_at && d.outcome && (
        <section aria-labelledby="decision-outcome" class="usa-summary-box margin-y-3">
          <div class="usa-summary-box__body">
            <h2 id="decision-outcome" class="usa-summary-box__heading">
              {t('decisions.outcome_heading')}
            </h2>
            <div class="usa-summary-box__text convene-prose" dangerouslySetInnerHTML={{ __html: renderMarkdown(d.outcome) }} />
            {d.agenda_slug && (
              <p>
                <a class="usa-link" href={`/agenda/${d.agenda_slug}`}>
                  {t('decisions.outcome_agenda', { title: d.agenda_title })}
                </a>
              </p>
            )}
          </div>
        </section>
      )}
      <section aria-labelledby="your-vote" class="margin-y-3">
        <h2 id="your-vote">{t('decisions.your_vote')}</h2>
        {r.mine && <p>{t('decisions.your_vote_is', { choice: mineLabel })}</p>}
        {canVote ? (
          <>
            <ErrorSummary ctx={ctx} form={voteForm} labels={{ options: t('decisions.choose'), stance: t('decisions.choose'), reason: t('decisions.reason') }} />
            <Form ctx={ctx} action={`/decisions/${d.id}/vote`} label={t('decisions.your_vote')}>
              {d.kind === 'poll' ? (
                <ChoiceGroup ctx={ctx} form={voteValues} name="options" label={d.multiple ? t('decisions.choose_many') : t('decisions.choose')} required multiple={d.multiple} options={d.options.map((o) => ({ value: String(o.id), label: o.label }))} />
              ) : (
                <ChoiceGroup ctx={ctx} form={voteValues} name="stance" label={t('decisions.choose')} required options={STANCES.map((s) => ({ value: s, label: t(`decisions.stance.${s}`) }))} />
              )}
              <TextArea ctx={ctx} form={voteValues} name="reason" label={t('decisions.reason')} hint={t('decisions.reason_hint')} rows={3} maxLength={2000} />
              <Submit label={r.mine ? t('decisions.change_vote') : t('decisions.vote')} />
            </Form>
          </>
        ) : (
          <p>{!open ? t('decisions.closed') : ctx.actor.kind === 'user' ? t('decisions.cannot_vote') : <a class="usa-link" href={`/login?next=${encodeURIComponent(`/decisions/${d.id}`)}`}>{t('decisions.sign_in_to_vote')}</a>}</p>
        )}
      </section>
      <section aria-labelledby="decision-results" class="margin-y-3">
        <h2 id="decision-results">{t('decisions.results')}</h2>
        <p>{t('decisions.voters', { count: r.voters, n: fmt.number(r.voters) })}</p>
        <div class="usa-table-container--scrollable" tabIndex={0}>
          <table class="usa-table usa-table--borderless">
            <caption class="usa-sr-only">{t('decisions.results')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('decisions.choice_col')}</th>
                <th scope="col" class="convene-num">
                  {t('decisions.votes_col')}
                </th>
                <th scope="col" class="convene-num">
                  {t('decisions.share_col')}
                </th>
              </tr>
            </thead>
            <tbody>
              {r.choices.map((c) => (
                <tr>
                  <th scope="row">{c.label}</th>
                  <td class="convene-num">{fmt.number(c.votes)}</td>
                  <td class="convene-num">{percent(ctx, c.votes / total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <h3>{t('decisions.by_perspective')}</h3>
        <p class="usa-hint">{t('decisions.by_perspective_lead')}</p>
        <div class="usa-table-container--scrollable" tabIndex={0}>
          <table class="usa-table usa-table--borderless convene-table--compact">
            <caption class="usa-sr-only">{t('decisions.by_perspective')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('decisions.perspective_col')}</th>
                <th scope="col" class="convene-num">
                  {t('decisions.voters_col')}
                </th>
                {r.choices.map((c) => (
                  <th scope="col" class="convene-num">
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {r.byPerspective.map((p) => (
                <tr>
                  <th scope="row">{p.perspective === 'none' ? t('decisions.no_perspective') : t(`perspective.${p.perspective}`)}</th>
                  <td class="convene-num">{fmt.number(p.voters)}</td>
                  {choiceKeys.map((k) => (
                    <td class="convene-num">{fmt.number(p.choices[k] ?? 0)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {r.suppressed > 0 && <p class="usa-hint">{t('decisions.suppressed', { count: r.suppressed, min: SMALL_CELL })}</p>}
        <h3>{t('decisions.not_yet')}</h3>
        {r.notYetTotal === 0 ? (
          <p>{t('decisions.everyone_voted')}</p>
        ) : (
          <>
            <p>{t('decisions.not_yet_lead', { count: r.notYetTotal, n: fmt.number(r.notYetTotal) })}</p>
            <table class="usa-table usa-table--borderless convene-table--compact">
              <caption class="usa-sr-only">{t('decisions.not_yet')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('decisions.perspective_col')}</th>
                  <th scope="col" class="convene-num">
                    {t('decisions.people_col')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {r.notYet.map((p) => (
                  <tr>
                    <th scope="row">{p.perspective === 'none' ? t('decisions.no_perspective') : t(`perspective.${p.perspective}`)}</th>
                    <td class="convene-num">{fmt.number(p.people)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {r.waiting.length > 0 && (
              <details>
                <summary>{t('decisions.waiting_names')}</summary>
                <ul class="usa-list">
                  {r.waiting.map((w) => (
                    <li>
                      <bdi>{w.name}</bdi>
                      {w.perspectives.length ? <span class="usa-hint"> ({w.perspectives.map((p) => t(`perspective.${p}`)).join(', ')})</span> : null}
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </>
        )}
        {!d.anonymous && r.votes.length > 0 && (
          <>
            <h3>{t('decisions.who_voted')}</h3>
            <ul class="usa-list usa-list--unstyled">
              {r.votes.map((v) => (
                <li class="margin-bottom-1">
                  <strong>
                    <bdi>{v.name}</bdi>
                  </strong>
                  {v.perspectives.length ? <span class="usa-hint"> ({v.perspectives.map((p) => t(`perspective.${p}`)).join(', ')})</span> : null}
                  {`: ${v.choice.join(', ')}`}
                  {v.reason && <p class="margin-y-05">{v.reason}</p>}
                </li>
              ))}
            </ul>
          </>
        )}
        {d.anonymous && (
          <>
            <h3>{t('decisions.reasons')}</h3>
            {r.reasons.length === 0 ? (
              <p>{t('decisions.no_reasons')}</p>
            ) : (
              <ul class="usa-list">
                {r.reasons.map((v) => (
                  <li>
                    {v.choice.join(', ')}: {v.reason}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </section>
      {canClose && (
        <section aria-labelledby="close-decision" class="margin-y-3">
          <h2 id="close-decision">{t('decisions.close')}</h2>
          <p>{t('decisions.close_lead')}</p>
          <ErrorSummary ctx={ctx} form={closeForm} labels={{ outcome: t('decisions.outcome'), agenda_item: t('decisions.agenda_item') }} />
          <Form ctx={ctx} action={`/decisions/${d.id}/close`} label={t('decisions.close')}>
            <TextArea ctx={ctx} form={closeForm} name="outcome" label={t('decisions.outcome')} hint={t('decisions.outcome_hint')} rows={4} required maxLength={5000} />
            <Select ctx={ctx} form={closeForm} name="agenda_item" label={t('decisions.agenda_item')} hint={t('decisions.agenda_item_hint')} options={agendaOptions} emptyLabel={t('decisions.agenda_none')} />
            <Submit label={t('decisions.close')} />
          </Form>
        </section>
      )}
    </>
  );
}

export function DecisionsListView({ ctx, decisions }: { ctx: PageContext; decisions: (DecisionRow & { thread_title: string; group_name: string | null })[] }) {
  const { t, fmt } = ctx;
  if (decisions.length === 0) return <p>{t('decisions.none')}</p>;
  return (
    <ul class="usa-list usa-list--unstyled">
      {decisions.map((d) => (
        <li class="margin-bottom-2">
          <h2 class="font-heading-md margin-y-05">
            <span class="usa-tag margin-right-05">{t(`decisions.kind_label.${d.kind}`)}</span>
            <a class="usa-link" href={`/decisions/${d.id}`}>
              {d.title}
            </a>
          </h2>
          <p class="usa-hint margin-y-05">
            {decisionStatus(ctx, d)} · {t('decisions.voters', { count: d.voters, n: fmt.number(d.voters) })} ·{' '}
            <a class="usa-link" href={`/threads/${d.thread_id}`}>
              {d.thread_title}
            </a>
            {d.group_name ? (
              <>
                {' ('}
                <GroupName ctx={ctx} name={d.group_name} />
                {')'}
              </>
            ) : null}
          </p>
        </li>
      ))}
    </ul>
  );
}
