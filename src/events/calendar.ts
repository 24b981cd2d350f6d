import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { EventRow } from './events.js';

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
    name: opts.name,
    description: opts.description ?? null,
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
      summary: e.title,
      description,
      location: e.location || online || null,
      url,
      status: e.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return cal.toString();
}
