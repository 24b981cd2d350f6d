import { BilingualField, LanguageSelect, OnlyIn, bilingualLabels } from '../platform/views/bilingual.js';
import { EVENT_TEXT } from './commands.js';
import type { PageContext } from '../platform/views/context.js';
import { ButtonForm, ChoiceGroup, ErrorSummary, Form, PrivacyAcknowledge, Select, Submit, TextArea, TextField, type FormState } from '../platform/views/forms.js';
import { DataTable } from '../platform/views/charts.js';
import { STATES } from '../community/vocab.js';
import { ACCOMMODATIONS, EVENT_KINDS, MATERIAL_ROLES, RESPONSES, seatsLeft, type EventRow, type OrganizerScopes, type registrationsOf } from './queries.js';
import { COMMON_TIME_ZONES, REPEAT_PRESETS, describeRule, eventFormatters } from './time.js';

type Registration = { response: string; status: string; accommodations: string[]; interpretation_language: string; accommodation_notes: string; waitlisted_at: Date | null } | undefined;

import { fmtFor, ScopeLine, EventTags } from './views.js';
// ---- the form -------------------------------------------------------------------------------------

export function EventFormView(props: { ctx: PageContext; form: FormState; action: string; scopes: OrganizerScopes; idempotencyKey?: string; editing?: { series: boolean } }) {
  const { ctx, form, scopes } = props;
  const { t } = ctx;
  const labels: Record<string, string> = {
    title: t('events.field.title'),
    kind: t('events.field.kind'),
    scope: t('events.field.scope'),
    start_date: t('events.field.start_date'),
    start_time: t('events.field.start_time'),
    end_date: t('events.field.end_date'),
    end_time: t('events.field.end_time'),
    time_zone: t('events.field.time_zone'),
    location: t('events.field.location'),
    online_url: t('events.field.online_url'),
    capacity: t('events.field.capacity'),
    deadline_date: t('events.field.deadline_date'),
    deadline_time: t('events.field.deadline_time'),
    repeat: t('events.field.repeat'),
    repeat_count: t('events.field.repeat_count'),
    repeat_until: t('events.field.repeat_until'),
    rrule: t('events.field.rrule'),
    description: t('events.field.description'),
    agenda: t('events.field.agenda'),
    language: t('events.field.language'),
    apply_to: t('events.field.apply_to'),
    acknowledge_privacy: t('privacy.heading'),
  };
  const zone = String(form.values.time_zone ?? '');
  const zones = [...new Set([...(zone ? [zone] : []), ...COMMON_TIME_ZONES])];
  return (
    <>
      <ErrorSummary ctx={ctx} form={form} labels={bilingualLabels(ctx, labels, EVENT_TEXT)} />
      <Form ctx={ctx} action={props.action} idempotencyKey={props.idempotencyKey}>
        {props.editing?.series && (
          <ChoiceGroup
            ctx={ctx}
            form={form}
            name="apply_to"
            label={labels.apply_to!}
            hint={t('events.apply_to_hint')}
            options={[
              { value: 'this', label: t('events.apply_to.this') },
              { value: 'all', label: t('events.apply_to.all') },
            ]}
          />
        )}
        <LanguageSelect ctx={ctx} form={form} label={labels.language!} hint={t('events.language_hint')} />
        <BilingualField ctx={ctx} form={form} name="title" label={labels.title!} required maxLength={200} />
        <Select ctx={ctx} form={form} name="kind" label={labels.kind!} required options={EVENT_KINDS.map((k) => ({ value: k, label: t(`events.kind.${k}`) }))} />
        <Select
          ctx={ctx}
          form={form}
          name="scope"
          label={labels.scope!}
          required
          options={[
            ...(scopes.community ? [{ value: 'community', label: t('events.scope.community') }] : []),
            ...scopes.groups.map((g) => ({ value: `group:${g.id}`, label: t('events.scope.group', { name: g.name }) })),
            ...scopes.states.map((s) => ({ value: `state:${s.code}`, label: t('events.scope.state', { name: s.name }) })),
          ]}
        />
        <fieldset class="usa-fieldset">
          <legend class="usa-legend usa-legend--large">{t('events.when_legend')}</legend>
          <TextField ctx={ctx} form={form} name="start_date" label={labels.start_date!} type="date" required />
          <TextField ctx={ctx} form={form} name="start_time" label={labels.start_time!} type="time" required hint={t('events.time_hint')} />
          <TextField ctx={ctx} form={form} name="end_time" label={labels.end_time!} type="time" required />
          <TextField ctx={ctx} form={form} name="end_date" label={labels.end_date!} type="date" hint={t('events.end_date_hint')} />
          <Select ctx={ctx} form={form} name="time_zone" label={labels.time_zone!} required options={zones.map((z) => ({ value: z, label: z.replace(/_/g, ' ') }))} />
        </fieldset>
        {!props.editing && (
          <fieldset class="usa-fieldset">
            <legend class="usa-legend usa-legend--large">{t('events.repeat_legend')}</legend>
            <Select ctx={ctx} form={form} name="repeat" label={labels.repeat!} options={REPEAT_PRESETS.map((r) => ({ value: r, label: t(`events.repeat.${r}`) }))} />
            <TextField ctx={ctx} form={form} name="repeat_count" label={labels.repeat_count!} inputMode="numeric" width="sm" hint={t('events.repeat_count_hint')} />
            <TextField ctx={ctx} form={form} name="repeat_until" label={labels.repeat_until!} type="date" />
            <TextField ctx={ctx} form={form} name="rrule" label={labels.rrule!} hint={t('events.rrule_hint')} maxLength={500} />
          </fieldset>
        )}
        <fieldset class="usa-fieldset">
          <legend class="usa-legend usa-legend--large">{t('events.where_legend')}</legend>
          <TextField ctx={ctx} form={form} name="location" label={labels.location!} maxLength={500} />
          <TextField ctx={ctx} form={form} name="online_url" label={labels.online_url!} type="url" hint={t('events.online_url_hint')} />
        </fieldset>
        <fieldset class="usa-fieldset">
          <legend class="usa-legend usa-legend--large">{t('events.registration_legend')}</legend>
          <TextField ctx={ctx} form={form} name="capacity" label={labels.capacity!} inputMode="numeric" width="sm" hint={t('events.capacity_hint')} />
          <TextField ctx={ctx} form={form} name="deadline_date" label={labels.deadline_date!} type="date" />
          <TextField ctx={ctx} form={form} name="deadline_time" label={labels.deadline_time!} type="time" />
        </fieldset>
        <BilingualField ctx={ctx} form={form} name="description" label={labels.description!} textarea rows={6} maxLength={20000} />
        <BilingualField ctx={ctx} form={form} name="agenda" label={labels.agenda!} textarea rows={6} maxLength={20000} hint={t('events.agenda_hint')} />
        <PrivacyAcknowledge ctx={ctx} form={form} />
        <Submit label={props.editing ? t('events.save') : t('events.create')} />
      </Form>
    </>
  );
}

/** Recordings, slides and other material filed with an event. */
function MaterialsList({ ctx, materials }: { ctx: PageContext; materials: { slug: string; title: string; role: string }[] }) {
  return (
    <ul class="usa-list">
      {materials.map((m) => (
        <li>
          <a class="usa-link" href={`/resources/${m.slug}`}>
            {m.title}
          </a>{' '}
          ({ctx.t(`events.material_role.${m.role}`)})
        </li>
      ))}
    </ul>
  );
}

// ---- one event ------------------------------------------------------------------------------------

export function EventView(props: {
  ctx: PageContext;
  e: EventRow & { descriptionHtml: string; agendaHtml: string; notesHtml: string; lang_of?: Record<string, string> };
  registration: Registration;
  organizer: boolean;
  form: FormState;
  materials: { slug: string; title: string; role: string }[];
  occurrences: { id: number; starts_at: Date; status: string }[];
  /** "Add to" links for Google Calendar and Outlook (addToCalendarLinks). */
  calendarLinks: { google: string; outlook: string; office: string };
}) {
  const { ctx, e, registration: reg } = props;
  const { t } = ctx;
  const f = fmtFor(ctx);
  const now = new Date();
  const past = e.ends_at < now;
  const open = e.status === 'scheduled' && !past && !(e.registration_deadline && e.registration_deadline < now);
  const left = seatsLeft(e);
  const labels = { response: t('events.field.response'), accommodations: t('events.field.accommodations'), interpretation_language: t('events.field.interpretation_language'), accommodation_notes: t('events.field.accommodation_notes') };
  return (
    <div>
      <p>
        <EventTags ctx={ctx} e={e} /> <ScopeLine ctx={ctx} e={e} />
      </p>
      {e.status === 'cancelled' && (
        <div class="usa-alert usa-alert--warning usa-alert--slim" role="status">
          <div class="usa-alert__body">
            <p class="usa-alert__text">{t('events.cancelled_notice')}</p>
          </div>
        </div>
      )}
      <dl class="convene-facts" lang={ctx.locale}>
        <dt>{t('events.when')}</dt>
        <dd>
          <time dateTime={e.starts_at.toISOString()}>{f.range(e.starts_at, e.ends_at)}</time>
          {f.zone !== e.time_zone && <span class="usa-hint display-block">{t('events.organizer_time', { time: eventFormatters(ctx.locale, e.time_zone).range(e.starts_at, e.ends_at) })}</span>}
        </dd>
        {e.rrule && (
          <>
            <dt>{t('events.repeats')}</dt>
            <dd>{describeRule(e.rrule, t, ctx.locale)}</dd>
          </>
        )}
        <dt>{t('events.where')}</dt>
        <dd>
          {e.location || (e.online_url ? t('events.online') : t('events.place_tbd'))}
          {e.online_url && (reg?.status === 'confirmed' || props.organizer) ? (
            <span class="display-block">
              <a class="usa-link" href={e.online_url} rel="noopener noreferrer">
                {t('events.join_online')}
              </a>
            </span>
          ) : e.online_url ? (
            <span class="usa-hint display-block">{t('events.online_link_after_registering')}</span>
          ) : null}
        </dd>
        <dt>{t('events.seats')}</dt>
        <dd>
          {left === null ? t('events.no_limit', { count: e.going_count }) : t('events.seats_taken', { taken: e.going_count, capacity: e.capacity, left })}
          {e.waitlist_count > 0 && ` · ${t('events.on_waitlist', { count: e.waitlist_count })}`}
        </dd>
        {e.registration_deadline && (
          <>
            <dt>{t('events.deadline')}</dt>
            <dd>{f.dateTime(e.registration_deadline)}</dd>
          </>
        )}
      </dl>
      <ul class="usa-list usa-list--unstyled convene-inline-list" aria-label={t('events.calendar_links')}>
        <li>
          <a class="usa-link" href={`/events/${e.id}/event.ics`}>
            {t('events.add_to_calendar')}
          </a>
        </li>
        {e.series_id !== null && (
          <li>
            <a class="usa-link" href={`/events/series/${e.series_id}/series.ics`}>
              {t('events.add_series')}
            </a>
          </li>
        )}
        <li>
          <a class="usa-link" href={props.calendarLinks.google} rel="noopener noreferrer">
            {t('events.add_google')}
          </a>
        </li>
        <li>
          <a class="usa-link" href={props.calendarLinks.outlook} rel="noopener noreferrer">
            {t('events.add_outlook')}
          </a>
        </li>
        <li>
          <a class="usa-link" href={props.calendarLinks.office} rel="noopener noreferrer">
            {t('events.add_office')}
          </a>
        </li>
      </ul>
      {props.organizer && (
        <p class="convene-inline-list">
          <a class="usa-link" href={`/events/${e.id}/organize`}>
            {t('events.organizer_view')}
          </a>
          {' · '}
          <a class="usa-link" href={`/events/${e.id}/edit`}>
            {t('events.edit')}
          </a>
        </p>
      )}
      {e.descriptionHtml && (
        <>
          {e.lang_of?.description !== ctx.locale && (
            <p>
              <OnlyIn ctx={ctx} lang={e.lang_of?.description} />
            </p>
          )}
          <div class="convene-prose" lang={e.lang_of?.description !== ctx.locale ? e.lang_of?.description : undefined} dangerouslySetInnerHTML={{ __html: e.descriptionHtml }} />
        </>
      )}
      {e.agendaHtml && (
        <section aria-labelledby="agenda-heading">
          <h2 id="agenda-heading">{t('events.agenda')}</h2>
          <div class="convene-prose" lang={e.lang_of?.agenda !== ctx.locale ? e.lang_of?.agenda : undefined} dangerouslySetInnerHTML={{ __html: e.agendaHtml }} />
        </section>
      )}
      <section aria-labelledby="register-heading" id="register" lang={ctx.locale}>
        <h2 id="register-heading">{t('events.registration')}</h2>
        {reg && reg.response !== 'not_going' && (
          <div class="usa-alert usa-alert--info usa-alert--slim">
            <div class="usa-alert__body">
              <p class="usa-alert__text">{t(`events.your_status.${reg.status === 'none' ? reg.response : reg.status}`)}</p>
            </div>
          </div>
        )}
        {ctx.actor.kind !== 'user' ? (
          <p>
            <a class="usa-link" href={`/login?next=${encodeURIComponent(`/events/${e.id}`)}`}>
              {t('events.sign_in_to_register')}
            </a>
          </p>
        ) : !open ? (
          <p>{e.status === 'cancelled' ? t('events.closed_cancelled') : past ? t('events.closed_past') : t('events.closed_deadline')}</p>
        ) : (
          <>
            <ErrorSummary ctx={ctx} form={props.form} labels={labels} />
            <Form ctx={ctx} action={`/events/${e.id}/register`} label={t('events.registration')}>
              <ChoiceGroup ctx={ctx} form={props.form} name="response" label={labels.response} required options={RESPONSES.map((r) => ({ value: r, label: t(`events.response.${r}`) }))} />
              {left === 0 && reg?.status !== 'confirmed' && <p class="usa-hint">{t('events.full_hint')}</p>}
              <ChoiceGroup
                ctx={ctx}
                form={props.form}
                name="accommodations"
                label={labels.accommodations}
                hint={t('events.accommodations_hint')}
                multiple
                options={ACCOMMODATIONS.map((a) => ({ value: a, label: t(`events.accommodation.${a}`) }))}
              />
              <TextField ctx={ctx} form={props.form} name="interpretation_language" label={labels.interpretation_language} maxLength={100} />
              <TextArea ctx={ctx} form={props.form} name="accommodation_notes" label={labels.accommodation_notes} rows={3} maxLength={2000} />
              <Submit label={reg ? t('events.update_registration') : t('events.register')} />
            </Form>
          </>
        )}
      </section>
      {props.materials.length > 0 && (
        <section aria-labelledby="materials-heading" lang={ctx.locale}>
          <h2 id="materials-heading">{t('events.materials')}</h2>
          <MaterialsList ctx={ctx} materials={props.materials} />
        </section>
      )}
      {e.notesHtml && (
        <section aria-labelledby="notes-heading">
          <h2 id="notes-heading">{t('events.notes')}</h2>
          <div class="convene-prose" dangerouslySetInnerHTML={{ __html: e.notesHtml }} />
        </section>
      )}
      {props.occurrences.length > 1 && (
        <section aria-labelledby="series-heading" lang={ctx.locale}>
          <h2 id="series-heading">{t('events.other_dates')}</h2>
          <ul class="usa-list">
            {props.occurrences.map((o) => (
              <li>
                {o.id === e.id ? (
                  <strong aria-current="page">{f.dateTime(o.starts_at)}</strong>
                ) : (
                  <a class="usa-link" href={`/events/${o.id}`}>
                    {f.dateTime(o.starts_at)}
                  </a>
                )}
                {o.status === 'cancelled' && ` (${t('events.cancelled')})`}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

// ---- organizer view -----------------------------------------------------------------------------------

export function OrganizeView(props: {
  ctx: PageContext;
  e: EventRow;
  registrations: Awaited<ReturnType<typeof registrationsOf>>;
  breakdown: { byPerspective: { key: string; n: number }[]; byState: { key: string; n: number }[] };
  forms: { attendance: FormState; material: FormState };
  materials: { slug: string; title: string; role: string }[];
}) {
  const { ctx, e, registrations } = props;
  const { t, fmt } = ctx;
  const f = fmtFor(ctx);
  const accommodations = registrations.filter((r) => r.accommodations.length > 0 && r.response !== 'not_going');
  const started = e.starts_at <= new Date();
  return (
    <>
      <p>
        <a class="usa-link" href={`/events/${e.id}`}>
          {t('events.back_to_event')}
        </a>{' '}
        · <time dateTime={e.starts_at.toISOString()}>{f.range(e.starts_at, e.ends_at)}</time>
      </p>
      <ul class="usa-list convene-inline-list">
        <li>{t('events.count.going', { count: e.going_count })}</li>
        <li>{t('events.count.maybe', { count: e.maybe_count })}</li>
        <li>{t('events.count.waitlist', { count: e.waitlist_count })}</li>
        <li>{t('events.count.attended', { count: e.attended_count })}</li>
      </ul>
      <section aria-labelledby="accommodations-heading">
        <h2 id="accommodations-heading">{t('events.accommodation_requests')}</h2>
        <p class="usa-hint">{t('events.accommodation_requests_hint')}</p>
        {accommodations.length === 0 ? (
          <p>{t('events.no_accommodations')}</p>
        ) : (
          <table class="usa-table usa-table--stacked">
            <caption class="usa-sr-only">{t('events.accommodation_requests')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('events.col.person')}</th>
                <th scope="col">{t('events.col.requests')}</th>
                <th scope="col">{t('events.col.details')}</th>
              </tr>
            </thead>
            <tbody>
              {accommodations.map((r) => (
                <tr>
                  <th scope="row" data-label={t('events.col.person')}>
                    {r.name}
                  </th>
                  <td data-label={t('events.col.requests')}>{r.accommodations.map((a) => t(`events.accommodation.${a}`)).join(', ')}</td>
                  <td data-label={t('events.col.details')}>{[r.interpretation_language, r.accommodation_notes].filter(Boolean).join(' — ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="registrations-heading">
        <h2 id="registrations-heading">{t('events.registrations')}</h2>
        <p>
          <a class="usa-link" href={`/events/${e.id}/registrations.csv`}>
            {t('events.download_csv')}
          </a>
        </p>
        {registrations.length === 0 ? (
          <p>{t('events.no_registrations')}</p>
        ) : (
          <Form ctx={ctx} action={`/events/${e.id}/attendance`} class="usa-form maxw-full" label={t('events.attendance')}>
            <table class="usa-table usa-table--stacked">
              <caption>{t('events.registrations_caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('events.col.person')}</th>
                  <th scope="col">{t('events.col.response')}</th>
                  <th scope="col">{t('events.col.registered')}</th>
                  <th scope="col">{t('events.col.attended')}</th>
                </tr>
              </thead>
              <tbody>
                {registrations.map((r) => (
                  <tr>
                    <th scope="row" data-label={t('events.col.person')}>
                      {r.name}
                    </th>
                    <td data-label={t('events.col.response')}>{r.status === 'none' ? t(`events.response.${r.response}`) : t(`events.status.${r.status}`)}</td>
                    <td data-label={t('events.col.registered')}>{fmt.date(r.created_at)}</td>
                    <td data-label={t('events.col.attended')}>
                      <div class="usa-checkbox">
                        <input class="usa-checkbox__input" type="checkbox" id={`attended-${r.user_id}`} name="attended" value={String(r.user_id)} checked={r.attended} />
                        <label class="usa-checkbox__label" for={`attended-${r.user_id}`}>
                          <span class="usa-sr-only">{t('events.attended_person', { name: r.name })}</span>
                          <span aria-hidden="true">{t('events.col.attended')}</span>
                        </label>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <TextArea ctx={ctx} form={props.forms.attendance} name="notes" label={t('events.field.notes')} rows={6} maxLength={20000} hint={t('events.notes_hint')} />
            <Submit label={t('events.save_attendance')} />
          </Form>
        )}
        {registrations.length === 0 && started && (
          <Form ctx={ctx} action={`/events/${e.id}/attendance`} label={t('events.notes')}>
            <TextArea ctx={ctx} form={props.forms.attendance} name="notes" label={t('events.field.notes')} rows={6} maxLength={20000} />
            <Submit label={t('events.save_attendance')} />
          </Form>
        )}
      </section>
      {e.attended_count > 0 && (
        <section aria-labelledby="attendance-heading">
          <h2 id="attendance-heading">{t('events.attendance')}</h2>
          <DataTable
            ctx={ctx}
            caption={t('events.attendance_by_perspective')}
            labelHeader={t('events.col.perspective')}
            rows={props.breakdown.byPerspective.map((r) => ({ label: r.key === 'unstated' ? t('events.unstated') : t(`perspective.${r.key}`), values: { n: r.n } }))}
            series={[{ key: 'n', label: t('events.col.attended') }]}
          />
          <DataTable
            ctx={ctx}
            caption={t('events.attendance_by_state')}
            labelHeader={t('events.col.state')}
            rows={props.breakdown.byState.map((r) => ({ label: STATES[r.key] ?? t('events.unstated'), values: { n: r.n } }))}
            series={[{ key: 'n', label: t('events.col.attended') }]}
          />
        </section>
      )}
      <section aria-labelledby="materials-form-heading">
        <h2 id="materials-form-heading">{t('events.materials')}</h2>
        {props.materials.length > 0 && (
          <MaterialsList ctx={ctx} materials={props.materials} />
        )}
        <p>
          <a class="usa-link" href="/resources/new">
            {t('events.add_to_library')}
          </a>
        </p>
        <ErrorSummary ctx={ctx} form={props.forms.material} labels={{ resource: t('events.field.resource') }} />
        <Form ctx={ctx} action={`/events/${e.id}/materials`} label={t('events.materials')}>
          <TextField ctx={ctx} form={props.forms.material} name="resource" label={t('events.field.resource')} hint={t('events.resource_hint')} required />
          <Select ctx={ctx} form={props.forms.material} name="role" label={t('events.field.role')} options={MATERIAL_ROLES.map((r) => ({ value: r, label: t(`events.material_role.${r}`) }))} />
          <Submit label={t('events.file_material')} />
        </Form>
      </section>
      {e.status === 'scheduled' && (
        <section aria-labelledby="cancel-heading">
          <h2 id="cancel-heading">{t('events.cancel_heading')}</h2>
          <p>{t('events.cancel_hint')}</p>
          <ButtonForm ctx={ctx} action={`/events/${e.id}/cancel`} label={t('events.cancel_this')} variant="secondary" hidden={{ apply_to: 'this' }} />{' '}
          {e.series_id && <ButtonForm ctx={ctx} action={`/events/${e.id}/cancel`} label={t('events.cancel_all')} variant="secondary" hidden={{ apply_to: 'all' }} />}
        </section>
      )}
    </>
  );
}

// ---- settings: time zone and calendar ------------------------------------------------------------------

export function CalendarSettingsView({ ctx, form, feedUrl, current }: { ctx: PageContext; form: FormState; feedUrl?: string; current: string | null }) {
  const { t } = ctx;
  const zone = String(form.values.time_zone ?? '');
  const zones = [...new Set([...(zone ? [zone] : []), ...COMMON_TIME_ZONES])];
  return (
    <>
      <section aria-labelledby="tz-heading">
        <h2 id="tz-heading">{t('events.settings.tz_heading')}</h2>
        <p>{current ? t('events.settings.tz_current', { zone: current }) : t('events.settings.tz_browser', { zone: ctx.tz })}</p>
        <ErrorSummary ctx={ctx} form={form} labels={{ time_zone: t('events.field.time_zone') }} />
        <Form ctx={ctx} action="/settings/calendar" label={t('events.settings.tz_heading')}>
          <Select ctx={ctx} form={form} name="time_zone" label={t('events.field.time_zone')} emptyLabel={t('events.settings.tz_auto')} options={zones.map((z) => ({ value: z, label: z.replace(/_/g, ' ') }))} />
          <Submit label={t('common.save')} />
        </Form>
      </section>
      <section aria-labelledby="feed-heading">
        <h2 id="feed-heading">{t('events.settings.feed_heading')}</h2>
        <p>{t('events.settings.feed_intro')}</p>
        {feedUrl ? (
          <>
            <label class="usa-label" for="feed-url">
              {t('events.settings.feed_url')}
            </label>
            <input class="usa-input" id="feed-url" type="text" readOnly value={feedUrl} />
            <p>
              <a class="usa-link" href={feedUrl.replace(/^https?:/, 'webcal:')}>
                {t('events.subscribe_webcal')}
              </a>
            </p>
            <p class="usa-hint">{t('events.settings.feed_secret')}</p>
            <ButtonForm ctx={ctx} action="/settings/calendar/feed" label={t('events.settings.feed_reset')} variant="outline" />{' '}
            <ButtonForm ctx={ctx} action="/settings/calendar/feed/revoke" label={t('events.settings.feed_revoke')} variant="secondary" />
          </>
        ) : (
          <ButtonForm ctx={ctx} action="/settings/calendar/feed" label={t('events.settings.feed_create')} />
        )}
      </section>
    </>
  );
}

/** A few upcoming events on a group's or a state's page, with links to all of them and the calendar feed. */
