import { InLang, Loc, OnlyIn } from '../platform/views/bilingual.js';
import { localized, type BilingualRow } from '../platform/i18n/content.js';
import type { PageContext } from '../platform/views/context.js';
import { StackedTable } from '../platform/views/table.js';
import { GroupCards, PeopleList, type HomeGroup } from '../platform/views/lists.js';
import type { CommunityInfo, PersonView } from './queries.js';
import { Avatar } from '../platform/views/avatar.js';
import { ButtonForm } from '../platform/views/forms.js';
import { PERSPECTIVES, STATES } from './vocab.js';
import { Select, TextField } from '../platform/views/forms.js';
import { Pager } from '../platform/views/pager.js';
import { UpcomingEvents } from '../events/views.js';
import type { EventRow } from '../events/queries.js';
import type { ForYou, VisitorHome } from './for-you.js';
import { ForYouSections, VisitorSections } from './for-you-views.js';

/** Multi-paragraph text written by people, rendered as plain paragraphs (escaped). */
export function Paragraphs({ text, lang }: { text: string; lang?: string }) {
  const parts = text.split(/\n{2,}/).map((p) => p.trim()).filter(Boolean);
  return (
    <>
      {parts.map((p) => (
        <p lang={lang}>{p}</p>
      ))}
    </>
  );
}

export type { HomeGroup } from '../platform/views/lists.js';

export function HomeView({
  ctx,
  community,
  counts,
  groups,
  forYou,
  visitor,
}: {
  ctx: PageContext;
  community: (CommunityInfo & { lang_of?: Record<string, 'en' | 'es'> }) | undefined;
  counts: { states: number; organizations: number; members: number; groups: number };
  groups: HomeGroup[];
  /** Signed in: what is waiting for this person, shown first. */
  forYou?: ForYou;
  /** Signed out: what a visitor can do, and what is happening in public. */
  visitor?: VisitorHome;
}) {
  const { t, fmt } = ctx;
  if (!community) {
    return (
      <>
        <section class="convene-hero">
          <h1>{t('home.empty_title')}</h1>
          <p class="usa-intro">{t('home.empty_body')}</p>
        </section>
        {forYou && <ForYouSections ctx={ctx} data={forYou} />}
        {visitor && <VisitorSections ctx={ctx} data={visitor} />}
      </>
    );
  }
  return (
    <>
      <section class="convene-hero" aria-labelledby="home-title">
        <h1 id="home-title">
          <Loc ctx={ctx} row={community} field="name" />
        </h1>
        {community.tagline && (
          <p class="convene-tagline font-sans-lg text-bold margin-y-1">
            <Loc ctx={ctx} row={community} field="tagline" note />
          </p>
        )}
        {community.mission && (
          <p class="usa-intro">
            <Loc ctx={ctx} row={community} field="mission" note />
          </p>
        )}
        <p>
          {t('home.facilitated_by')}{' '}
          {community.facilitators.map((f, i) => (
            <>
              {i > 0 && (i === community.facilitators.length - 1 ? ` ${t('common.and')} ` : ', ')}
              <a class="usa-link" href={`/organizations/${f.slug}`}>
                {f.name}
              </a>
              {f.funders.length > 0 && (
                <>
                  {' '}
                  ({t('home.funded_by')}{' '}
                  {f.funders.map((fu, j) => (
                    <>
                      {j > 0 && ', '}
                      <a class="usa-link" href={`/organizations/${fu.slug}`}>
                        {fu.name}
                      </a>
                    </>
                  ))}
                  )
                </>
              )}
            </>
          ))}
          .
        </p>
      </section>
      {forYou && <ForYouSections ctx={ctx} data={forYou} />}
      {visitor && <VisitorSections ctx={ctx} data={visitor} />}
      <section aria-labelledby="counts-title" class="margin-top-4">
        <h2 id="counts-title">{t('home.at_a_glance')}</h2>
        <ul class="convene-stats">
          <li>
            <a href="/states">
              <span class="convene-stats__n">{fmt.number(counts.states)}</span> {t('home.count_states', { count: counts.states })}
            </a>
          </li>
          <li>
            <a href="/organizations">
              <span class="convene-stats__n">{fmt.number(counts.organizations)}</span> {t('home.count_organizations', { count: counts.organizations })}
            </a>
          </li>
          <li>
            <span class="convene-stats__n">{fmt.number(counts.members)}</span> {t('home.count_members', { count: counts.members })}
          </li>
          <li>
            <a href="/groups">
              <span class="convene-stats__n">{fmt.number(counts.groups)}</span> {t('home.count_groups', { count: counts.groups })}
            </a>
          </li>
          {community.reach_goal > 0 && (
            <li>
              <span class="convene-stats__n">{fmt.number(community.reach_goal)}</span> {t('home.reach_goal')}
            </li>
          )}
        </ul>
      </section>
      {community.shared_agenda && (
        <section aria-labelledby="agenda-title" class="margin-top-4">
          <h2 id="agenda-title">{t('home.shared_agenda')}</h2>
          {community.lang_of?.shared_agenda && community.lang_of.shared_agenda !== ctx.locale && (
            <p>
              <OnlyIn ctx={ctx} lang={community.lang_of.shared_agenda} />
            </p>
          )}
          <InLang ctx={ctx} lang={community.lang_of?.shared_agenda} block>
            <Paragraphs text={community.shared_agenda} />
          </InLang>
        </section>
      )}
      <section aria-labelledby="groups-title" class="margin-top-4">
        <h2 id="groups-title">{t('home.practice_groups')}</h2>
        <GroupCards ctx={ctx} groups={groups} headingLevel={3} />
        <p>
          <a class="usa-link" href="/groups">
            {t('home.all_groups')}
          </a>
        </p>
      </section>
    </>
  );
}


export interface OrgListItem {
  slug: string;
  name: string;
  short_name: string;
  kind: string;
  level: string;
  states: string[];
  people_count: number | null;
}

export function OrganizationsView({ ctx, orgs, kind, q, kinds }: { ctx: PageContext; orgs: OrgListItem[]; kind: string; q: string; kinds: readonly string[] }) {
  const { t, fmt } = ctx;
  return (
    <>
      <form method="get" action="/organizations" class="usa-form convene-filter" role="search" aria-label={t('orgs.filter')}>
        <label class="usa-label" for="org-q">
          {t('orgs.search')}
        </label>
        <input class="usa-input" id="org-q" name="q" type="search" value={q} />
        <label class="usa-label" for="org-kind">
          {t('orgs.kind')}
        </label>
        <select class="usa-select" id="org-kind" name="kind">
          <option value="">{t('orgs.all_kinds')}</option>
          {kinds.map((k) => (
            <option value={k} selected={k === kind}>
              {t(`org_kind.${k}`)}
            </option>
          ))}
        </select>
        <button type="submit" class="usa-button margin-top-2">
          {t('common.filter')}
        </button>
      </form>
      <p role="status" class="margin-top-3">
        {t('orgs.count', { count: orgs.length, n: fmt.number(orgs.length) })}
      </p>
      <StackedTable
        caption={t('orgs.title')}
        rows={orgs}
        columns={[
          { label: t('orgs.name'), cell: (o) => <><a class="usa-link" href={`/organizations/${o.slug}`}>{o.name}</a>{o.short_name && ` (${o.short_name})`}</> },
          { label: t('orgs.kind'), cell: (o) => t(`org_kind.${o.kind}`) },
          { label: t('orgs.level'), cell: (o) => t(`level.${o.level}`) },
          { label: t('orgs.states'), cell: (o) => o.states.join(', ') || '—' },
          { label: t('orgs.people'), cell: (o) => fmt.number(Number(o.people_count ?? 0)) },
        ]}
      />
    </>
  );
}


/** Paragraphs of a bilingual row's field in the reader's language, or the original with its lang and a note. */
function LocalParagraphs({ ctx, row, field }: { ctx: PageContext; row: BilingualRow; field: string }) {
  const l = localized(row, field, ctx.locale);
  return (
    <>
      {l.fallback && (
        <p>
          <OnlyIn ctx={ctx} lang={l.lang} />
        </p>
      )}
      <Paragraphs text={l.text} lang={l.lang !== ctx.locale ? l.lang : undefined} />
    </>
  );
}

export function OrganizationView({ ctx, org, people, initiatives, groups }: { ctx: PageContext; org: { name: string; short_name: string; kind: string; level: string; website: string | null; states: string[]; description: string; language: string; translations: unknown }; people: (PersonView & { title: string })[]; initiatives: { state_code: string; name: string }[]; groups: { slug: string; name: string; people: number }[] }) {
  const { t } = ctx;
  return (
    <>
      <dl class="convene-facts">
        <dt>{t('orgs.kind')}</dt>
        <dd>{t(`org_kind.${org.kind}`)}</dd>
        <dt>{t('orgs.level')}</dt>
        <dd>{t(`level.${org.level}`)}</dd>
        {org.states.length > 0 && (
          <>
            <dt>{t('orgs.states')}</dt>
            <dd>{org.states.map((s) => STATES[s] ?? s).join(', ')}</dd>
          </>
        )}
        {org.website && (
          <>
            <dt>{t('orgs.website')}</dt>
            <dd>
              <a class="usa-link" href={org.website} rel="noopener noreferrer">
                {org.website}
              </a>
            </dd>
          </>
        )}
      </dl>
      {org.description && <LocalParagraphs ctx={ctx} row={org} field="description" />}
      {initiatives.length > 0 && (
        <section aria-labelledby="org-initiatives">
          <h2 id="org-initiatives">{t('orgs.leads_initiatives')}</h2>
          <ul class="usa-list">
            {initiatives.map((s) => (
              <li>
                <a class="usa-link" href={`/states/${s.state_code.toLowerCase()}`}>
                  {s.name}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="org-people">
        <h2 id="org-people">{t('orgs.people')}</h2>
        <PeopleList ctx={ctx} people={people} />
      </section>
      <GroupsTakingPart ctx={ctx} groups={groups} id="org-groups" />
    </>
  );
}

export interface StateItem {
  state_code: string;
  name: string;
  status: string;
  description: string;
  language?: string;
  translations?: unknown;
  education_agency: string | null;
  education_agency_slug: string | null;
  mental_health_agency: string | null;
  mental_health_agency_slug: string | null;
}

function AgencyLink({ name, slug }: { name: string | null; slug: string | null }) {
  if (!name) return <>—</>;
  return slug ? (
    <a class="usa-link" href={`/organizations/${slug}`}>
      {name}
    </a>
  ) : (
    <>{name}</>
  );
}

export function StatesView({ ctx, states }: { ctx: PageContext; states: StateItem[] }) {
  const { t } = ctx;
  return (
    <StackedTable
      caption={t('states.title')}
      rows={states}
      columns={[
        { label: t('states.state'), cell: (s) => STATES[s.state_code] ?? s.state_code },
        { label: t('states.initiative'), cell: (s) => <a class="usa-link" href={`/states/${s.state_code.toLowerCase()}`}>{s.name}</a> },
        { label: t('states.education_agency'), cell: (s) => <AgencyLink name={s.education_agency} slug={s.education_agency_slug} /> },
        { label: t('states.mental_health_agency'), cell: (s) => <AgencyLink name={s.mental_health_agency} slug={s.mental_health_agency_slug} /> },
        { label: t('states.status'), cell: (s) => t(`state_status.${s.status}`) },
      ]}
    />
  );
}

export function StateView({ ctx, state, contacts, people, groups, events }: { ctx: PageContext; state: StateItem; contacts: (PersonView & { contact_role: string })[]; people: PersonView[]; groups: { slug: string; name: string; people: number }[]; events: EventRow[] }) {
  const { t } = ctx;
  return (
    <>
      <dl class="convene-facts">
        <dt>{t('states.state')}</dt>
        <dd>{STATES[state.state_code] ?? state.state_code}</dd>
        <dt>{t('states.status')}</dt>
        <dd>{t(`state_status.${state.status}`)}</dd>
        <dt>{t('states.education_agency')}</dt>
        <dd>
          <AgencyLink name={state.education_agency} slug={state.education_agency_slug} />
        </dd>
        <dt>{t('states.mental_health_agency')}</dt>
        <dd>
          <AgencyLink name={state.mental_health_agency} slug={state.mental_health_agency_slug} />
        </dd>
      </dl>
      {state.description && <LocalParagraphs ctx={ctx} row={state} field="description" />}
      <section aria-labelledby="state-contacts">
        <h2 id="state-contacts">{t('states.contacts')}</h2>
        <PeopleList ctx={ctx} people={contacts} />
      </section>
      <section aria-labelledby="state-people">
        <h2 id="state-people">{t('states.people')}</h2>
        <PeopleList ctx={ctx} people={people} />
      </section>
      <GroupsTakingPart ctx={ctx} groups={groups} id="state-groups" />
      <UpcomingEvents ctx={ctx} events={events} id="state-events" allHref={`/events?scope=state%3A${state.state_code}`} feedHref={`/states/${state.state_code}/calendar.ics`} />
    </>
  );
}

export function PersonPage({ ctx, person, groups, isSelf, canRemovePhoto = false, canMessage = false }: { ctx: PageContext; person: PersonView; groups: { slug: string; name: string; role: string }[]; isSelf: boolean; canRemovePhoto?: boolean; canMessage?: boolean }) {
  const { t } = ctx;
  return (
    <>
      <Avatar person={{ id: person.id, name: person.name, photo: person.photo }} size="lg" />
      <p class="convene-handle convene-handle--profile">
        <span class="usa-sr-only">{t('people.handle_label')} </span>@{person.handle}
      </p>
      {canMessage && (
        <p>
          <a class="usa-button usa-button--outline" href={`/conversations/new?to=${encodeURIComponent(person.handle)}`}>
            {t('conversations.send_message')}
          </a>
        </p>
      )}
      {person.photo !== null && !isSelf && canRemovePhoto && <ButtonForm ctx={ctx} action={`/people/${person.id}/photo/delete`} label={t('photos.remove_other')} variant="unstyled" />}
      {isSelf && (
        <p>
          <a class="usa-link" href="/settings#profile">
            {t('people.edit_own')}
          </a>
        </p>
      )}
      <dl class="convene-facts">
        {person.pronouns && (
          <>
            <dt>{t('profile_field.pronouns')}</dt>
            <dd>{person.pronouns}</dd>
          </>
        )}
        {person.state_code && (
          <>
            <dt>{t('profile_field.state')}</dt>
            <dd>
              <a class="usa-link" href={`/states/${person.state_code.toLowerCase()}`}>
                {STATES[person.state_code] ?? person.state_code}
              </a>
            </dd>
          </>
        )}
        {person.perspectives && person.perspectives.length > 0 && (
          <>
            <dt>{t('profile_field.perspectives')}</dt>
            <dd>{person.perspectives.map((p) => t(`perspective.${p}`)).join(', ')}</dd>
          </>
        )}
        {person.expertise && person.expertise.length > 0 && (
          <>
            <dt>{t('profile_field.expertise')}</dt>
            <dd>
              <ul class="usa-list usa-list--unstyled convene-inline-list">
                {person.expertise.map((x) => (
                  <li class="usa-tag">{x}</li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {person.organizations && person.organizations.length > 0 && (
          <>
            <dt>{t('profile_field.organizations')}</dt>
            <dd>
              <ul class="usa-list usa-list--unstyled">
                {person.organizations.map((o) => (
                  <li>
                    <a class="usa-link" href={`/organizations/${o.slug}`}>
                      {o.name}
                    </a>
                    {o.title && ` · ${o.title}`}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
      </dl>
      {person.bio && (
        <section aria-labelledby="person-bio">
          <h2 id="person-bio">{t('profile_field.bio')}</h2>
          <Paragraphs text={person.bio} />
        </section>
      )}
      <section aria-labelledby="person-groups">
        <h2 id="person-groups">{t('people.groups')}</h2>
        {groups.length === 0 ? (
          <p class="usa-hint">{t('people.no_groups')}</p>
        ) : (
          <ul class="usa-list">
            {groups.map((g) => (
              <li>
                <a class="usa-link" href={`/groups/${g.slug}`}>
                  {g.name}
                </a>
                {g.role !== 'member' && ` · ${t(`group_role.${g.role}`)}`}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

/** The groups an organization's or a state's people take part in (only groups the viewer may see). */
export function GroupsTakingPart({ ctx, groups, id }: { ctx: PageContext; groups: { slug: string; name: string; people: number }[]; id: string }) {
  const { t } = ctx;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{t('directory.groups_taking_part')}</h2>
      {groups.length === 0 ? (
        <p class="usa-hint">{t('directory.no_groups')}</p>
      ) : (
        <ul class="usa-list">
          {groups.map((g) => (
            <li>
              <a class="usa-link" href={`/groups/${g.slug}`}>
                {g.name}
              </a>{' '}
              <span class="usa-hint">({t('directory.people_count', { count: g.people })})</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export interface DirectoryViewProps {
  ctx: PageContext;
  people: PersonView[];
  total: number;
  page: number;
  filters: Record<string, string>;
  options: { organizations: { id: number; name: string }[]; groups: { slug: string; name: string }[]; states: { code: string; name: string }[] };
}

export function DirectoryView({ ctx, people, total, page, filters, options }: DirectoryViewProps) {
  const { t, fmt } = ctx;
  const form = { values: filters, errors: {} };
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v)).toString();
  return (
    <>
      <form method="get" action="/people" class="usa-form maxw-full convene-filters" role="search" aria-label={t('directory.filter')}>
        <div class="grid-row grid-gap">
          <div class="tablet:grid-col-6">
            <TextField ctx={ctx} form={form} name="q" label={t('directory.q')} hint={t('directory.q_hint')} type="search" />
          </div>
          <div class="tablet:grid-col-6">
            <TextField ctx={ctx} form={form} name="expertise" label={t('directory.expertise')} hint={t('directory.expertise_hint')} />
          </div>
          <div class="tablet:grid-col-3">
            <Select ctx={ctx} form={form} name="perspective" label={t('directory.perspective')} emptyLabel={t('directory.any')} options={PERSPECTIVES.map((p) => ({ value: p, label: t(`perspective.${p}`) }))} />
          </div>
          <div class="tablet:grid-col-3">
            <Select ctx={ctx} form={form} name="state" label={t('directory.state')} emptyLabel={t('directory.any')} options={options.states.map((s) => ({ value: s.code, label: s.name }))} />
          </div>
          <div class="tablet:grid-col-3">
            <Select ctx={ctx} form={form} name="organization" label={t('directory.organization')} emptyLabel={t('directory.any')} options={options.organizations.map((o) => ({ value: String(o.id), label: o.name }))} />
          </div>
          <div class="tablet:grid-col-3">
            <Select ctx={ctx} form={form} name="group" label={t('directory.group')} emptyLabel={t('directory.any')} options={options.groups.map((g) => ({ value: g.slug, label: g.name }))} />
          </div>
        </div>
        <button type="submit" class="usa-button margin-top-2">
          {t('directory.find')}
        </button>
      </form>
      <p role="status" class="margin-top-3">
        {t('directory.count', { count: total, n: fmt.number(total) })}
      </p>
      {ctx.actor.kind !== 'user' && <p class="usa-hint">{t('directory.anonymous_note')}</p>}
      <ul class="usa-list usa-list--unstyled">
        {people.map((p) => (
          <li class="convene-resource">
            <h2 class="font-heading-sm margin-y-05">
              <a class="usa-link" href={`/people/${p.id}`}>
                <bdi>{p.name}</bdi>
              </a>
              {p.pronouns && <span class="usa-hint text-normal"> ({p.pronouns})</span>}
            </h2>
            {p.perspectives && p.perspectives.length > 0 && <p class="margin-y-05">{p.perspectives.map((x) => t(`perspective.${x}`)).join(', ')}</p>}
            <p class="margin-y-05 text-base-dark">
              {[p.state_code ? (STATES[p.state_code] ?? p.state_code) : '', ...(p.organizations ?? []).map((o) => o.name)].filter(Boolean).join(' · ')}
            </p>
            {p.expertise && p.expertise.length > 0 && <p class="margin-y-05 usa-hint">{t('directory.expertise_list', { list: p.expertise.join(', ') })}</p>}
          </li>
        ))}
      </ul>
      <Pager ctx={ctx} page={page} more={page * 24 < total} basePath={`/people${query ? `?${query}` : ''}`} />
    </>
  );
}
