import { GroupName } from '../platform/views/bilingual.js';
import type { PageContext } from '../platform/views/context.js';
import { ButtonForm, ChoiceGroup, ErrorSummary, Form, type FormState } from '../platform/views/forms.js';
import type { NotificationItem } from './queries.js';
import { WATCH_LEVELS } from './watch.js';

const EMAIL_FREQUENCIES = ['immediate', 'daily', 'weekly', 'off'] as const;

function describe(ctx: PageContext, n: NotificationItem): string {
  const actor = n.actor_name ?? ctx.t('notifications.someone');
  if (n.kind === 'moderation') return ctx.t(`notifications.moderation.${n.action ?? 'hide'}`, { actor });
  return ctx.t(`notifications.kind.${n.kind}`, { actor });
}

export function NotificationsView({ ctx, items, more, page }: { ctx: PageContext; items: NotificationItem[]; more: boolean; page: number }) {
  const { t, fmt } = ctx;
  const unread = items.some((n) => !n.read_at);
  return (
    <div>
      <div class="convene-toolbar margin-bottom-2">
        <a class="usa-link" href="/settings/notifications">
          {t('notifications.settings_link')}
        </a>
        {unread && <ButtonForm ctx={ctx} action="/notifications/read" label={t('notifications.mark_all_read')} variant="outline" />}
      </div>
      {items.length === 0 ? (
        <p>{t('notifications.none')}</p>
      ) : (
        <ul class="usa-list usa-list--unstyled convene-notifications">
          {items.map((n) => (
            <li class={`convene-notification${n.read_at ? '' : ' convene-notification--unread'}`}>
              <p class="margin-y-05">
                {!n.read_at && <span class="usa-tag margin-right-1">{t('notifications.new')}</span>}
                {describe(ctx, n)}{' '}
                <a class="usa-link" href={n.kind === 'translation_request' && n.post_id ? `/posts/${n.post_id}/translate` : `/threads/${n.thread_id}${n.post_id ? `#post-${n.post_id}` : ''}`}>
                  {n.thread_title}
                </a>
                {n.group_name && (
                  <span class="text-base">
                    {' · '}
                    <GroupName ctx={ctx} name={n.group_name} />
                  </span>
                )}
              </p>
              {n.excerpt && <p class="margin-y-05 text-base-dark">{n.excerpt}</p>}
              <p class="margin-y-05 font-sans-3xs text-base">
                <time dateTime={n.created_at.toISOString()}>{fmt.dateTime(n.created_at)}</time>
              </p>
            </li>
          ))}
        </ul>
      )}
      {(page > 1 || more) && (
        <nav aria-label={t('common.pagination')} class="margin-top-3">
          <ul class="usa-list usa-list--unstyled convene-inline-list">
            {page > 1 && (
              <li>
                <a class="usa-link" href={`/notifications?page=${page - 1}`}>
                  {t('common.previous_page')}
                </a>
              </li>
            )}
            {more && (
              <li>
                <a class="usa-link" href={`/notifications?page=${page + 1}`}>
                  {t('common.next_page')}
                </a>
              </li>
            )}
          </ul>
        </nav>
      )}
    </div>
  );
}

/** A small "notify me about…" control for a group or a thread. */
export function WatchControl({ ctx, action, level, scope, next }: { ctx: PageContext; action: string; level: string; scope: 'group' | 'thread'; next?: string }) {
  const id = `watch-${scope}`;
  return (
    <form method="post" action={action} class="convene-watch">
      <input type="hidden" name="_csrf" value={ctx.csrf()} />
      {next && <input type="hidden" name="next" value={next} />}
      <label class="usa-label margin-top-0" for={id}>
        {ctx.t(`notifications.watch_label_${scope}`)}
      </label>
      <div class="convene-watch__row">
        <select class="usa-select" id={id} name="level">
          {WATCH_LEVELS.map((l) => (
            <option value={l} selected={l === level}>
              {ctx.t(`notifications.level.${l}`)} — {ctx.t(`notifications.level_hint_${scope}.${l}`)}
            </option>
          ))}
        </select>
        <button type="submit" class="usa-button usa-button--outline">
          {ctx.t('notifications.watch_save')}
        </button>
      </div>
    </form>
  );
}

export function NotificationSettingsView({
  ctx,
  frequency,
  handle,
  groups,
  errors,
  devices,
  pushKey,
}: {
  ctx: PageContext;
  frequency: string;
  handle: string;
  groups: { slug: string; name: string; level: string }[];
  errors: Record<string, string>;
  /** Devices this person turned push notifications on for. */
  devices: { id: number; label: string; created_at: Date; last_sent_at: Date | null }[];
  /** The server's VAPID public key, for the browser to subscribe with. */
  pushKey: string;
}) {
  const { t } = ctx;
  const form: FormState = { values: { email_notifications: frequency }, errors };
  return (
    <div>
      <p>{t('notifications.handle_note', { handle })}</p>
      <section aria-labelledby="email-heading">
        <h2 id="email-heading">{t('notifications.email_heading')}</h2>
        <ErrorSummary ctx={ctx} form={form} labels={{ email_notifications: t('notifications.email_heading') }} />
        <Form ctx={ctx} action="/settings/notifications" label={t('notifications.email_heading')}>
          <ChoiceGroup
            ctx={ctx}
            form={form}
            name="email_notifications"
            label={t('notifications.email_legend')}
            options={EMAIL_FREQUENCIES.map((f) => ({ value: f, label: t(`notifications.frequency.${f}`) }))}
          />
          <button type="submit" class="usa-button margin-top-3">
            {t('common.save')}
          </button>
        </Form>
        <p>
          <a class="usa-link" href="/settings/by-email">
            {t('mail_in.settings.title')}
          </a>
        </p>
      </section>
      <section aria-labelledby="push-heading" class="margin-top-5">
        <h2 id="push-heading">{t('push.heading')}</h2>
        <p>{t('push.lead')}</p>
        {/* convene.js turns this on where the browser can receive push; without it, the note stays. */}
        <div class="convene-push" data-push-key={pushKey} data-push-on={t('push.turn_on')} data-push-off={t('push.turn_off')} data-push-done={t('push.done')} data-push-removed={t('push.removed_here')} data-push-denied={t('push.denied')} data-push-csrf={ctx.csrf()}>
          <p class="usa-hint convene-push__unsupported">{t('push.unsupported')}</p>
          <p class="convene-push__status" role="status" aria-live="polite"></p>
        </div>
        {devices.length > 0 && (
          <>
            <h3>{t('push.devices')}</h3>
            <ul class="usa-list usa-list--unstyled">
              {devices.map((d) => (
                <li class="margin-bottom-1">
                  {d.label || t('push.unnamed')} · {t('push.added', { date: ctx.fmt.date(d.created_at) })}{' '}
                  <form method="post" action={`/settings/push/${d.id}/delete`} class="convene-inline-form">
                    <input type="hidden" name="_csrf" value={ctx.csrf()} />
                    <button type="submit" class="usa-button usa-button--unstyled">
                      {t('push.remove', { device: d.label || t('push.unnamed') })}
                    </button>
                  </form>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <section aria-labelledby="groups-heading" class="margin-top-5">
        <h2 id="groups-heading">{t('notifications.groups_heading')}</h2>
        {groups.length === 0 ? (
          <p>{t('notifications.no_groups')}</p>
        ) : (
          <ul class="usa-list usa-list--unstyled">
            {groups.map((g) => (
              <li class="margin-bottom-3">
                <h3 class="margin-bottom-1">
                  <a class="usa-link" href={`/groups/${g.slug}`}>
                    {g.name}
                  </a>
                </h3>
                <form method="post" action={`/groups/${g.slug}/watch`} class="convene-watch">
                  <input type="hidden" name="_csrf" value={ctx.csrf()} />
                  <input type="hidden" name="next" value="/settings/notifications" />
                  <label class="usa-label margin-top-0" for={`watch-${g.slug}`}>
                    {t('notifications.watch_label_named', { name: g.name })}
                  </label>
                  <div class="convene-watch__row">
                    <select class="usa-select" id={`watch-${g.slug}`} name="level">
                      {WATCH_LEVELS.map((l) => (
                        <option value={l} selected={l === g.level}>
                          {t(`notifications.level.${l}`)} — {t(`notifications.level_hint_group.${l}`)}
                        </option>
                      ))}
                    </select>
                    <button type="submit" class="usa-button usa-button--outline">
                      {t('notifications.watch_save')}
                    </button>
                  </div>
                </form>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

/** Stopping some email from a link in it (RFC 8058's one click, or this page's button): the question, then the answer. */
export function UnsubscribeView({
  ctx,
  action,
  done,
  text,
}: {
  ctx: PageContext;
  /** Where the button posts (the link's own address). */
  action: string;
  done: boolean;
  text: { lead: string; button: string; done: string; settings: { href: string; label: string } };
}) {
  if (done)
    return (
      <div class="usa-alert usa-alert--success" role="status">
        <div class="usa-alert__body">
          <p class="usa-alert__text">{text.done}</p>
          <p class="usa-alert__text">
            <a class="usa-link" href={text.settings.href}>
              {text.settings.label}
            </a>
          </p>
        </div>
      </div>
    );
  return (
    <div>
      <p>{text.lead}</p>
      <form method="post" action={action}>
        <button type="submit" class="usa-button">
          {text.button}
        </button>
      </form>
    </div>
  );
}
