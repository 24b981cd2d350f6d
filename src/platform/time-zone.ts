import { IANAZone } from 'luxon';

/** When neither the person nor their browser has said. The community is U.S.-wide; its facilitators are on Eastern time. */
export const DEFAULT_TIME_ZONE = 'America/New_York';

const zoneChecks = new Map<string, boolean>();
/** An IANA zone name this runtime knows (answers remembered: the check builds an Intl formatter). */
export const isTimeZone = (z: unknown): z is string => {
  if (typeof z !== 'string' || z.length === 0 || z.length > 64) return false;
  let ok = zoneChecks.get(z);
  if (ok === undefined) {
    ok = IANAZone.isValidZone(z);
    if (zoneChecks.size < 1000) zoneChecks.set(z, ok);
  }
  return ok;
};
