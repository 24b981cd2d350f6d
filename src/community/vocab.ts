/**
 * The community's fixed vocabularies. Stored values are these codes; people
 * see them through i18n keys (`perspective.<code>`, `org_kind.<code>`, ...).
 */
export const PERSPECTIVES = [
  'family',
  'youth',
  'educator',
  'school_mh',
  'community_mh',
  'administrator',
  'researcher',
  'physician',
  'juvenile_justice',
  'military_family',
  'policymaker',
  'other',
] as const;
export type Perspective = (typeof PERSPECTIVES)[number];

export const ORG_KINDS = ['facilitator', 'funder', 'member', 'state_agency', 'ta_center', 'university', 'family_org', 'youth_org', 'other'] as const;
export const LEVELS = ['local', 'state', 'national', 'international'] as const;
export const STATE_STATUSES = ['exploring', 'active', 'sustaining', 'paused'] as const;
export const LED_BY = ['family', 'youth', 'none'] as const;
export const GROUP_VISIBILITIES = ['public', 'members', 'private'] as const;
export const JOIN_POLICIES = ['open', 'request', 'invite'] as const;
export const GROUP_ROLES = ['lead', 'co_lead', 'member'] as const;
export const SITE_ROLES = ['member', 'facilitator', 'admin'] as const;
export const FIELD_VISIBILITIES = ['public', 'members', 'private'] as const;

/** Profile fields whose visibility each person chooses. */
export const PROFILE_FIELDS = ['pronouns', 'bio', 'state', 'organizations', 'perspectives', 'expertise'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

export const DEFAULT_VISIBILITY: Record<ProfileField, 'public' | 'members' | 'private'> = {
  pronouns: 'public',
  bio: 'members',
  state: 'public',
  organizations: 'public',
  perspectives: 'public',
  expertise: 'public',
};

/** U.S. states, the District of Columbia and the territories, by postal code. */
export const STATES: Record<string, string> = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California', CO: 'Colorado',
  CT: 'Connecticut', DE: 'Delaware', DC: 'District of Columbia', FL: 'Florida', GA: 'Georgia',
  HI: 'Hawaii', ID: 'Idaho', IL: 'Illinois', IN: 'Indiana', IA: 'Iowa', KS: 'Kansas', KY: 'Kentucky',
  LA: 'Louisiana', ME: 'Maine', MD: 'Maryland', MA: 'Massachusetts', MI: 'Michigan', MN: 'Minnesota',
  MS: 'Mississippi', MO: 'Missouri', MT: 'Montana', NE: 'Nebraska', NV: 'Nevada', NH: 'New Hampshire',
  NJ: 'New Jersey', NM: 'New Mexico', NY: 'New York', NC: 'North Carolina', ND: 'North Dakota',
  OH: 'Ohio', OK: 'Oklahoma', OR: 'Oregon', PA: 'Pennsylvania', RI: 'Rhode Island', SC: 'South Carolina',
  SD: 'South Dakota', TN: 'Tennessee', TX: 'Texas', UT: 'Utah', VT: 'Vermont', VA: 'Virginia',
  WA: 'Washington', WV: 'West Virginia', WI: 'Wisconsin', WY: 'Wyoming', AS: 'American Samoa',
  GU: 'Guam', MP: 'Northern Mariana Islands', PR: 'Puerto Rico', VI: 'U.S. Virgin Islands',
};
export const STATE_CODES = Object.keys(STATES);

/** Youngest age that may hold an account, and the age at which youth protections end. */
export const MIN_AGE = 13;
export const ADULT_AGE = 18;

/**
 * Age screening from a birth year alone. We cannot know the birthday, so we
 * assume the youngest age the year allows: someone who might be 12 is treated
 * as under 13, someone who might be 17 as youth.
 */
export function ageBand(birthYear: number, now = new Date()): 'child' | 'youth' | 'adult' {
  const youngestAge = now.getUTCFullYear() - birthYear - 1;
  if (youngestAge < MIN_AGE) return 'child';
  if (youngestAge < ADULT_AGE) return 'youth';
  return 'adult';
}
