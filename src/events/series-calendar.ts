import { DateTime } from 'luxon';
import { tzlib_get_ical_block } from 'timezones-ical-library';
import { icalText } from './calendar.js';
import { expandRule } from './time.js';
import type { EventRow } from './queries.js';

export interface SeriesRow {
  id: number;
  rrule: string;
  time_zone: string;
  duration_minutes: number;
}

const local = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat("yyyyMMdd'T'HHmmss");
const utc = (d: Date) => DateTime.fromJSDate(d, { zone: 'UTC' }).toFormat("yyyyMMdd'T'HHmmss'Z'");

/** Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character. */
function fold(line: string): string {
  const out: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > (out.length ? 74 : 75)) {
      out.push(current);
      current = '';
      bytes = 0;
    }
    current += ch;
    bytes += n;
  }
  out.push(current);
  return out.join('\r\n ');
}

/**
 * A whole series as one calendar entry: one VEVENT with DTSTART in the
 * series' time zone (and its VTIMEZONE) and the RRULE, ending with the last
 * occurrence Convene holds; an EXDATE for an occurrence that is gone; and a
 * VEVENT with RECURRENCE-ID for each occurrence changed on its own (moved,
 * retitled, relocated, cancelled). Occurrences that no longer fall on the
 * rule stand as events of their own.
 */
export function seriesCalendar(series: SeriesRow, rows: EventRow[], opts: { name: string; baseUrl: string; host: string; now?: Date }): string | undefined {
  const sorted = [...rows].sort((a, b) => (a.recurrence_id ?? a.starts_at).getTime() - (b.recurrence_id ?? b.starts_at).getTime());
  const first = sorted[0];
  if (!first) return undefined;
  const zone = series.time_zone;
  const firstLocal = DateTime.fromJSDate(first.recurrence_id ?? first.starts_at, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
  const expected = expandRule(series.rrule, firstLocal, zone, series.duration_minutes);
  if (expected.length === 0) return undefined;
  const byInstant = new Map(sorted.map((r) => [(r.recurrence_id ?? r.starts_at).getTime(), r]));
  const now = opts.now ?? new Date();
  // The series' own details: those of the next occurrence that follows it, else the last one.
  const template = sorted.find((r) => !r.detached && r.status !== 'cancelled' && r.ends_at > now) ?? sorted.filter((r) => !r.detached).at(-1) ?? first;
  const uid = `series-${series.id}@${opts.host}`;
  const stamp = utc(now);
  const text = (e: EventRow) => ({
    summary: e.title,
    description: [e.description, e.agenda, `${opts.baseUrl}/events/${e.id}`].filter(Boolean).join('\n\n'),
    location: e.location,
  });
  const main = text(template);
  const rule = series.rrule
    .replace(/^RRULE:/i, '')
    .split(';')
    .filter((p) => !/^(COUNT|UNTIL)=/i.test(p))
    .concat(`UNTIL=${utc(expected.at(-1)!.recurrenceId)}`)
    .join(';');

  const lines: string[] = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Convene//Convene//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', `X-WR-CALNAME:${icalText(opts.name)}`];
  const vtimezone = tzlib_get_ical_block(zone);
  if (Array.isArray(vtimezone) && vtimezone[0]) lines.push(...vtimezone[0].split(/\r?\n/));
  const describe = (t: { summary: string; description: string; location: string }) => [
    `SUMMARY:${icalText(t.summary)}`,
    ...(t.description ? [`DESCRIPTION:${icalText(t.description)}`] : []),
    ...(t.location ? [`LOCATION:${icalText(t.location)}`] : []),
  ];

  lines.push(
    'BEGIN:VEVENT',
    `UID:${uid}`,
    `DTSTAMP:${stamp}`,
    `SEQUENCE:${Math.max(...sorted.map((r) => r.sequence))}`,
    `DTSTART;TZID=${zone}:${local(expected[0]!.recurrenceId, zone)}`,
    `DTEND;TZID=${zone}:${local(expected[0]!.endsAt, zone)}`,
    `RRULE:${rule}`,
  );
  const missing = expected.filter((x) => !byInstant.has(x.recurrenceId.getTime()));
  if (missing.length) lines.push(`EXDATE;TZID=${zone}:${missing.map((x) => local(x.recurrenceId, zone)).join(',')}`);
  lines.push(...describe(main), `URL:${opts.baseUrl}/events/${template.id}`, 'STATUS:CONFIRMED', 'END:VEVENT');

  const onRule = new Set(expected.map((x) => x.recurrenceId.getTime()));
  for (const r of sorted) {
    const instant = (r.recurrence_id ?? r.starts_at).getTime();
    const own = text(r);
    if (onRule.has(instant)) {
      const moved = r.starts_at.getTime() !== instant || r.ends_at.getTime() - r.starts_at.getTime() !== series.duration_minutes * 60_000;
      const differs = moved || r.status === 'cancelled' || own.summary !== main.summary || own.location !== main.location || own.description.replace(/\/events\/\d+$/, '') !== main.description.replace(/\/events\/\d+$/, '');
      if (!differs) continue;
      lines.push('BEGIN:VEVENT', `UID:${uid}`, `DTSTAMP:${stamp}`, `RECURRENCE-ID;TZID=${zone}:${local(new Date(instant), zone)}`);
    } else {
      lines.push('BEGIN:VEVENT', `UID:${r.uid}`, `DTSTAMP:${stamp}`);
    }
    lines.push(
      `SEQUENCE:${r.sequence}`,
      `DTSTART;TZID=${zone}:${local(r.starts_at, zone)}`,
      `DTEND;TZID=${zone}:${local(r.ends_at, zone)}`,
      ...describe(own),
      `URL:${opts.baseUrl}/events/${r.id}`,
      `STATUS:${r.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}

/** Calendar links for one date: Google Calendar's and Outlook's "add an event" pages, filled in. */
export function addToCalendarLinks(e: { id: number; title: string; starts_at: Date; ends_at: Date; location: string; time_zone: string }, baseUrl: string) {
  const details = `${baseUrl}/events/${e.id}`;
  const google = new URL('https://calendar.google.com/calendar/render');
  google.search = new URLSearchParams({ action: 'TEMPLATE', text: e.title, dates: `${utc(e.starts_at)}/${utc(e.ends_at)}`, details, location: e.location, ctz: e.time_zone }).toString();
  const outlook = (host: string) => {
    const u = new URL(`https://${host}/calendar/0/deeplink/compose`);
    u.search = new URLSearchParams({ path: '/calendar/action/compose', rru: 'addevent', subject: e.title, startdt: e.starts_at.toISOString(), enddt: e.ends_at.toISOString(), body: details, location: e.location }).toString();
    return u.toString();
  };
  return { google: google.toString(), outlook: outlook('outlook.live.com'), office: outlook('outlook.office.com') };
}

/** The webcal:// address of a feed, which calendar programs open as a subscription. */
export const webcal = (baseUrl: string, path: string) => `${baseUrl.replace(/^https?:/, 'webcal:')}${path}`;
