import { Tx, GroupName } from '../platform/views/bilingual.js';
import type { ComponentChildren } from 'preact';
import { FollowupsHomeSection } from '../value/views.js';
import type { PageContext } from '../platform/views/context.js';
import { UpcomingEvents, fmtFor } from '../events/views.js';
import type { TrackedThread } from '../discussions/tracking.js';
import type { ForYou, HomeResource, VisitorHome } from './for-you.js';

/** A home section: a heading, its list (or a quiet line when empty), and a link to the full view. */
function Section({ ctx, id, title, more, children, empty }: { ctx: PageContext; id: string; title: string; more?: { href: string; label: string }; children: ComponentChildren; empty?: string }) {
  return (
    <section aria-labelledby={id} class="convene-home-section margin-top-3">
      <h3 id={id}>{title}</h3>
      {empty ? <p class="usa-hint">{empty}</p> : children}
      {more && (
        <p class="margin-top-1">
          <a class="usa-link" href={more.href}>
            {more.label}
          </a>
        </p>
      )}
    </section>
  );
}

function ThreadLinks({ ctx, threads }: { ctx: PageContext; threads: TrackedThread[] }) {
  const { t, fmt } = ctx;
  return (
    <ul class="usa-list">
      {threads.map((th) => (
        <li>
          <a class="usa-link" href={th.new_replies && th.first_unread_id ? `/threads/${th.id}#post-${th.first_unread_id}` : `/threads/${th.id}`} lang={th.language !== ctx.locale ? th.language : undefined}>
            <bdi>{th.title}</bdi>
          </a>
          {th.new_replies ? <span class="text-base-dark"> — {t('latest.new_replies', { count: th.new_replies, n: fmt.number(th.new_replies) })}</span> : null}
          {th.group_name && (
            <span class="text-base-dark">
              {' '}
              · <bdi>
                <GroupName ctx={ctx} name={th.group_name} />
              </bdi>
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

function ResourceLinks({ ctx, resources }: { ctx: PageContext; resources: HomeResource[] }) {
  return (
    <ul class="usa-list">
      {resources.map((r) => (
        <li>
          <a class="usa-link" href={`/resources/${r.slug}`} lang={r.language !== ctx.locale ? r.language : undefined}>
            <bdi>{r.title}</bdi>
          </a>
          {r.group_name && (
            <span class="text-base-dark">
              {' '}
              · <bdi>
                <GroupName ctx={ctx} name={r.group_name} />
              </bdi>
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

/** A signed-in person's home: what is waiting for them. */
export function ForYouSections({ ctx, data }: { ctx: PageContext; data: ForYou }) {
  const { t, fmt } = ctx;
  const f = fmtFor(ctx);
  return (
    <section aria-labelledby="for-you-title" class="convene-for-you margin-top-3">
      <h2 id="for-you-title">{t('home.for_you')}</h2>
      <FollowupsHomeSection ctx={ctx} items={data.followups.items} total={data.followups.total} />
      <div class="grid-row grid-gap-lg">
        <div class="tablet-lg:grid-col-6">
          <Section ctx={ctx} id="fy-unread" title={t('home.fy_unread')} more={{ href: '/unread', label: t('home.fy_all_unread') }} empty={data.unread.length ? undefined : t('latest.none_unread')}>
            <ThreadLinks ctx={ctx} threads={data.unread} />
          </Section>
          <Section ctx={ctx} id="fy-new" title={t('home.fy_new')} more={{ href: '/new', label: t('home.fy_all_new') }} empty={data.fresh.length ? undefined : t('latest.none_new')}>
            <ThreadLinks ctx={ctx} threads={data.fresh} />
          </Section>
          <Section ctx={ctx} id="fy-for-me" title={t('home.fy_for_me')} more={{ href: '/notifications', label: t('home.fy_all_notifications') }} empty={data.forMe.length ? undefined : t('home.fy_none_for_me')}>
            <ul class="usa-list">
              {data.forMe.map((n) => (
                <li>
                  <a class="usa-link" href={n.post_id ? `/threads/${n.thread_id}#post-${n.post_id}` : `/threads/${n.thread_id}`}>
                    {t(`home.fy_kind_${n.kind === 'mention' ? 'mention' : 'reply'}`, { who: n.actor_name ?? t('discussions.former_member'), title: n.thread_title ?? '' })}
                  </a>
                </li>
              ))}
            </ul>
          </Section>
        </div>
        <div class="tablet-lg:grid-col-6">
          <Section ctx={ctx} id="fy-events" title={t('home.fy_events')} more={{ href: '/events', label: t('home.fy_all_events') }} empty={data.events.length ? undefined : t('home.fy_none_events')}>
            <ul class="usa-list">
              {data.events.map((e) => (
                <li>
                  <a class="usa-link" href={`/events/${e.id}`}>
                    <bdi>
                      <Tx ctx={ctx} row={e} field="title" />
                    </bdi>
                  </a>{' '}
                  <span class="text-base-dark">
                    — <time dateTime={e.starts_at.toISOString()}>{f.dateTime(e.starts_at)}</time>
                  </span>
                  {e.online_url && e.registration === 'confirmed' && e.status !== 'cancelled' && (
                    <>
                      {' '}
                      <a class="usa-link" href={e.online_url} rel="noopener noreferrer">
                        {t('events.join_online')}
                      </a>
                    </>
                  )}
                  {e.registration === 'waitlisted' && <span class="text-base-dark"> ({t('home.fy_waitlisted')})</span>}
                </li>
              ))}
            </ul>
          </Section>
          <Section ctx={ctx} id="fy-resources" title={t('home.fy_resources')} more={{ href: '/resources', label: t('home.fy_all_resources') }} empty={data.resources.length ? undefined : t('home.fy_none_resources')}>
            <ResourceLinks ctx={ctx} resources={data.resources} />
          </Section>
          {data.milestones.length > 0 && (
            <Section ctx={ctx} id="fy-milestones" title={t('home.fy_milestones')} more={{ href: '/agenda', label: t('home.fy_all_agenda') }}>
              <ul class="usa-list">
                {data.milestones.map((m) => (
                  <li>
                    <a class="usa-link" href={`/agenda/${m.item_slug}`}>
                      <bdi>{m.title}</bdi>
                    </a>{' '}
                    <span class="text-base-dark">
                      — {t('home.fy_due', { date: fmt.date(new Date(`${m.due_on}T12:00:00Z`)), percent: fmt.number(m.percent) })}
                    </span>
                  </li>
                ))}
              </ul>
            </Section>
          )}
          {data.suggestions.length > 0 && (
            <Section ctx={ctx} id="fy-groups" title={t('home.fy_groups')} more={{ href: '/groups', label: t('home.all_groups') }}>
              <ul class="usa-list">
                {data.suggestions.map((g) => (
                  <li>
                    <a class="usa-link" href={`/groups/${g.slug}`}>
                      <bdi>{g.name}</bdi>
                    </a>{' '}
                    <span class="text-base-dark">
                      — {fmt.number(g.member_count)} {t('home.count_members', { count: g.member_count })}
                    </span>
                  </li>
                ))}
              </ul>
            </Section>
          )}
        </div>
      </div>
    </section>
  );
}

/** A visitor's home: what they can do here, and what is happening in public. */
export function VisitorSections({ ctx, data }: { ctx: PageContext; data: VisitorHome }) {
  const { t } = ctx;
  return (
    <section aria-labelledby="visitor-title" class="margin-top-3">
      <h2 id="visitor-title">{t('home.visitor_title')}</h2>
      <p>{t('home.visitor_body')}</p>
      <p>
        <a class="usa-button" href="/signup">
          {t('nav.sign_up')}
        </a>
        <a class="usa-button usa-button--outline" href="/login">
          {t('nav.sign_in')}
        </a>
      </p>
      <div class="grid-row grid-gap-lg">
        <div class="tablet-lg:grid-col-4">
          <Section ctx={ctx} id="v-threads" title={t('home.v_threads')} more={{ href: '/latest', label: t('home.v_all_threads') }} empty={data.threads.length ? undefined : t('latest.none_latest')}>
            <ThreadLinks ctx={ctx} threads={data.threads} />
          </Section>
        </div>
        <div class="tablet-lg:grid-col-4">
          <UpcomingEvents ctx={ctx} events={data.events} allHref="/events" id="v-events" />
        </div>
        <div class="tablet-lg:grid-col-4">
          <Section ctx={ctx} id="v-resources" title={t('home.v_resources')} more={{ href: '/resources', label: t('home.fy_all_resources') }} empty={data.resources.length ? undefined : t('home.fy_none_resources')}>
            <ResourceLinks ctx={ctx} resources={data.resources} />
          </Section>
        </div>
      </div>
    </section>
  );
}
