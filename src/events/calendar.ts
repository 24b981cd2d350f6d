import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { EventRow } from './queries.js';

/**
 * iCalendar (RFC 5545) output for one event, a feed or an email attachment.
 * Each occurrence is its own VEVENT with times in UTC, a stable UID and a
 * SEQUENCE that rises with every change, so calendar programs update the
 * copy they already have instead of adding a second one.
 */
export function calendarOf(
  events: EventRow[],
  opts: { name: string; baseUrl: string; description?: string; includeOnlineUrl?: (e: EventRow) => boolean; method?: 'PUBLISH' },
): string {
  const cal = ical({
    // ical-generator writes these two as they are: escaped here, so a line break
    // in a group's name cannot start a line of its own (a new event, say).
    name: icalText(opts.name),
    description: opts.description ? icalText(opts.description) : null,
    prodId: { company: 'Convene', product: 'Convene', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
    ttl: 3600,
  });
  for (const e of events) {
    const url = `${opts.baseUrl}/events/${e.id}`;
    const online = opts.includeOnlineUrl?.(e) && e.online_url ? e.online_url : undefined;
    const description = [e.description, e.agenda ? `\n${e.agenda}` : '', online ? `\n${online}` : '', `\n${url}`].filter(Boolean).join('\n').trim();
    cal.createEvent({
      id: e.uid,
      sequence: e.sequence,
      start: e.starts_at,
      end: e.ends_at,
      stamp: e.updated_at,
      created: e.created_at,
      lastModified: e.updated_at,
      summary: plain(e.title),
      description: plain(description),
      location: plain(e.location || online || '') || null,
      url,
      status: e.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return cal.toString();
}

/** Control characters other than line breaks never belong in calendar text. */
const plain = (s: string) => s.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ');

/** An RFC 5545 TEXT value (section 3.3.11): backslash, semicolon, comma and line breaks escaped. */
export function icalText(s: string): string {
  return plain(s).replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
}
