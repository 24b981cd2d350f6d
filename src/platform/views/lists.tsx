import type { PageContext } from './context.js';

/**
 * Lists several capabilities show: people (the directory, a group's members,
 * an organization's staff) and practice groups as cards (the home page, the
 * groups page). Their props name only what they show.
 */

/** A group as a card shows it. */
export interface HomeGroup {
  slug: string;
  name: string;
  mission: string;
  member_count: number;
  led_by: string;
  /** Set when the text shown is not in the page's language (see localizeRow). */
  lang_of?: Record<string, string>;
}

/** A person as a list shows them (already filtered to what the viewer may see). */
export interface ListedPerson {
  id: number;
  name: string;
  pronouns?: string | null;
  perspectives?: string[];
  title?: string;
  group_role?: string;
  contact_role?: string;
}

export function GroupCards({ ctx, groups, headingLevel }: { ctx: PageContext; groups: HomeGroup[]; headingLevel: 2 | 3 }) {
  const { t, fmt } = ctx;
  const H = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <ul class="usa-card-group">
      {groups.map((g) => (
        <li class="usa-card tablet:grid-col-6 desktop:grid-col-4">
          <div class="usa-card__container">
            <div class="usa-card__header">
              <H class="usa-card__heading">
                <a class="usa-link" href={`/groups/${g.slug}`} lang={g.lang_of?.name && g.lang_of.name !== ctx.locale ? g.lang_of.name : undefined}>
                  {g.name}
                </a>
              </H>
            </div>
            <div class="usa-card__body">
              <p class="convene-clamp" lang={g.lang_of?.mission && g.lang_of.mission !== ctx.locale ? g.lang_of.mission : undefined}>
                {g.mission}
              </p>
            </div>
            <div class="usa-card__footer">
              <p class="usa-hint">
                {t('groups.member_count', { count: g.member_count, n: fmt.number(g.member_count) })}
                {g.led_by !== 'none' && ` · ${t(`led_by.${g.led_by}`)}`}
              </p>
            </div>
          </div>
        </li>
      ))}
    </ul>
  );
}

export function PeopleList({ ctx, people, extra }: { ctx: PageContext; people: ListedPerson[]; extra?: (p: ListedPerson) => unknown }) {
  const { t } = ctx;
  if (people.length === 0) return <p class="usa-hint">{t('people.none_visible')}</p>;
  return (
    <ul class="usa-list usa-list--unstyled convene-people">
      {people.map((p) => (
        <li>
          <a class="usa-link" href={`/people/${p.id}`}>
            <bdi>{p.name}</bdi>
          </a>
          {p.pronouns && <span class="usa-hint"> ({p.pronouns})</span>}
          {p.group_role && p.group_role !== 'member' && <span class="usa-tag margin-left-1">{t(`group_role.${p.group_role}`)}</span>}
          {(p.title || p.contact_role) && <span> · {p.title || p.contact_role}</span>}
          {p.perspectives && p.perspectives.length > 0 && <span class="usa-hint"> · {p.perspectives.map((x) => t(`perspective.${x}`)).join(', ')}</span>}
          {extra ? extra(p) : null}
        </li>
      ))}
    </ul>
  );
}
