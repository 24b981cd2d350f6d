import { UpcomingEvents } from '../events/views.js';
import { emptyForm } from '../platform/views/forms.js';
import { DepthSection, WhoIsntHere } from '../agenda/views.js';
import type { PerspectiveGap } from '../agenda/queries.js';
import { WatchControl } from '../notifications/views.js';
import type { PageContext } from '../platform/views/context.js';
import { keptPart, named, same, type KeptStore, type Named, type Same } from '../platform/views/kept.js';
import { ButtonForm, ChoiceGroup, ErrorSummary, Form, Submit, TextField, type FormState } from '../platform/views/forms.js';
import { BilingualField, InLang, OnlyIn, bilingualLabels } from '../platform/views/bilingual.js';
import { GroupCards, PeopleList, type HomeGroup } from '../platform/views/lists.js';
import type { PersonView } from '../community/queries.js';
import { GROUP_ROLES, GROUP_VISIBILITIES, JOIN_POLICIES, LED_BY } from '../community/vocab.js';
import { ThreadList } from '../discussions/views.js';
import { Pager } from '../platform/views/pager.js';
import type { ThreadRow } from '../discussions/queries.js';

export function GroupsView({ ctx, groups, canCreate }: { ctx: PageContext; groups: HomeGroup[]; canCreate: boolean }) {
  const { t } = ctx;
  return (
    <>
      {canCreate && (
        <p>
          <a class="usa-button" href="/groups/new">
            {t('groups.new')}
          </a>
        </p>
      )}
      {groups.length === 0 ? <p>{t('groups.none')}</p> : <GroupCards ctx={ctx} groups={groups} headingLevel={2} />}
    </>
  );
}

export interface GroupPageData {
  group: { slug: string; name: string; short_name: string; mission: string; led_by: string; visibility: string; join_policy: string; member_count: number; archived_at: Date | null; lang_of?: Record<string, string> };
  priorities: { position: number; text: string; lang_of?: Record<string, string> }[];
  /** Leads and co-leads (all of them). */
  leads: (PersonView & { group_role: string })[];
  /** One page of members, by name, as this viewer may see them (asked for only when no kept markup fits). */
  members: () => (PersonView & { group_role: string })[];
  /**
   * Names the member list as presented to this viewer: which rows (by
   * identity) and the viewer's class, with their id when they are on this
   * page of it (they see their own fields).
   */
  membersKey: string;
  /** Markup kept with the group page's shared rows (`keptPart`). */
  kept: KeptStore;
  membersPage: number;
  membersMore: boolean;
  pending: { id: number; name: string; status: string; message: string; created_at: Date }[];
  membership: { role: string; status: string } | undefined;
  threads: ThreadRow[];
  /** The viewer's watch level for the group (signed in only). */
  watchLevel?: string;
  resources: { slug: string; title: string; kind: string; language: string }[];
  events: import('../events/queries.js').EventRow[];
  /** The mission as HTML paragraphs with glossary terms marked up. */
  missionHtml: string;
  gaps: PerspectiveGap[];
  reviews: { level: string; notes: string; created_at: Date; reviewer: string | null }[];
  /** Agenda items each numbered priority advances. */
  agendaLinks: { position: number; slug: string; title: string }[];
  can: { join: boolean; request: boolean; leave: boolean; update: boolean; manage: boolean; assignLeads: boolean; signIn: boolean; verify: boolean; startThread: boolean; review: boolean };
}

type Members = (PersonView & { group_role: string })[];

/** A page of the group's members, with links to manage each one for those who may. Kept: the same for every viewer of the same class. */
const KeptMembers = keptPart<{ slug: string; memberCount: number; manage: boolean; page: number; more: boolean; members: Named<() => Members> }>('group-members', (ctx, d) => {
  const { t, fmt } = ctx;
  const base = `/groups/${d.slug}`;
  return (
    <section aria-labelledby="group-members">
      <h2 id="group-members">
        {t('groups.members')} <span class="usa-hint">({fmt.number(d.memberCount)})</span>
      </h2>
      <PeopleList
        ctx={ctx}
        people={d.members()}
        extra={
          d.manage
            ? (p) => (
                <>
                  {' · '}
                  <a class="usa-link" href={`${base}/members/${p.id}`}>
                    {t('groups.manage_member', { name: p.name })}
                  </a>
                </>
              )
            : undefined
        }
      />
      <Pager ctx={ctx} page={d.page} more={d.more} basePath={base} />
    </section>
  );
});

/** The group's next convenings as this reader partition sees them (the rows' identity names the partition and the reading). */
const KeptEvents = keptPart<{ events: Same<GroupPageData['events']>; slug: string; publicFeed: boolean }>('group-events', (ctx, d) => (
  <UpcomingEvents ctx={ctx} events={d.events} id="group-events" allHref={`/events?scope=group%3A${encodeURIComponent(d.slug)}`} feedHref={d.publicFeed ? `/groups/${d.slug}/calendar.ics` : undefined} />
));

/** Who isn't here and the depth-of-interaction reviews: the same for everyone but for the review form, which only reviewers get. */
const KeptWhoAndDepth = keptPart<{ gaps: Same<PerspectiveGap[]>; reviews: Same<GroupPageData['reviews']>; canReview: boolean; slug: string }>('group-who-depth', (ctx, d) => (
  <>
    <WhoIsntHere ctx={ctx} gaps={d.gaps} id="group-who" />
    <DepthSection ctx={ctx} reviews={d.reviews} canReview={d.canReview} action={`/groups/${d.slug}/reviews`} form={emptyForm()} />
  </>
));

export function GroupView({ ctx, data, invite }: { ctx: PageContext; data: GroupPageData; invite: FormState }) {
  const { t, fmt } = ctx;
  const { group, can } = data;
  const leads = data.leads;
  const base = `/groups/${group.slug}`;
  return (
    <>
      <ul class="usa-list usa-list--unstyled convene-inline-list margin-bottom-2">
        <li class="usa-tag">{t(`visibility_group.${group.visibility}`)}</li>
        <li class="usa-tag">{t(`join_policy.${group.join_policy}`)}</li>
        {group.led_by !== 'none' && <li class="usa-tag">{t(`led_by.${group.led_by}`)}</li>}
        {group.archived_at && <li class="usa-tag">{t('groups.archived')}</li>}
      </ul>

      <div class="convene-actions" aria-live="polite">
        {data.membership?.status === 'active' && <p>{t('groups.you_are', { role: t(`group_role.${data.membership.role}`) })}</p>}
        {data.membership?.status === 'requested' && <p>{t('groups.request_pending')}</p>}
        {data.membership?.status === 'invited' && <p>{t('groups.you_are_invited')}</p>}
        {can.join && <ButtonForm ctx={ctx} action={`${base}/join`} label={data.membership?.status === 'invited' ? t('groups.accept_invite') : t('groups.join')} />}
        {can.request && <ButtonForm ctx={ctx} action={`${base}/join`} label={t('groups.request')} />}
        {can.leave && (
          <ButtonForm
            ctx={ctx}
            action={`${base}/leave`}
            label={data.membership?.status === 'active' ? t('groups.leave') : data.membership?.status === 'invited' ? t('groups.decline_invite') : t('groups.withdraw')}
            variant="outline"
          />
        )}
        {can.signIn && (
          <p>
            <a class="usa-button" href={`/login?next=${encodeURIComponent(base)}`}>
              {t('groups.sign_in_to_join')}
            </a>
          </p>
        )}
        {can.verify && <p>{t('groups.verify_to_join')}</p>}
        {data.watchLevel && <WatchControl ctx={ctx} action={`${base}/watch`} level={data.watchLevel} scope="group" />}
        {can.update && (
          <p>
            <a class="usa-link" href={`${base}/edit`}>
              {t('groups.edit')}
            </a>
          </p>
        )}
      </div>

      <section aria-labelledby="group-mission">
        <h2 id="group-mission">{t('groups.mission')}</h2>
        {group.mission ? (
          <>
            {group.lang_of?.mission && group.lang_of.mission !== ctx.locale && (
              <p>
                <OnlyIn ctx={ctx} lang={group.lang_of.mission} />
              </p>
            )}
            <div lang={group.lang_of?.mission !== ctx.locale ? group.lang_of?.mission : undefined} dangerouslySetInnerHTML={{ __html: data.missionHtml }} />
          </>
        ) : (
          <p class="usa-hint">{t('groups.no_mission')}</p>
        )}
      </section>

      {data.priorities.length > 0 && (
        <section aria-labelledby="group-priorities">
          <h2 id="group-priorities">{t('groups.priorities')}</h2>
          <ol class="usa-list">
            {data.priorities.map((p) => {
              const items = data.agendaLinks.filter((a) => a.position === p.position);
              return (
                <li value={p.position}>
                  <InLang ctx={ctx} lang={p.lang_of?.text}>
                    {p.text}
                  </InLang>
                  {items.length > 0 && (
                    <span class="display-block text-base-dark">
                      {t('agenda.advances')}{' '}
                      {items.map((a, i) => (
                        <>
                          {i > 0 && ', '}
                          <a class="usa-link" href={`/agenda/${a.slug}`}>
                            {a.title}
                          </a>
                        </>
                      ))}
                    </span>
                  )}
                </li>
              );
            })}
          </ol>
        </section>
      )}

      <section aria-labelledby="group-discussions">
        <h2 id="group-discussions">{t('discussions.latest')}</h2>
        <ThreadList ctx={ctx} threads={data.threads} caption={t('discussions.latest')} />
        <ul class="usa-list usa-list--unstyled convene-inline-list">
          <li>
            <a class="usa-link" href={`${base}/threads`}>
              {t('discussions.all_threads')}
            </a>
          </li>
          {can.startThread && (
            <li>
              <a class="usa-link" href={`${base}/threads/new`}>
                {t('discussions.new_thread')}
              </a>
            </li>
          )}
        </ul>
      </section>

      {KeptEvents.render(data.kept, ctx, { events: same(data.events), slug: group.slug, publicFeed: group.visibility === 'public' })}

      <section aria-labelledby="group-resources">
        <h2 id="group-resources">{t('groups.resources')}</h2>
        {data.resources.length === 0 ? (
          <p class="usa-hint">{t('groups.no_resources')}</p>
        ) : (
          <ul class="usa-list">
            {data.resources.map((r) => (
              <li>
                <a class="usa-link" href={`/resources/${r.slug}`} lang={r.language !== ctx.locale ? r.language : undefined}>
                  {r.title}
                </a>{' '}
                <span class="text-base-dark">({t(`resources.kind.${r.kind}`)})</span>
              </li>
            ))}
          </ul>
        )}
        <ul class="usa-list usa-list--unstyled convene-inline-list">
          <li>
            <a class="usa-link" href={`/resources?group=${encodeURIComponent(group.slug)}`}>
              {t('groups.all_resources')}
            </a>
          </li>
          <li>
            <a class="usa-link" href={`${base}/stories`}>
              {t('stories.group_link')}
            </a>
          </li>
          {ctx.actor.kind === 'user' && (
            <li>
              <a class="usa-link" href={`/reach?group=${encodeURIComponent(group.slug)}`}>
                {t('groups.group_reach')}
              </a>
            </li>
          )}
        </ul>
      </section>

      {KeptWhoAndDepth.render(data.kept, ctx, { gaps: same(data.gaps), reviews: same(data.reviews), canReview: can.review, slug: group.slug })}

      <section aria-labelledby="group-leads">
        <h2 id="group-leads">{t('groups.leads')}</h2>
        <PeopleList ctx={ctx} people={leads} />
      </section>

      {KeptMembers.render(data.kept, ctx, {
        slug: group.slug,
        memberCount: group.member_count,
        manage: can.manage || can.assignLeads,
        page: data.membersPage,
        more: data.membersMore,
        members: named(data.membersKey, data.members),
      })}

      {can.manage && (
        <section aria-labelledby="group-pending">
          <h2 id="group-pending">{t('groups.pending')}</h2>
          {data.pending.length === 0 ? (
            <p class="usa-hint">{t('groups.no_pending')}</p>
          ) : (
            <ul class="usa-list usa-list--unstyled">
              {data.pending.map((p) => (
                <li class="margin-bottom-2">
                  <a class="usa-link" href={`/people/${p.id}`}>
                    <bdi>{p.name}</bdi>
                  </a>{' '}
                  · {t(`membership_status.${p.status}`)} · {fmt.date(p.created_at)}
                  {p.message && <blockquote class="convene-quote">{p.message}</blockquote>}
                  {p.status === 'requested' && (
                    <>
                      <ButtonForm ctx={ctx} action={`${base}/requests/${p.id}/approve`} label={t('groups.approve', { name: p.name })} />
                      <ButtonForm ctx={ctx} action={`${base}/requests/${p.id}/decline`} label={t('groups.decline', { name: p.name })} variant="outline" />
                    </>
                  )}
                </li>
              ))}
            </ul>
          )}
          <h3>{t('groups.invite')}</h3>
          <ErrorSummary ctx={ctx} form={invite} labels={{ email: t('accounts.email') }} />
          <Form ctx={ctx} action={`${base}/invite`} class="usa-form" label={t('groups.invite')}>
            <TextField ctx={ctx} form={invite} name="email" type="email" label={t('groups.invite_email')} hint={t('groups.invite_hint')} required />
            <Submit label={t('groups.invite_submit')} />
          </Form>
        </section>
      )}
    </>
  );
}

export function GroupFormView({ ctx, form, action, isNew, idempotencyKey }: { ctx: PageContext; form: FormState; action: string; isNew: boolean; idempotencyKey?: string }) {
  const { t } = ctx;
  const labels = {
    name: t('groups.field_name'),
    slug: t('groups.field_slug'),
    short_name: t('groups.field_short_name'),
    mission: t('groups.field_mission'),
    priorities: t('groups.field_priorities'),
    led_by: t('groups.field_led_by'),
    visibility: t('groups.field_visibility'),
    join_policy: t('groups.field_join_policy'),
  };
  return (
    <>
      <ErrorSummary ctx={ctx} form={form} labels={bilingualLabels(ctx, labels, ['name', 'short_name', 'mission', 'priorities'])} />
      <Form ctx={ctx} action={action} idempotencyKey={idempotencyKey} label={isNew ? t('groups.new') : t('groups.edit')}>
        <BilingualField ctx={ctx} form={form} name="name" label={labels.name} required maxLength={200} />
        {isNew && <TextField ctx={ctx} form={form} name="slug" label={labels.slug} hint={t('groups.slug_hint')} required maxLength={80} />}
        <BilingualField ctx={ctx} form={form} name="short_name" label={labels.short_name} maxLength={40} />
        <BilingualField ctx={ctx} form={form} name="mission" label={labels.mission} textarea rows={8} maxLength={5000} />
        <BilingualField ctx={ctx} form={form} name="priorities" label={labels.priorities} hint={`${t('groups.priorities_hint')} ${t('translate.form.list_hint')}`} textarea rows={6} />
        <ChoiceGroup ctx={ctx} form={form} name="led_by" label={labels.led_by} options={LED_BY.map((v) => ({ value: v, label: t(`led_by_option.${v}`) }))} required />
        <ChoiceGroup ctx={ctx} form={form} name="visibility" label={labels.visibility} options={GROUP_VISIBILITIES.map((v) => ({ value: v, label: t(`visibility_group_option.${v}`) }))} required />
        <ChoiceGroup ctx={ctx} form={form} name="join_policy" label={labels.join_policy} options={JOIN_POLICIES.map((v) => ({ value: v, label: t(`join_policy_option.${v}`) }))} required />
        <Submit label={isNew ? t('groups.create') : t('common.save')} />
      </Form>
    </>
  );
}

export interface GroupMemberPageData {
  group: { slug: string; name: string };
  member: PersonView & { group_role: string; joined_at: Date };
  can: { assignLeads: boolean; manage: boolean };
}

/** One member of a group, for its leads and facilitators: their role and removal. */
export function GroupMemberView({ ctx, data }: { ctx: PageContext; data: GroupMemberPageData }) {
  const { t, fmt } = ctx;
  const { group, member, can } = data;
  const base = `/groups/${group.slug}/members/${member.id}`;
  return (
    <>
      <dl class="convene-facts">
        <dt>{t('groups.member_role')}</dt>
        <dd>{t(`group_role.${member.group_role}`)}</dd>
        <dt>{t('groups.member_since')}</dt>
        <dd>{fmt.date(member.joined_at)}</dd>
      </dl>
      <p>
        <a class="usa-link" href={`/people/${member.id}`}>
          {t('groups.member_profile', { name: member.name })}
        </a>
      </p>
      {can.assignLeads && (
        <section aria-labelledby="member-role">
          <h2 id="member-role">{t('groups.change_role')}</h2>
          {GROUP_ROLES.filter((r) => r !== member.group_role).map((r) => (
            <ButtonForm ctx={ctx} action={`${base}/role`} hidden={{ role: r }} label={t('groups.make_role', { role: t(`group_role.${r}`) })} variant="outline" />
          ))}
        </section>
      )}
      {can.manage && (
        <section aria-labelledby="member-remove">
          <h2 id="member-remove">{t('groups.remove_member')}</h2>
          <p>{t('groups.remove_member_hint', { name: member.name, group: group.name })}</p>
          <ButtonForm ctx={ctx} action={`${base}/remove`} label={t('groups.remove_member')} variant="secondary" />
        </section>
      )}
    </>
  );
}
