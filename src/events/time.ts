import { DEFAULT_TIME_ZONE, isTimeZone } from '../platform/time-zone.js';
import { DateTime } from 'luxon';
import rrulePkg from 'rrule';
import type { T } from '../platform/i18n/i18n.js';

const { RRule } = rrulePkg;

/**
 * Time zones and RFC 5545 recurrence. Times are stored in UTC; a series is a
 * rule applied to a wall-clock start in the organizer's time zone, so "every
 * second Tuesday at 3 pm Eastern" stays at 3 pm across daylight-saving changes.
 */

/** Offered first in time-zone menus (U.S. states and territories, then a few others); any IANA zone is accepted. */
export const COMMON_TIME_ZONES = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Phoenix',
  'America/Los_Angeles',
  'America/Anchorage',
  'Pacific/Honolulu',
  'America/Puerto_Rico',
  'Pacific/Guam',
  'Pacific/Pago_Pago',
  'America/Mexico_City',
  'Europe/London',
  'Europe/Madrid',
  'UTC',
] as const;


const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** A wall-clock "YYYY-MM-DDTHH:MM" in a zone as a UTC instant (times in a spring-forward gap move forward); undefined when invalid. */
export function zonedToUtc(local: string, zone: string): Date | undefined {
  const m = LOCAL.exec(local);
  if (!m || !isTimeZone(zone)) return undefined;
  const dt = DateTime.fromObject({ year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]! }, { zone });
  if (!dt.isValid || dt.day !== +m[3]! || dt.month !== +m[2]!) return undefined;
  return dt.toJSDate();
}

/** A UTC instant as the date and time inputs of a form in a zone. */
export function utcToLocal(d: Date, zone: string): { date: string; time: string; local: string } {
  const dt = DateTime.fromJSDate(d, { zone });
  const date = dt.toFormat('yyyy-MM-dd');
  const time = dt.toFormat('HH:mm');
  return { date, time, local: `${date}T${time}` };
}

const formatterSets = new Map<string, ReturnType<typeof makeEventFormatters>>();

/** Formatting of event times in the viewer's zone and language (one set per language and zone: Intl formatters are costly to make). */
export function eventFormatters(locale: string, zone: string) {
  const key = `${locale}|${zone}`;
  let f = formatterSets.get(key);
  if (!f) {
    if (formatterSets.size > 500) formatterSets.clear();
    formatterSets.set(key, (f = makeEventFormatters(locale, zone)));
  }
  return f;
}

function makeEventFormatters(locale: string, zone: string) {
  const tag = locale === 'es' ? 'es-US' : 'en-US';
  const z = isTimeZone(zone) ? zone : DEFAULT_TIME_ZONE;
  const day = new Intl.DateTimeFormat(tag, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: z });
  const timeZ = new Intl.DateTimeFormat(tag, { hour: 'numeric', minute: '2-digit', timeZoneName: 'short', timeZone: z });
  const short = new Intl.DateTimeFormat(tag, { weekday: 'short', month: 'short', day: 'numeric', timeZone: z });
  const monthName = new Intl.DateTimeFormat(tag, { month: 'long', year: 'numeric', timeZone: 'UTC' });
  const dayKey = (d: Date) => DateTime.fromJSDate(d, { zone: z }).toFormat('yyyy-MM-dd');
  return {
    zone: z,
    /** "Tuesday, December 8, 2026, 3:00 – 4:00 PM EST" (or across days when it spans them). */
    range(start: Date, end: Date) {
      if (dayKey(start) === dayKey(end)) return `${day.format(start)}, ${timeZ.formatRange(start, end)}`;
      return `${day.format(start)}, ${timeZ.format(start)} – ${day.format(end)}, ${timeZ.format(end)}`;
    },
    day: (d: Date) => day.format(d),
    shortDay: (d: Date) => short.format(d),
    time: (d: Date) => timeZ.format(d),
    dateTime: (d: Date) => `${day.format(d)}, ${timeZ.format(d)}`,
    dayKey,
    /** "December 2026" for a YYYY-MM month. */
    month: (ym: string) => monthName.format(new Date(`${ym}-01T12:00:00Z`)),
  };
}
export type EventFormatters = ReturnType<typeof eventFormatters>;

// ---- recurrence ----------------------------------------------------------------------------------

/** A series makes at most this many occurrences, over at most two years. */
export const MAX_OCCURRENCES = 52;
const HORIZON_MS = 731 * 86_400_000;

export const REPEAT_PRESETS = ['none', 'weekly', 'biweekly', 'monthly', 'bimonthly', 'custom'] as const;
export type RepeatPreset = (typeof REPEAT_PRESETS)[number];

const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
const ALLOWED_FREQ = new Set([RRule.YEARLY, RRule.MONTHLY, RRule.WEEKLY, RRule.DAILY]);

/**
 * Checks an RRULE value (RFC 5545 §3.3.10) from a person: daily to yearly
 * rules only, no DTSTART or time zone inside (the event gives those).
 * Returns the normalized rule text, or undefined when it is not one.
 */
export function normalizeRule(input: string): string | undefined {
  const rule = input.trim().replace(/^RRULE:/i, '').toUpperCase();
  if (!rule || rule.length > 500 || !/^[A-Z0-9=;,+-]+$/.test(rule)) return undefined;
  if (/(^|;)(DTSTART|TZID)=/.test(rule)) return undefined;
  try {
    const opts = RRule.parseString(rule);
    if (opts.freq === undefined || !ALLOWED_FREQ.has(opts.freq)) return undefined;
    if (opts.count != null && (opts.count < 1 || opts.count > 1000)) return undefined;
    if (opts.interval != null && (opts.interval < 1 || opts.interval > 99)) return undefined;
    // Round-trip through the library so what we store is what it understands.
    return new RRule({ ...opts }).toString().replace(/^RRULE:/, '');
  } catch {
    return undefined;
  }
}

/** The rule for one of the form's choices, anchored on the first occurrence's date. */
export function presetRule(preset: Exclude<RepeatPreset, 'none' | 'custom'>, startsLocal: string, end: { count?: number; until?: string }): string {
  const dt = DateTime.fromISO(startsLocal, { zone: 'UTC' });
  const wd = WEEKDAYS[dt.weekday - 1]!;
  const nth = Math.ceil(dt.day / 7);
  const byNth = `${nth === 5 ? -1 : nth}${wd}`;
  const base = {
    weekly: `FREQ=WEEKLY;BYDAY=${wd}`,
    biweekly: `FREQ=WEEKLY;INTERVAL=2;BYDAY=${wd}`,
    monthly: `FREQ=MONTHLY;BYDAY=${byNth}`,
    bimonthly: `FREQ=MONTHLY;INTERVAL=2;BYDAY=${byNth}`,
  }[preset];
  return withEnd(base, end);
}

/** Adds COUNT or UNTIL (end of that day, wall clock) to a rule that has neither. */
export function withEnd(rule: string, end: { count?: number; until?: string }): string {
  if (/(^|;)(COUNT|UNTIL)=/.test(rule)) return rule;
  if (end.until) return `${rule};UNTIL=${end.until.replace(/-/g, '')}T235959Z`;
  if (end.count) return `${rule};COUNT=${end.count}`;
  return rule;
}

export interface Occurrence {
  /** The start under the rule (RECURRENCE-ID). */
  recurrenceId: Date;
  startsAt: Date;
  endsAt: Date;
}

/**
 * The occurrences of a rule from a wall-clock start in a zone. The rule runs
 * on "floating" wall-clock times (no daylight saving), and each result is then
 * placed in the zone, so the local time of day never drifts.
 */
export function expandRule(rule: string, startsLocal: string, zone: string, durationMinutes: number): Occurrence[] {
  const m = LOCAL.exec(startsLocal);
  if (!m) return [];
  const opts = RRule.parseString(rule);
  const dtstart = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!));
  const r = new RRule({ ...opts, dtstart, tzid: null });
  const last = dtstart.getTime() + HORIZON_MS;
  const floating = r.all((d, n) => n < MAX_OCCURRENCES && d.getTime() <= last);
  return floating.map((f) => {
    const start = DateTime.fromObject(
      { year: f.getUTCFullYear(), month: f.getUTCMonth() + 1, day: f.getUTCDate(), hour: f.getUTCHours(), minute: f.getUTCMinutes() },
      { zone },
    ).toJSDate();
    return { recurrenceId: start, startsAt: start, endsAt: new Date(start.getTime() + durationMinutes * 60_000) };
  });
}

/** A rule in words, in the reader's language ("Every 2 months on the second Tuesday, 6 times"). */
export function describeRule(rule: string, t: T, locale: string): string {
  let opts;
  try {
    opts = RRule.parseString(rule);
  } catch {
    return rule;
  }
  const interval = opts.interval ?? 1;
  const unit = { [RRule.DAILY]: 'day', [RRule.WEEKLY]: 'week', [RRule.MONTHLY]: 'month', [RRule.YEARLY]: 'year' }[opts.freq as number] ?? 'week';
  const parts = [t(`events.repeat_text.every_${unit}`, { count: interval })];
  const days = opts.byweekday ? (Array.isArray(opts.byweekday) ? opts.byweekday : [opts.byweekday]) : [];
  if (days.length) {
    const names = days.map((d) => {
      const wd = typeof d === 'number' ? d : (d as { weekday: number }).weekday;
      const n = typeof d === 'number' ? undefined : (d as { n?: number }).n;
      const name = t(`events.weekday.${WEEKDAYS[wd]}`);
      return n ? t('events.repeat_text.nth', { nth: t(`events.nth.${n}`), day: name }) : name;
    });
    parts.push(t('events.repeat_text.on', { days: new Intl.ListFormat(locale === 'es' ? 'es' : 'en', { type: 'conjunction' }).format(names) }));
  }
  if (opts.count) parts.push(t('events.repeat_text.times', { count: opts.count }));
  else if (opts.until) parts.push(t('events.repeat_text.until', { date: new Intl.DateTimeFormat(locale === 'es' ? 'es-US' : 'en-US', { dateStyle: 'long', timeZone: 'UTC' }).format(opts.until) }));
  return parts.join(' ').replace(/ ,/g, ',');
}

// The zone helpers live in platform/ (the page shell uses them too); events use them through here.
export { DEFAULT_TIME_ZONE, isTimeZone };
