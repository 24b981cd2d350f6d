import type { PageContext } from '../platform/views/context.js';
import type { ReactionKind, Reactor } from './reactions.js';
import { REACTION_SIGNS } from './thread-views.js';

/** Who reacted to a post, kind by kind, with links to their profiles. */
export function ReactionsView({ ctx, post, thread, kinds }: { ctx: PageContext; post: { id: number }; thread: { id: number; title: string }; kinds: { kind: ReactionKind; count: number; people: Reactor[] }[] }) {
  const { t, fmt } = ctx;
  return (
    <>
      <p>
        <a class="usa-link" href={`/threads/${thread.id}#post-${post.id}`}>
          {t('reactions.back')}
        </a>{' '}
        · {t('reactions.in_thread', { title: thread.title })}
      </p>
      {kinds.length === 0 && <p>{t('reactions.none')}</p>}
      {kinds.map((k) => (
        <section aria-labelledby={`reaction-${k.kind}`}>
          <h2 id={`reaction-${k.kind}`}>
            <span aria-hidden="true">{REACTION_SIGNS[k.kind]}</span> {t(`reactions.kind.${k.kind}`)}{' '}
            <span class="usa-hint text-normal">({t('reactions.people', { count: k.count, formatted: fmt.number(k.count) })})</span>
          </h2>
          <ul class="usa-list">
            {k.people.map((person) => (
              <li>
                <a class="usa-link" href={`/people/${person.id}`}>
                  <bdi>{person.name}</bdi>
                </a>{' '}
                <span class="usa-hint">
                  · <time dateTime={person.at.toISOString()}>{fmt.dateTime(person.at)}</time>
                </span>
              </li>
            ))}
            {k.count > k.people.length && <li>{t('reactions.more', { count: k.count - k.people.length })}</li>}
          </ul>
        </section>
      ))}
    </>
  );
}
