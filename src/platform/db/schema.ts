import type { Translations } from '../i18n/content.js';
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Timestamps are read as Date and may be written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string | T | undefined, string | T>;
/** bigint ids arrive from pg as strings; we parse them to numbers (see db.ts). */
type Id = Generated<number>;

export interface CommunityTable {
  id: Generated<number>;
  name: string;
  short_name: Generated<string>;
  mission: Generated<string>;
  shared_agenda: Generated<string>;
  reach_goal: Generated<number>;
  website: string | null;
  /** Days without a sign-in after which an account is removed (null: never). */
  retention_inactive_days: ColumnType<number | null, number | null | undefined, number | null>;
  /** Days after which notifications are deleted (null: never). */
  retention_notification_days: ColumnType<number | null, number | null | undefined, number | null>;
  /** Days after a download, a tracked link or a convening before its use follow-up is asked. */
  followup_delay_days: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  tagline: Generated<string>;
  language: Generated<'en' | 'es'>;
  translations: ColumnType<Translations, Translations | string | undefined, Translations | string>;
}

export interface OrganizationsTable {
  id: Id;
  slug: string;
  name: string;
  short_name: Generated<string>;
  kind: string;
  level: string;
  website: string | null;
  states: Generated<string[]>;
  description: Generated<string>;
  parent_id: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  language: Generated<'en' | 'es'>;
  translations: ColumnType<Translations, Translations | string | undefined, Translations | string>;
}

export interface CommunityRolesTable {
  organization_id: number;
  role: 'facilitator' | 'funder';
  supports_organization_id: number | null;
  position: Generated<number>;
}

export type Visibility = 'public' | 'members' | 'private';

export interface UsersTable {
  id: Id;
  email: string;
  email_verified_at: NullableTimestamp;
  password_hash: string | null;
  name: string;
  pronouns: Generated<string>;
  bio: Generated<string>;
  state_code: string | null;
  birth_year: number | null;
  is_youth: Generated<boolean>;
  role: Generated<'member' | 'facilitator' | 'admin'>;
  perspectives: Generated<string[]>;
  expertise: Generated<string[]>;
  visibility: Json<Record<string, Visibility>>;
  hidden: Generated<boolean>;
  locale: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_seen_at: NullableTimestamp;
  deactivated_at: NullableTimestamp;
  /** For @mentions; made from the name by a trigger when not given. */
  handle: Generated<string>;
  email_notifications: Generated<EmailFrequency>;
  digest_sent_at: NullableTimestamp;
  /** IANA time zone chosen in settings; null: the browser's, else the community's. */
  time_zone: ColumnType<string | null, string | null | undefined, string | null>;
  /** Encrypted TOTP secret once two-factor sign-in is on; the pending one during set-up. */
  totp_secret: ColumnType<string | null, string | null | undefined, string | null>;
  totp_pending: ColumnType<string | null, string | null | undefined, string | null>;
  totp_enabled_at: NullableTimestamp;
  /** The person asked not to be sent use follow-ups. */
  followups_off: Generated<boolean>;
  /** The last accepted TOTP time step: a code is accepted once. */
  totp_last_step: Generated<number>;
  retention_warned_at: NullableTimestamp;
  /** The current profile photo's version (its address changes with it); null: initials instead. */
  photo_version: ColumnType<number | null, number | null | undefined, number | null>;
  translator: Generated<boolean>;
}

export interface UserPhotosTable {
  user_id: number;
  image: Buffer;
  updated_at: Timestamp;
}

export type EmailFrequency = 'immediate' | 'daily' | 'weekly' | 'off';
export type WatchLevel = 'watching' | 'tracking' | 'normal' | 'muted';
export type NotificationKind = 'mention' | 'reply' | 'watched_post' | 'new_thread' | 'moderation' | 'reminder' | 'decision' | 'translation_request' | 'translation_done';
export type ThreadKind = 'discussion' | 'dialogue_guide';

export interface UserOrganizationsTable {
  user_id: number;
  organization_id: number;
  title: Generated<string>;
}

export interface StateInitiativesTable {
  id: Id;
  state_code: string;
  name: string;
  status: Generated<string>;
  description: Generated<string>;
  education_agency_id: number | null;
  mental_health_agency_id: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  language: Generated<'en' | 'es'>;
  translations: ColumnType<Translations, Translations | string | undefined, Translations | string>;
}

export interface StateInitiativeContactsTable {
  state_initiative_id: number;
  user_id: number;
  role: Generated<string>;
}

export interface PracticeGroupsTable {
  id: Id;
  slug: string;
  name: string;
  short_name: Generated<string>;
  mission: Generated<string>;
  led_by: Generated<'family' | 'youth' | 'none'>;
  visibility: Generated<'public' | 'members' | 'private'>;
  join_policy: Generated<'open' | 'request' | 'invite'>;
  member_count: Generated<number>;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  archived_at: NullableTimestamp;
  language: Generated<'en' | 'es'>;
  translations: ColumnType<Translations, Translations | string | undefined, Translations | string>;
}

export interface GroupPrioritiesTable {
  id: Id;
  group_id: number;
  position: number;
  text: string;
  translations: ColumnType<Translations, Translations | string | undefined, Translations | string>;
}

export type GroupRole = 'lead' | 'co_lead' | 'member';
export type MembershipStatus = 'active' | 'requested' | 'invited';

export interface GroupMembershipsTable {
  group_id: number;
  user_id: number;
  role: Generated<GroupRole>;
  status: Generated<MembershipStatus>;
  message: Generated<string>;
  created_at: Timestamp;
  decided_by: number | null;
  decided_at: NullableTimestamp;
}

export interface SessionsTable {
  id: string;
  user_id: number;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  user_agent: Generated<string>;
}

export interface ApiTokensTable {
  id: Id;
  user_id: number;
  name: Generated<string>;
  token_hash: string;
  prefix: string;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  origin: Generated<'web' | 'cli'>;
}

export interface EmailTokensTable {
  id: Id;
  user_id: number;
  purpose: 'verify' | 'reset' | 'change_email' | 'sign_in';
  token_hash: string;
  new_email: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface RateLimitsTable {
  key: string;
  window_start: Timestamp;
  count: Generated<number>;
}

export interface IdempotencyKeysTable {
  key: string;
  user_id: number;
  result: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface AuditLogTable {
  id: Id;
  actor_id: number | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  data: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface ThreadsTable {
  id: Id;
  /** Polls and proposals opened in the thread (the page asks for them only when there are some). */
  decision_count: Generated<number>;
  group_id: number | null;
  author_id: number | null;
  title: string;
  language: Generated<string>;
  pinned: Generated<boolean>;
  locked: Generated<boolean>;
  closed: Generated<boolean>;
  reply_count: Generated<number>;
  created_at: Timestamp;
  edited_at: NullableTimestamp;
  last_activity_at: Timestamp;
  deleted_at: NullableTimestamp;
  kind: Generated<ThreadKind>;
  source_title: string | null;
  source_url: string | null;
  summary_common_ground: string | null;
  summary_actions: string | null;
  summary_by: number | null;
  summary_at: NullableTimestamp;
  translation_count: Generated<number>;
}

export interface DialogueQuestionsTable {
  id: Id;
  thread_id: number;
  kind: 'reaction' | 'application';
  position: number;
  prompt: string;
}

export interface GroupWatchesTable {
  user_id: number;
  group_id: number;
  level: WatchLevel;
}

export interface ThreadWatchesTable {
  user_id: number;
  thread_id: number;
  level: WatchLevel;
}

export interface ThreadLinksTable {
  from_post_id: number;
  to_thread_id: number;
}

/** The newest posts' search vectors, kept by triggers (migrations/20261207020000_recent_post_search.sql). */
export interface RecentPostSearchTable {
  post_id: number;
  search: string;
}

export interface ThreadReadsTable {
  user_id: number;
  thread_id: number;
  read_at: Timestamp;
}

/** "Mark everything read": nothing before `cleared_at` counts as new or unread for this person. */
export interface ReadHorizonsTable {
  user_id: number;
  cleared_at: Timestamp;
}

export interface NotificationsTable {
  id: Id;
  user_id: number;
  kind: NotificationKind;
  thread_id: number | null;
  post_id: number | null;
  actor_id: number | null;
  data: Json<Record<string, unknown>>;
  created_at: Timestamp;
  read_at: NullableTimestamp;
  emailed_at: NullableTimestamp;
}

export interface PostsTable {
  id: Id;
  thread_id: number;
  author_id: number | null;
  is_opening: Generated<boolean>;
  reply_to_id: number | null;
  body: string;
  language: Generated<string>;
  version: Generated<number>;
  body_html: string | null;
  render_version: Generated<number>;
  helpful_count: Generated<number>;
  /** Reaction counts by kind (`ReactionKind`), kept with each reaction. */
  reactions: Generated<Record<string, number>>;
  created_at: Timestamp;
  edited_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
  hidden_at: NullableTimestamp;
  hidden_by: number | null;
  /** The author's stakeholder perspectives when they posted. */
  perspectives: Generated<string[]>;
  /** A Dialogue Guide question this post answers. */
  question_id: number | null;
}

export interface PostFlagsTable {
  id: Id;
  post_id: number;
  flagger_id: number | null;
  reason: string;
  note: Generated<string>;
  created_at: Timestamp;
  resolved_at: NullableTimestamp;
  resolved_by: number | null;
  resolution: string | null;
}

export interface PostRevisionsTable {
  post_id: number;
  version: number;
  body: string;
  edited_by: number | null;
  created_at: Timestamp;
}

export interface PostAttachmentsTable {
  id: Id;
  post_id: number;
  uploaded_by: number | null;
  kind: 'image' | 'file';
  filename: string;
  content_type: string;
  size_bytes: number;
  storage_key: string;
  alt: Generated<string>;
  width: number | null;
  height: number | null;
  created_at: Generated<Date>;
}

export interface ConversationsTable {
  id: Id;
  subject: string;
  created_by: number | null;
  involves_youth: Generated<boolean>;
  created_at: Generated<Date>;
  last_message_at: Generated<Date>;
}

export interface ConversationMembersTable {
  conversation_id: number;
  user_id: number;
  joined_at: Generated<Date>;
  read_at: NullableTimestamp;
  left_at: NullableTimestamp;
}

export interface ConversationMessagesTable {
  id: Id;
  conversation_id: number;
  author_id: number | null;
  body: string;
  body_html: string;
  created_at: Generated<Date>;
  hidden_at: NullableTimestamp;
  hidden_by: number | null;
}

export interface ConversationReportsTable {
  id: Id;
  message_id: number;
  reporter_id: number | null;
  reason: string;
  note: Generated<string>;
  created_at: Generated<Date>;
  resolved_at: NullableTimestamp;
  resolved_by: number | null;
}

export interface BookmarksTable {
  user_id: number;
  post_id: number;
  note: Generated<string>;
  remind_at: NullableTimestamp;
  reminded_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface PostReactionsTable {
  post_id: number;
  user_id: number;
  kind: Generated<'helpful' | 'thanks' | 'agree' | 'will_try'>;
  created_at: Timestamp;
}

export interface ResourcesTable {
  id: Id;
  slug: string;
  title: string;
  summary: Generated<string>;
  description: Generated<string>;
  kind: string;
  external_url: string | null;
  authors: Generated<string>;
  audiences: Generated<string[]>;
  topics: Generated<string[]>;
  level: Generated<string>;
  language: Generated<string>;
  evidence_level: Generated<string>;
  review_status: Generated<string>;
  published_on: ColumnType<string | null, string | null | undefined, string | null>;
  visibility: Generated<'public' | 'members' | 'group'>;
  group_id: number | null;
  accessibility: Generated<string[]>;
  extracted_text: Generated<string>;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
  translations: ColumnType<Translations, Translations | string | undefined, Translations | string>;
}

export interface ResourceFilesTable {
  id: Id;
  resource_id: number;
  version: number;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  storage_key: string;
  alt_text: Generated<string>;
  uploaded_by: number | null;
  created_at: Timestamp;
  extracted_at: NullableTimestamp;
  extract_error: 'too_large' | 'too_slow' | 'unreadable' | null;
}

export interface CollectionsTable {
  id: Id;
  slug: string;
  title: string;
  description: Generated<string>;
  group_id: number | null;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  language: Generated<'en' | 'es'>;
  translations: ColumnType<Translations, Translations | string | undefined, Translations | string>;
}

export interface ShareLinksTable {
  id: Id;
  code: string;
  resource_id: number;
  organization_id: number | null;
  state_initiative_id: number | null;
  channel: Generated<string>;
  created_by: number | null;
  created_at: Timestamp;
}

export interface ViewEventsTable {
  resource_id: number;
  kind: number;
  link_id: number | null;
  visitor: Buffer;
  day: ColumnType<string, string, string>;
  at: Timestamp;
}

export interface ReachDailyTable {
  day: ColumnType<string, string, string>;
  resource_id: number;
  page_views: number;
  downloads: number;
  link_visits: number;
  unique_visitors: number;
}

export interface DisseminationReportsTable {
  id: Id;
  resource_id: number;
  organization_id: number | null;
  state_initiative_id: number | null;
  channel: string;
  recipients: number;
  sent_on: ColumnType<string, string, string>;
  audiences: Generated<string[]>;
  states: Generated<string[]>;
  evidence_url: string | null;
  note: Generated<string>;
  status: Generated<'reported' | 'verified' | 'questioned'>;
  review_note: Generated<string>;
  reported_by: number | null;
  reviewed_by: number | null;
  reviewed_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface UseReportsTable {
  id: Id;
  /** A use report is about a resource or a convening (one of the two). */
  resource_id: number | null;
  event_id: ColumnType<number | null, number | null | undefined, number | null>;
  source: Generated<'unprompted' | 'followup'>;
  user_id: number | null;
  how_used: string;
  perspective: string | null;
  state_code: string | null;
  setting: string | null;
  quality: number;
  relevance: number;
  usefulness: number;
  created_at: Timestamp;
}

export interface GlossaryTermsTable {
  id: Id;
  slug: string;
  term: string;
  acronym: string | null;
  plain_definition: string;
  term_es: Generated<string>;
  acronym_es: string | null;
  plain_definition_es: Generated<string>;
  related: Generated<string[]>;
  sources: Generated<string>;
  status: Generated<'suggested' | 'published' | 'rejected'>;
  suggested_by: number | null;
  reviewed_by: number | null;
  review_note: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type EventKind = 'group_call' | 'webinar' | 'training' | 'state_convening' | 'annual_meeting' | 'other';
export type RegistrationResponse = 'going' | 'maybe' | 'not_going';
export type RegistrationStatus = 'confirmed' | 'waitlisted' | 'none';

export interface EventsTable {
  id: Id;
  uid: string;
  sequence: Generated<number>;
  series_id: number | null;
  recurrence_id: NullableTimestamp;
  detached: Generated<boolean>;
  group_id: number | null;
  state_code: string | null;
  kind: EventKind;
  title: string;
  description: Generated<string>;
  agenda: Generated<string>;
  language: Generated<string>;
  starts_at: Timestamp;
  ends_at: Timestamp;
  time_zone: string;
  location: Generated<string>;
  online_url: string | null;
  capacity: number | null;
  registration_deadline: NullableTimestamp;
  status: Generated<'scheduled' | 'cancelled'>;
  notes: Generated<string>;
  going_count: Generated<number>;
  maybe_count: Generated<number>;
  waitlist_count: Generated<number>;
  attended_count: Generated<number>;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  translations: ColumnType<Translations, Translations | string | undefined, Translations | string>;
}

export interface EventRegistrationsTable {
  event_id: number;
  user_id: number;
  response: RegistrationResponse;
  status: RegistrationStatus;
  waitlisted_at: NullableTimestamp;
  accommodations: Generated<string[]>;
  interpretation_language: Generated<string>;
  accommodation_notes: Generated<string>;
  attended: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type FollowupOutcome = 'used' | 'not_used' | 'not_yet' | 'dismissed' | 'skipped';
export interface UseFollowupsTable {
  id: Id;
  user_id: number;
  resource_id: number | null;
  event_id: number | null;
  trigger: 'download' | 'link' | 'attended';
  created_at: Timestamp;
  due_at: Timestamp;
  asked_at: NullableTimestamp;
  emailed_at: NullableTimestamp;
  answered_at: NullableTimestamp;
  outcome: ColumnType<FollowupOutcome | null, FollowupOutcome | null | undefined, FollowupOutcome | null>;
  use_report_id: ColumnType<number | null, number | null | undefined, number | null>;
}

export type ValueCycle = 'immediate' | 'potential' | 'applied' | 'realized' | 'reframing';
export type StoryAudience = 'group' | 'members' | 'public';
export type StoryLinkKind = 'thread' | 'resource' | 'event' | 'agenda_item';
export interface ValueStoriesTable {
  id: Id;
  author_id: number | null;
  group_id: number | null;
  title: string;
  body: string;
  language: Generated<string>;
  cycles: ValueCycle[];
  perspectives: Generated<string[]>;
  audience: StoryAudience;
  status: Generated<'pending' | 'approved' | 'returned'>;
  review_note: Generated<string>;
  reviewed_by: number | null;
  reviewed_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type Stance = 'agree' | 'abstain' | 'disagree' | 'block';
export interface DecisionsTable {
  id: Id;
  thread_id: number;
  kind: 'poll' | 'proposal';
  title: string;
  details: Generated<string>;
  multiple: Generated<boolean>;
  anonymous: Generated<boolean>;
  closes_at: Timestamp;
  closed_at: NullableTimestamp;
  outcome: string | null;
  agenda_item_id: number | null;
  created_by: number | null;
  created_at: Timestamp;
}
export interface DecisionVotesTable {
  decision_id: number;
  user_id: number;
  option_ids: Generated<number[]>;
  stance: Stance | null;
  reason: Generated<string>;
  perspectives: Generated<string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface Database {
  inbound_messages: { message_id: string; recipient: string; outcome: Generated<string>; post_id: number | null; received_at: Timestamp };
  held_posts: {
    id: Id;
    user_id: number;
    thread_id: number | null;
    reply_to_id: number | null;
    group_id: number | null;
    title: string | null;
    body: string;
    language: Generated<string>;
    reason: 'privacy' | 'jargon';
    created_at: Timestamp;
  };
  list_subscriptions: { user_id: number; group_id: number; created_at: Timestamp };
  list_deliveries: { post_id: number; user_id: number; sent_at: Timestamp };
  push_subscriptions: { id: Id; user_id: number; endpoint: string; p256dh: string; auth: string; label: Generated<string>; created_at: Timestamp; last_sent_at: NullableTimestamp };
  webhook_endpoints: {
    id: Id;
    owner_id: number;
    url: string;
    description: Generated<string>;
    events: string[];
    secret_sealed: string;
    include_private: Generated<boolean>;
    allow_private_network: Generated<boolean>;
    failure_count: Generated<number>;
    disabled_at: NullableTimestamp;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  webhook_deliveries: {
    id: Id;
    endpoint_id: number;
    event: string;
    message_id: string;
    payload: Json<Record<string, unknown>>;
    status: Generated<'pending' | 'delivered' | 'failed'>;
    attempts: Generated<number>;
    response_code: number | null;
    last_error: string | null;
    created_at: Timestamp;
    last_attempt_at: NullableTimestamp;
  };
  totp_recovery_codes: { id: Id; user_id: number; code_hash: string; used_at: NullableTimestamp; created_at: Timestamp };
  oidc_providers: {
    id: Id;
    slug: string;
    name: string;
    issuer: string;
    client_id: string;
    client_secret: string;
    scopes: Generated<string>;
    allow_signup: Generated<boolean>;
    organization_id: number | null;
    enabled: Generated<boolean>;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  user_identities: { provider_id: number; subject: string; user_id: number; created_at: Timestamp; last_used_at: Timestamp };
  account_requests: {
    id: Id;
    user_id: number | null;
    kind: 'export' | 'delete';
    status: Generated<'pending' | 'done' | 'failed' | 'expired'>;
    posts: 'anonymize' | 'erase' | null;
    file_name: string | null;
    token_hash: string | null;
    created_at: Timestamp;
    done_at: NullableTimestamp;
    expires_at: NullableTimestamp;
  };
  contact_requests: {
    id: Id;
    user_id: number | null;
    topic: 'safety' | 'accessibility' | 'account' | 'content' | 'other';
    body: string;
    status: Generated<'open' | 'closed'>;
    created_at: Timestamp;
    closed_at: NullableTimestamp;
    closed_by: number | null;
  };
  event_series: { id: Id; rrule: string; time_zone: string; starts_local: string; duration_minutes: number; created_by: number | null; created_at: Timestamp; updated_at: Timestamp };
  events: EventsTable;
  event_registrations: EventRegistrationsTable;
  event_resources: { event_id: number; resource_id: number; role: Generated<'recording' | 'slides' | 'notes' | 'other'> };
  calendar_feeds: { user_id: number; token_hash: string; created_at: Timestamp };
  event_reminders_sent: { event_id: number; user_id: number; kind: 'day' | 'hour'; starts_at: Timestamp; sent_at: Timestamp };
  engagement_daily: { day: ColumnType<string, string, string>; user_id: number; group_id: number; posted: number; replied: number; attended: number; shared: number; used: number };
  engagement_first: { user_id: number; first_day: ColumnType<string, string, string> };
  agenda_items: { id: Id; slug: string; title: string; description: Generated<string>; language: Generated<'en' | 'es'>; translations: ColumnType<Translations, Translations | string | undefined, Translations | string>; status: Generated<'proposed' | 'active' | 'achieved' | 'paused'>; position: Generated<number>; created_by: number | null; created_at: Timestamp; updated_at: Timestamp };
  agenda_why: { item_id: number; perspective: string; reason: string; translations: ColumnType<Translations, Translations | string | undefined, Translations | string> };
  agenda_owners: { item_id: number; organization_id: number };
  agenda_milestones: { id: Id; item_id: number; title: string; translations: ColumnType<Translations, Translations | string | undefined, Translations | string>; due_on: ColumnType<string | null, string | null | undefined, string | null>; percent: Generated<number>; created_at: Timestamp };
  agenda_updates: { id: Id; item_id: number; author_id: number | null; body: string; language: Generated<'en' | 'es'>; translations: ColumnType<Translations, Translations | string | undefined, Translations | string>; created_at: Timestamp; decision_id: ColumnType<number | null, number | null | undefined, number | null> };
  use_followups: UseFollowupsTable;
  value_stories: ValueStoriesTable;
  value_story_links: { story_id: number; kind: StoryLinkKind; target_id: number };
  decisions: DecisionsTable;
  decision_options: { id: Id; decision_id: number; position: number; label: string };
  decision_votes: DecisionVotesTable;
  agenda_priorities: { item_id: number; group_id: number; position: number };
  agenda_links: { id: Id; item_id: number; thread_id: number | null; resource_id: number | null };
  group_reviews: { id: Id; group_id: number; level: string; notes: Generated<string>; reviewed_by: number | null; created_at: Timestamp };
  glossary_terms: GlossaryTermsTable;
  glossary_definitions: { term_id: number; discipline: string; definition: string; definition_es: Generated<string> };
  resources: ResourcesTable;
  resource_organizations: { resource_id: number; organization_id: number };
  resource_groups: { resource_id: number; group_id: number };
  resource_files: ResourceFilesTable;
  collections: CollectionsTable;
  collection_items: { collection_id: number; resource_id: number; position: number; note: Generated<string> };
  share_links: ShareLinksTable;
  view_events: ViewEventsTable;
  daily_salts: { day: ColumnType<string, string, string>; salt: Buffer };
  reach_daily: ReachDailyTable;
  reach_monthly: { month: ColumnType<string, string, string>; resource_id: number; page_views: number; downloads: number; link_visits: number; unique_visitors: number };
  reach_monthly_links: { month: ColumnType<string, string, string>; link_id: number; visits: number; unique_visitors: number };
  reach_daily_links: { day: ColumnType<string, string, string>; link_id: number; visits: number; unique_visitors: number };
  dissemination_reports: DisseminationReportsTable;
  use_reports: UseReportsTable;
  reach_ledger: {
    source: string;
    resource_id: number;
    day: string;
    people: number;
    organization_id: number | null;
    state_initiative_id: number | null;
    states: string[];
    audiences: string[];
    entry_id: number | null;
  };
  threads: ThreadsTable;
  posts: PostsTable;
  post_revisions: PostRevisionsTable;
  post_reactions: PostReactionsTable;
  bookmarks: BookmarksTable;
  post_attachments: PostAttachmentsTable;
  conversations: ConversationsTable;
  conversation_members: ConversationMembersTable;
  conversation_messages: ConversationMessagesTable;
  conversation_reports: ConversationReportsTable;
  user_photos: UserPhotosTable;
  post_flags: PostFlagsTable;
  dialogue_questions: DialogueQuestionsTable;
  group_watches: GroupWatchesTable;
  thread_watches: ThreadWatchesTable;
  notifications: NotificationsTable;
  thread_links: ThreadLinksTable;
  thread_reads: ThreadReadsTable;
  recent_post_search: RecentPostSearchTable;
  read_horizons: ReadHorizonsTable;
  community: CommunityTable;
  member_translations: MemberTranslationsTable;
  member_translation_revisions: { translation_id: number; version: number; title: Generated<string>; body: string; edited_by: number | null; created_at: Timestamp };
  translation_requests: TranslationRequestsTable;
  organizations: OrganizationsTable;
  community_roles: CommunityRolesTable;
  users: UsersTable;
  user_organizations: UserOrganizationsTable;
  state_initiatives: StateInitiativesTable;
  state_initiative_contacts: StateInitiativeContactsTable;
  practice_groups: PracticeGroupsTable;
  group_priorities: GroupPrioritiesTable;
  group_memberships: GroupMembershipsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  email_tokens: EmailTokensTable;
  rate_limits: RateLimitsTable;
  idempotency_keys: IdempotencyKeysTable;
  audit_log: AuditLogTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Organization = Selectable<OrganizationsTable>;
export type PracticeGroup = Selectable<PracticeGroupsTable>;
export type StateInitiative = Selectable<StateInitiativesTable>;

export interface MemberTranslationsTable {
  id: Id;
  post_id: number | null;
  resource_id: number | null;
  language: 'en' | 'es';
  title: Generated<string>;
  body: string;
  source_version: Generated<number>;
  translated_by: number | null;
  corrected_by: number | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TranslationRequestsTable {
  id: Id;
  post_id: number | null;
  resource_id: number | null;
  language: 'en' | 'es';
  requested_by: number;
  created_at: Timestamp;
  fulfilled_at: NullableTimestamp;
}
