import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { unsubscribeToken } from '../../src/notifications/notify.js';
import { followupStopToken } from '../../src/value/followups.js';
import { listUnsubscribeToken } from '../../src/email/list-mode.js';
import { newSecret, sealSecret } from '../../src/webhooks/deliver.js';
import { seal } from '../../src/platform/auth/secrets.js';
import { currentCode } from '../../src/accounts/two-factor.js';
import { assertAccessible, assertPageBasics, checkPage, contextFor, startBrowserEnv, type BrowserEnv } from './harness.js';

/**
 * Every page template, checked in a real browser with axe: signed out, as a
 * member and as a facilitator, in English and Spanish; and its reflow at
 * 320 px wide. The HTML does not depend on the PostgreSQL engine, so the
 * runner gives browser files one engine only.
 * A new page is one line in PAGES; a GET route that renders HTML and is in
 * neither PAGES nor EXEMPT fails the coverage test below.
 */
type Who = 'anonymous' | 'member' | 'facilitator' | 'admin';
interface PageCase {
  route: string;
  url: (ids: Ids) => string;
  who: Who[];
  status?: number;
}
interface Ids {
  person: number;
  /** A post with a member's translation, and its thread. */
  translated: number;
  translatedThread: number;
  /** A post none of the signed-in accounts wrote, so each of them may report it. */
  reportable: number;
  /** A public post with reactions of more than one kind. */
  reacted: number;
  /** A private conversation the member is in, and a message in it by someone else. */
  conversation: number;
  conversationMessage: number;
  org: number;
  state: number;
  thread: number;
  post: number;
  guide: number;
  unsubscribe: string;
  /** A message the member sent by email that the privacy guard held, and a list-unsubscribe token. */
  held: number;
  listUnsubscribe: string;
  /** A webhook endpoint of the facilitator's, with one delivery logged. */
  webhook: number;
  resource: string;
  event: number;
  pastEvent: number;
  provider: number;
  groupMember: number;
  /** Evidence of value: a public story, one of the member's, the open proposal and the closed poll, the member's open question about use, its stop token, a thread for opening a decision. */
  story: number;
  ownStory: number;
  decision: number;
  closedPoll: number;
  followup: number;
  followupStop: string;
}

const ALL: Who[] = ['anonymous', 'member', 'facilitator'];
const SIGNED_IN: Who[] = ['member', 'facilitator'];
/** Pages whose content is the same for everyone: checked once, signed out (the shell's signed-in variants are covered by every other page). */
const STATIC: Who[] = ['anonymous'];
const PAGES: PageCase[] = [
  { route: '/', url: () => '/', who: ALL },
  { route: '/groups', url: () => '/groups', who: ALL },
  { route: '/groups/:slug', url: () => '/groups/families-in-partnership', who: ALL },
  { route: '/groups/new', url: () => '/groups/new', who: ['facilitator'] },
  { route: '/groups/:slug/members/:userId', url: (ids) => `/groups/families-in-partnership/members/${ids.groupMember}`, who: ['facilitator'] },
  { route: '/groups/:slug/edit', url: () => '/groups/families-in-partnership/edit', who: SIGNED_IN },
  { route: '/organizations', url: () => '/organizations', who: ALL },
  { route: '/organizations/:slug', url: () => '/organizations/csmh', who: ALL },
  { route: '/states', url: () => '/states', who: ALL },
  { route: '/states/:code', url: () => '/states/md', who: ALL },
  { route: '/people/:id', url: (ids) => `/people/${ids.person}`, who: ALL },
  { route: '/login', url: () => '/login', who: ['anonymous'] },
  { route: '/signup', url: () => '/signup', who: ['anonymous'] },
  { route: '/signup/sent', url: () => '/signup/sent', who: ['anonymous'] },
  { route: '/password/forgot', url: () => '/password/forgot', who: ['anonymous'] },
  { route: '/password/reset', url: () => '/password/reset?token=example-token', who: ['anonymous'] },
  { route: '/settings', url: () => '/settings', who: SIGNED_IN },
  { route: '/admin', url: () => '/admin', who: ['facilitator'] },
  { route: '/admin/community', url: () => '/admin/community', who: ['facilitator'] },
  { route: '/admin/organizations', url: () => '/admin/organizations', who: ['facilitator'] },
  { route: '/admin/organizations/new', url: () => '/admin/organizations/new', who: ['facilitator'] },
  { route: '/admin/organizations/:id', url: (ids) => `/admin/organizations/${ids.org}`, who: ['facilitator'] },
  { route: '/admin/states', url: () => '/admin/states', who: ['facilitator'] },
  { route: '/admin/states/new', url: () => '/admin/states/new', who: ['facilitator'] },
  { route: '/admin/states/:id', url: (ids) => `/admin/states/${ids.state}`, who: ['facilitator'] },
  { route: '/admin/groups', url: () => '/admin/groups', who: ['facilitator'] },
  { route: '/admin/people', url: () => '/admin/people', who: ['facilitator'] },
  { route: '/discussions', url: () => '/discussions', who: ALL },
  { route: '/discussions/new', url: () => '/discussions/new', who: SIGNED_IN },
  { route: '/groups/:slug/threads', url: () => '/groups/families-in-partnership/threads', who: ALL },
  { route: '/groups/:slug/threads/new', url: () => '/groups/families-in-partnership/threads/new', who: SIGNED_IN },
  { route: '/threads/:id', url: (ids) => `/threads/${ids.thread}`, who: ALL },
  { route: '/threads/:id', url: (ids) => `/threads/${ids.guide}`, who: ALL },
  { route: '/threads/:id/split', url: (ids) => `/threads/${ids.thread}/split`, who: ['facilitator'] },
  { route: '/threads/:id/move', url: (ids) => `/threads/${ids.thread}/move`, who: ['facilitator'] },
  { route: '/notifications', url: () => '/notifications', who: SIGNED_IN },
  { route: '/latest', url: () => '/latest', who: ALL },
  { route: '/dissemination/review', url: () => '/dissemination/review', who: ['facilitator'] },
  { route: '/new', url: () => '/new', who: SIGNED_IN },
  { route: '/unread', url: () => '/unread', who: SIGNED_IN },
  { route: '/settings/sessions', url: () => '/settings/sessions', who: SIGNED_IN },
  { route: '/agenda', url: () => '/agenda', who: ALL },
  { route: '/agenda/:slug', url: () => '/agenda/families-as-design-partners', who: ALL },
  { route: '/agenda/new', url: () => '/agenda/new', who: ['facilitator'] },
  { route: '/agenda/:slug/edit', url: () => '/agenda/families-as-design-partners/edit', who: ['facilitator'] },
  { route: '/glossary', url: () => '/glossary', who: ALL },
  { route: '/glossary', url: () => '/glossary?letter=I', who: ['anonymous'] },
  { route: '/glossary/:slug', url: () => '/glossary/iep', who: ALL },
  { route: '/glossary/suggest', url: () => '/glossary/suggest', who: SIGNED_IN },
  { route: '/glossary/review', url: () => '/glossary/review', who: ['facilitator'] },
  { route: '/glossary/:slug/edit', url: () => '/glossary/fba/edit', who: ['facilitator'] },
  { route: '/resources', url: () => '/resources', who: ALL },
  { route: '/resources', url: () => '/resources?q=families&kind=guide&audience=family', who: ['anonymous'] },
  { route: '/resources/new', url: () => '/resources/new', who: SIGNED_IN },
  { route: '/resources/:slug', url: (ids) => `/resources/${ids.resource}`, who: ALL },
  { route: '/resources/:slug/edit', url: (ids) => `/resources/${ids.resource}/edit`, who: ['facilitator'] },
  { route: '/resources/:slug/use', url: (ids) => `/resources/${ids.resource}/use`, who: ALL },
  { route: '/collections', url: () => '/collections', who: ALL },
  { route: '/collections/new', url: () => '/collections/new', who: ['facilitator'] },
  { route: '/collections/:slug', url: () => '/collections/family-engagement', who: ALL },
  { route: '/reach', url: () => '/reach', who: SIGNED_IN },
  { route: '/reach/report', url: () => '/reach/report', who: ['facilitator'] },
  { route: '/settings/notifications', url: () => '/settings/notifications', who: SIGNED_IN },
  { route: '/unsubscribe/:token', url: (ids) => `/unsubscribe/${ids.unsubscribe}`, who: ['anonymous'] },
  { route: '/posts/:id/edit', url: (ids) => `/posts/${ids.post}/edit`, who: SIGNED_IN },
  { route: '/posts/:id/history', url: (ids) => `/posts/${ids.post}/history`, who: ['facilitator'] },
  { route: '/posts/:id/report', url: (ids) => `/posts/${ids.reportable}/report`, who: SIGNED_IN },
  { route: '/posts/:id/reactions', url: (ids) => `/posts/${ids.reacted}/reactions`, who: ALL },
  { route: '/posts/:id/bookmark', url: (ids) => `/posts/${ids.reportable}/bookmark`, who: SIGNED_IN },
  { route: '/bookmarks', url: () => '/bookmarks', who: SIGNED_IN },
  { route: '/settings/by-email', url: () => '/settings/by-email', who: SIGNED_IN },
  { route: '/offline', url: () => '/offline', who: STATIC },
  { route: '/admin/members/import', url: () => '/admin/members/import', who: ['facilitator'] },
  { route: '/admin/webhooks', url: () => '/admin/webhooks', who: ['facilitator', 'admin'] },
  { route: '/admin/webhooks/new', url: () => '/admin/webhooks/new', who: ['facilitator', 'admin'] },
  { route: '/admin/webhooks/:id', url: (ids) => `/admin/webhooks/${ids.webhook}`, who: ['facilitator'] },
  { route: '/held', url: () => '/held', who: SIGNED_IN },
  { route: '/held/:id', url: (ids) => `/held/${ids.held}`, who: ['member'] },
  { route: '/unsubscribe/list/:token', url: (ids) => `/unsubscribe/list/${ids.listUnsubscribe}`, who: ['anonymous'] },
  { route: '/settings/photo', url: () => '/settings/photo', who: SIGNED_IN },
  { route: '/conversations', url: () => '/conversations', who: SIGNED_IN },
  { route: '/conversations', url: () => '/conversations?view=youth', who: ['facilitator'] },
  { route: '/conversations/new', url: () => '/conversations/new', who: SIGNED_IN },
  { route: '/conversations/:id', url: (ids) => `/conversations/${ids.conversation}`, who: ['member'] },
  { route: '/conversations/messages/:id/report', url: (ids) => `/conversations/messages/${ids.conversationMessage}/report`, who: ['member'] },
  { route: '/moderation/conversations', url: () => '/moderation/conversations', who: ['facilitator'] },
  { route: '/search', url: () => '/search?q=families%20meeting', who: ALL },
  { route: '/moderation', url: () => '/moderation', who: SIGNED_IN },
  { route: '/posts/:id/redact', url: (ids) => `/posts/${ids.post}/redact`, who: ['facilitator'] },
  { route: '/events', url: () => '/events', who: ALL },
  { route: '/events', url: () => '/events?view=month', who: ALL },
  { route: '/events', url: () => '/events?when=past&kind=annual_meeting', who: ['anonymous'] },
  { route: '/events/new', url: () => '/events/new', who: ['facilitator'] },
  { route: '/events/:id', url: (ids) => `/events/${ids.event}`, who: ALL },
  { route: '/events/:id', url: (ids) => `/events/${ids.pastEvent}`, who: ALL },
  { route: '/events/:id/edit', url: (ids) => `/events/${ids.event}/edit`, who: ['facilitator'] },
  { route: '/events/:id/organize', url: (ids) => `/events/${ids.event}/organize`, who: ['facilitator'] },
  { route: '/events/:id/organize', url: (ids) => `/events/${ids.pastEvent}/organize`, who: ['facilitator'] },
  { route: '/settings/calendar', url: () => '/settings/calendar', who: SIGNED_IN },
  { route: '/people', url: () => '/people', who: ALL },
  { route: '/people', url: () => '/people?perspective=family&state=OH&expertise=', who: ['member'] },
  { route: '/analytics', url: () => '/analytics', who: SIGNED_IN },
  { route: '/settings/two-factor', url: () => '/settings/two-factor', who: SIGNED_IN },
  { route: '/settings/data', url: () => '/settings/data', who: SIGNED_IN },
  { route: '/guidelines', url: () => '/guidelines', who: STATIC },
  { route: '/terms', url: () => '/terms', who: STATIC },
  { route: '/privacy', url: () => '/privacy', who: STATIC },
  { route: '/contact', url: () => '/contact', who: ALL },
  { route: '/admin/contact', url: () => '/admin/contact', who: ['facilitator'] },
  { route: '/admin/audit', url: () => '/admin/audit', who: ['facilitator'] },
  { route: '/admin/identity-providers', url: () => '/admin/identity-providers', who: ['admin'] },
  { route: '/admin/identity-providers/new', url: () => '/admin/identity-providers/new', who: ['admin'] },
  { route: '/admin/identity-providers/:id', url: (ids) => `/admin/identity-providers/${ids.provider}`, who: ['admin'] },
  { route: '/admin/retention', url: () => '/admin/retention', who: ['admin'] },
  // Evidence of value: each template once per variant that differs (visitor, author, reviewer, voter, closer).
  { route: '/stories', url: () => '/stories?cycle=applied', who: ['anonymous', 'facilitator'] },
  { route: '/groups/:slug/stories', url: () => '/groups/families-in-partnership/stories', who: ['member'] },
  { route: '/stories/new', url: () => '/stories/new?agenda=families-as-design-partners', who: ['member'] },
  { route: '/stories/:id', url: (ids) => `/stories/${ids.story}`, who: ['anonymous', 'facilitator'] },
  { route: '/stories/:id', url: (ids) => `/stories/${ids.ownStory}`, who: ['member'] },
  { route: '/stories/:id/edit', url: (ids) => `/stories/${ids.ownStory}/edit`, who: ['member'] },
  { route: '/stories/review', url: () => '/stories/review', who: ['facilitator'] },
  { route: '/decisions', url: () => '/decisions', who: ['anonymous'] },
  { route: '/decisions/:id', url: (ids) => `/decisions/${ids.decision}`, who: ALL },
  { route: '/decisions/:id', url: (ids) => `/decisions/${ids.closedPoll}`, who: ['anonymous'] },
  { route: '/threads/:id/decisions/new', url: (ids) => `/threads/${ids.thread}/decisions/new`, who: ['facilitator'] },
  { route: '/follow-ups', url: () => '/follow-ups', who: ['member'] },
  { route: '/translations', url: () => '/translations', who: SIGNED_IN },
  { route: '/translations/needed', url: () => '/translations/needed', who: ['facilitator'] },
  { route: '/posts/:id/translate', url: (ids) => `/posts/${ids.post}/translate`, who: ['facilitator'] },
  { route: '/posts/:id/translate', url: (ids) => `/posts/${ids.translated}/translate`, who: ['facilitator'] },
  { route: '/resources/:slug/translate', url: (ids) => `/resources/${ids.resource}/translate`, who: SIGNED_IN },
  { route: '/threads/:id', url: (ids) => `/threads/${ids.translatedThread}`, who: ALL },
  { route: '/follow-ups/:id', url: (ids) => `/follow-ups/${ids.followup}`, who: ['member'] },
  { route: '/follow-ups/stop/:token', url: (ids) => `/follow-ups/stop/${ids.followupStop}`, who: ['anonymous'] },
  { route: '(not found)', url: () => '/no-such-page', who: ['anonymous', 'member'], status: 404 },
];

/** GET routes without a page of their own, and why. */
const EXEMPT: Record<string, string> = {
  '/manifest.webmanifest': 'the web app manifest (JSON), checked by Chromium in app.test.ts',
  '/sw.js': 'the service worker script, run by Chromium in app.test.ts',
  '/icons/:file': 'the app icons (PNG)',
  '/language/:locale': 'sets a cookie and redirects back',
  '/verify': 'follows an emailed link, then redirects',
  '/login/link': 'follows an emailed one-time sign-in link, then redirects',
  '/settings/email/confirm': 'follows an emailed link, then redirects',
  '/healthz': 'JSON for load balancers',
  '/readyz': 'JSON for load balancers',
  '/api/openapi.json': 'JSON document',
  '/api/docs': 'third-party Swagger UI, not one of our page templates',
  '/groups/:slug/feed.atom': 'Atom XML for feed readers',
  '/discussions/feed.atom': 'Atom XML for feed readers',
  '/u/:handle': 'redirects an @mention to the profile page',
  '/attachments/:id/:name': 'a picture or file in a message, sent as itself (checked in attachments.test.ts and daily.test.ts)',
  '/people/:id/photo/:version': 'a profile photo, sent as an image (checked in photos.test.ts)',
  '/r/:code': 'a tracked share link: counts the visit, then redirects to the resource page',
  '/resources/:slug/files/:id': 'a file download (attachment), not a page',
  '/reach/ledger.csv': 'CSV download',
  '/resources/feed.atom': 'Atom XML for feed readers',
  '/reach/report.csv': 'CSV download',
  '/threads/:id/live': 'a server-sent event stream, no markup',
  '/events/:id/event.ics': 'iCalendar file for calendar programs',
  '/events/series/:id/series.ics': 'iCalendar file (a whole series) for calendar programs',
  '/events/calendar.ics': 'iCalendar feed for calendar programs',
  '/groups/:slug/calendar.ics': 'iCalendar feed for calendar programs',
  '/states/:code/calendar.ics': 'iCalendar feed for calendar programs',
  '/calendar/:file': 'a private iCalendar feed for calendar programs',
  '/events/:id/registrations.csv': 'CSV download',
  '/analytics/engagement.csv': 'CSV download',
  '/auth/oidc/:slug': 'sends the browser to the organization’s identity provider',
  '/auth/oidc/:slug/callback': 'the identity provider’s answer: signs in, then redirects',
  '/settings/data/download': 'a ZIP download',
  '/login/two-factor': 'needs a first sign-in step; checked in its own test below (set-up, recovery codes and the code prompt)',
  '/threads/:id/posts': 'new posts as an HTML fragment the thread page inserts (the same markup the thread page check covers)',
};

const ACCOUNTS: Record<Exclude<Who, 'anonymous'>, string> = {
  member: 'family@demo.convene.test',
  facilitator: 'facilitator@demo.convene.test',
  admin: 'admin@demo.convene.test',
};

let env: BrowserEnv;
let ids: Ids;
before(async () => {
  env = await startBrowserEnv({ inboundDomain: 'convene.test' });
  const person = await env.db.selectFrom('users').select('id').where('email', '=', 'schoolpsych@demo.convene.test').executeTakeFirstOrThrow();
  const org = await env.db.selectFrom('organizations').select('id').where('slug', '=', 'csmh').executeTakeFirstOrThrow();
  const state = await env.db.selectFrom('state_initiatives').select('id').where('state_code', '=', 'MD').executeTakeFirstOrThrow();
  const thread = await env.db.selectFrom('threads').select('id').where('title', 'like', 'Helping families prepare%').executeTakeFirstOrThrow();
  const post = await env.db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).where('is_opening', '=', true).executeTakeFirstOrThrow();
  // One edit, so the history page has a revision to show.
  await env.db.insertInto('post_revisions').values({ post_id: post.id, version: 1, body: 'An earlier draft.', edited_by: null, created_at: new Date() }).execute();
  await env.db.updateTable('posts').set({ version: 2, edited_at: new Date() }).where('id', '=', post.id).execute();
  // A report waiting in the queue.
  const reply = await env.db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).where('is_opening', '=', false).executeTakeFirstOrThrow();
  await env.db.insertInto('post_flags').values({ post_id: reply.id, flagger_id: person.id, reason: 'off_topic', note: 'Seems unrelated', created_at: new Date() }).execute();
  const guide = await env.db.selectFrom('threads').select('id').where('kind', '=', 'dialogue_guide').executeTakeFirstOrThrow();
  const resource = await env.db.selectFrom('resources').select('slug').where('title', 'like', 'Questions families can ask%').executeTakeFirstOrThrow();
  const event = await env.db.selectFrom('events').select('id').where('title', 'like', 'Families in Partnership%').orderBy('starts_at').executeTakeFirstOrThrow();
  const pastEvent = await env.db.selectFrom('events').select('id').where('title', 'like', 'Annual meeting session%').executeTakeFirstOrThrow();
  // An identity provider, so its admin page has something to edit.
  const provider = await env.db
    .insertInto('oidc_providers')
    .values({ slug: 'state-agency', name: 'State agency', issuer: 'https://login.agency.example', client_id: 'convene', client_secret: seal(env.app.deps.config.sessionSecret, 'secret') })
    .returning('id')
    .executeTakeFirstOrThrow();
  await env.db.insertInto('contact_requests').values({ user_id: person.id, topic: 'accessibility', body: 'The month view is hard to read with my screen magnifier.' }).execute();
  const groupMember = await env.db
    .selectFrom('group_memberships as m')
    .innerJoin('practice_groups as g', 'g.id', 'm.group_id')
    .select('m.user_id')
    .where('g.slug', '=', 'families-in-partnership')
    .where('m.status', '=', 'active')
    .where('m.role', '=', 'member')
    .orderBy('m.user_id')
    .executeTakeFirstOrThrow();
  const reportable = await env.db
    .selectFrom('posts as p')
    .innerJoin('users as u', 'u.id', 'p.author_id')
    .select('p.id')
    .where('p.thread_id', '=', thread.id)
    .where('u.email', 'not in', Object.values(ACCOUNTS))
    .orderBy('p.id')
    .executeTakeFirstOrThrow();
  const reacted = await env.db
    .selectFrom('post_reactions as r')
    .innerJoin('posts as p', 'p.id', 'r.post_id')
    .innerJoin('threads as t', 't.id', 'p.thread_id')
    .innerJoin('practice_groups as g', 'g.id', 't.group_id')
    .select('r.post_id')
    .where('g.visibility', '=', 'public')
    .groupBy('r.post_id')
    .having(sql`count(DISTINCT r.kind)`, '>', 1)
    .orderBy('r.post_id')
    .executeTakeFirstOrThrow();
  const conversation = await env.db
    .selectFrom('conversation_messages as m')
    .innerJoin('conversation_members as cm', 'cm.conversation_id', 'm.conversation_id')
    .innerJoin('users as me', 'me.id', 'cm.user_id')
    .select(['m.conversation_id', 'm.id'])
    .where('me.email', '=', ACCOUNTS.member)
    .where('m.author_id', '!=', sql<number>`me.id`)
    .orderBy('m.id')
    .executeTakeFirstOrThrow();
  const member = await env.db.selectFrom('users').select('id').where('email', '=', ACCOUNTS.member).executeTakeFirstOrThrow();
  const held = await env.db
    .insertInto('held_posts')
    .values({ user_id: member.id, thread_id: thread.id, reply_to_id: post.id, body: 'Jaylen in 3rd period at Lincoln Elementary has an IEP and keeps getting sent out.', reason: 'privacy', created_at: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  const families = await env.db.selectFrom('practice_groups').select('id').where('slug', '=', 'families-in-partnership').executeTakeFirstOrThrow();
  const facilitator = await env.db.selectFrom('users').select('id').where('email', '=', ACCOUNTS.facilitator).executeTakeFirstOrThrow();
  const webhook = await env.db
    .insertInto('webhook_endpoints')
    .values({ owner_id: facilitator.id, url: 'https://partner.example.org/hooks', description: 'State dashboard', events: ['resource.published', 'event.created'], secret_sealed: sealSecret(env.app.deps.config, newSecret()), created_at: new Date(), updated_at: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await env.db.insertInto('webhook_deliveries').values({ endpoint_id: webhook.id, event: 'resource.published', message_id: 'msg_resource_published_1', payload: JSON.stringify({}), status: 'delivered', attempts: 1, response_code: 204, created_at: new Date(), last_attempt_at: new Date() }).execute();
  const story = await env.db.selectFrom('value_stories').select('id').where('status', '=', 'approved').where('audience', '=', 'public').orderBy('id').executeTakeFirstOrThrow();
  const ownStory = await env.db.selectFrom('value_stories').select('id').where('author_id', '=', member.id).orderBy('id').executeTakeFirstOrThrow();
  const decision = await env.db.selectFrom('decisions').select('id').where('kind', '=', 'proposal').where('closed_at', 'is', null).orderBy('id').executeTakeFirstOrThrow();
  const closedPoll = await env.db.selectFrom('decisions').select('id').where('kind', '=', 'poll').where('closed_at', 'is not', null).orderBy('id').executeTakeFirstOrThrow();
  const translated = await env.db.selectFrom('member_translations as mt').innerJoin('posts as p', 'p.id', 'mt.post_id').select(['mt.post_id', 'p.thread_id']).orderBy('mt.id').executeTakeFirstOrThrow();
  const followup = await env.db.selectFrom('use_followups').select('id').where('user_id', '=', member.id).where('answered_at', 'is', null).where('asked_at', 'is not', null).orderBy('id').executeTakeFirstOrThrow();
  ids = { translated: translated.post_id!, translatedThread: translated.thread_id, story: story.id, ownStory: ownStory.id, decision: decision.id, closedPoll: closedPoll.id, followup: followup.id, followupStop: followupStopToken(env.app.deps.config.sessionSecret, member.id), webhook: webhook.id, held: held.id, listUnsubscribe: listUnsubscribeToken(env.app.deps.config.sessionSecret, member.id, families.id), conversation: conversation.conversation_id, conversationMessage: conversation.id, reacted: reacted.post_id, reportable: reportable.id, groupMember: groupMember.user_id, provider: provider.id, event: event.id, pastEvent: pastEvent.id, resource: resource.slug, person: person.id, org: org.id, state: state.id, thread: thread.id, post: post.id, guide: guide.id, unsubscribe: unsubscribeToken(env.app.deps.config.sessionSecret, person.id) };
});

describe('every page template', () => {
  test('every HTML GET route has a browser test or a stated exemption', () => {
    const covered = new Set(PAGES.map((p) => p.route));
    const missing = env.app.routeList
      .filter((r) => r.method === 'GET' && !r.url.startsWith('/api/v1/') && !r.url.startsWith('/assets/') && !r.url.startsWith('/api/docs'))
      .map((r) => r.url.replace(/\/$/, '') || '/')
      .filter((u) => !covered.has(u) && !(u in EXEMPT));
    assert.deepEqual([...new Set(missing)], []);
  });

  // Two accounts at a time (the axe runs are the long part of the suite, and the machine has two
  // cores); one test per account, both languages in turn, since signing in with a language sets the
  // account's. The tests after this suite run alone.
  describe('zero axe violations, two accounts at a time', { concurrency: 2 }, () => {
    for (const who of [...ALL, 'admin'] as const) {
      test(`${who}, en and es: zero axe violations on each page`, async () => {
        for (const locale of ['en', 'es'] as const) {
          const context = await contextFor(env, { email: who === 'anonymous' ? undefined : ACCOUNTS[who], locale });
          try {
            for (const p of PAGES.filter((x) => x.who.includes(who))) {
              const page = await checkPage(context, env.baseUrl + p.url(ids), { locale, status: p.status });
              await page.close();
            }
          } finally {
            await context.close();
          }
        }
      });
    }
  });

  test('at 320 px wide nothing scrolls sideways (facilitator, every page)', async () => {
    // Reflow only: the markup is the same as at 1,280 px, where axe has already run on it.
    const context = await contextFor(env, { email: ACCOUNTS.facilitator, width: 320 });
    try {
      for (const p of PAGES.filter((x) => x.who.includes('facilitator'))) {
        const page = await checkPage(context, env.baseUrl + p.url(ids), { status: p.status, axe: false });
        await page.close();
      }
    } finally {
      await context.close();
    }
  });

  test('the funder report prints on at most eight pages, its headline figure on one line, in both languages', async (t) => {
    // A busy year: many decisions with long outcomes, many public stories with long titles, and a
    // headline in the millions, so the report's bounds (not the demo's small size) keep it short.
    const thread = await env.db.selectFrom('threads').select('id').where('group_id', 'is', null).orderBy('id').executeTakeFirstOrThrow();
    const fac = await env.db.selectFrom('users').select('id').where('email', '=', ACCOUNTS.facilitator).executeTakeFirstOrThrow();
    for (let i = 0; i < 40; i++) {
      const at = new Date(Date.now() - (i + 1) * 5 * 86_400_000);
      await env.db.insertInto('decisions').values({ thread_id: thread.id, kind: i % 2 ? 'poll' : 'proposal', title: `Decision ${i + 1}: ${'whether the partnership should take up a longer question about its priorities '.repeat(4)}`.slice(0, 300), closes_at: at, closed_at: at, outcome: 'The partnership agreed after a long discussion. '.repeat(60), agenda_item_id: null, created_by: fac.id, created_at: at }).execute();
      await env.db.insertInto('value_stories').values({ author_id: fac.id, group_id: null, title: `Story ${i + 1}: ${'a long title about what changed for students and families '.repeat(3)}`.slice(0, 200), body: 'Text.', cycles: ['immediate', 'potential', 'applied', 'realized', 'reframing'], audience: 'public', status: 'approved', reviewed_by: fac.id, created_at: at, updated_at: at }).execute();
    }
    const resource = await env.db.insertInto('resources').values({ slug: 'a-widely-shared-guide', title: 'A widely shared guide', kind: 'guide', visibility: 'public', created_by: fac.id }).returning('id').executeTakeFirstOrThrow();
    await env.db.insertInto('reach_daily').values({ day: new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10), resource_id: resource.id, page_views: 3_000_000, downloads: 500_000, link_visits: 0, unique_visitors: 2_357_919 }).execute();
    const goal = (await env.db.selectFrom('community').select('reach_goal').executeTakeFirstOrThrow()).reach_goal;
    await env.db.updateTable('community').set({ reach_goal: 4_500_000 }).execute();
    try {
      for (const locale of ['en', 'es'] as const) {
        const context = await contextFor(env, { email: ACCOUNTS.facilitator, locale });
        const page = await context.newPage();
        const res = await page.goto(`${env.baseUrl}/reach/report`);
        assert.equal(res?.status(), 200);
        await assertAccessible(page, `funder report [${locale}]`);
        await page.emulateMedia({ media: 'print' });
        const figure = await page.evaluate(() => {
          const el = document.querySelector('.convene-report__figure')!;
          const range = document.createRange();
          range.selectNodeContents(el);
          return { text: el.textContent, lines: new Set(Array.from({ length: range.getClientRects().length }, (_, i) => Math.round(range.getClientRects()[i]!.top))).size };
        });
        assert.match(figure.text ?? '', /^2[.,]\d{3}[.,]\d{3}$/, `the headline figure [${locale}]`);
        assert.equal(figure.lines, 1, `the headline figure stays on one line in print [${locale}]`);
        const pdf = (await page.pdf({ format: 'Letter', printBackground: false })).toString('latin1');
        const pages = (pdf.match(/\/Type\s*\/Page[^s]/g) ?? []).length;
        assert.ok(pages >= 2 && pages <= 8, `printed pages [${locale}]: ${pages}`);
        t.diagnostic(`printed pages [${locale}]: ${pages}`);
        await context.close();
      }
    } finally {
      await env.db.deleteFrom('decisions').where('title', 'like', 'Decision %: whether%').execute();
      await env.db.deleteFrom('value_stories').where('title', 'like', 'Story %: a long title%').execute();
      await env.db.updateTable('community').set({ reach_goal: goal }).execute();
      await env.db.deleteFrom('reach_daily').where('resource_id', '=', resource.id).execute();
      await env.db.deleteFrom('resources').where('id', '=', resource.id).execute();
    }
  });

  test('the student-privacy warning is accessible and lets the author decide', async () => {
    const context = await contextFor(env, { email: ACCOUNTS.member });
    const page = await context.newPage();
    await page.goto(`${env.baseUrl}/threads/${ids.thread}`);
    await page.fill('#field-body', 'Jayden Morris in 7th grade was suspended twice.');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action$="/replies"] button[type=submit]')]);
    await page.waitForSelector('#field-acknowledge_privacy');
    await assertPageBasics(page, 'privacy warning', 'en');
    await assertAccessible(page, 'privacy warning');
    await page.click('label[for=field-acknowledge_privacy]');
    await Promise.all([page.waitForURL(/#post-\d+$/), page.click('form[action$="/replies"] button[type=submit]')]);
    await context.close();
  });

  test('two-factor set-up, recovery codes and the code prompt at sign-in are accessible, in both languages', async () => {
    for (const locale of ['en', 'es'] as const) {
      const email = `two-factor-${locale}@demo.convene.test`;
      await env.db.insertInto('users').values({ email, name: 'Robin Two-Factor', password_hash: (await env.db.selectFrom('users').select('password_hash').where('email', '=', ACCOUNTS.member).executeTakeFirstOrThrow()).password_hash, email_verified_at: new Date(), visibility: '{}', locale }).execute();
      const context = await contextFor(env, { email, locale });
      const page = await context.newPage();
      await page.goto(`${env.baseUrl}/settings/two-factor`);
      await Promise.all([page.waitForURL(/two-factor$/), page.click('form[action="/settings/two-factor/begin"] button')]);
      await page.waitForSelector('.convene-qr svg');
      await assertPageBasics(page, `two-factor set-up [${locale}]`, locale);
      await assertAccessible(page, `two-factor set-up [${locale}]`);
      const secret = (await page.textContent('.convene-secret'))!.replace(/\s+/g, '');
      await page.fill('#field-code', currentCode(secret));
      await Promise.all([page.waitForLoadState('load'), page.click('form[action="/settings/two-factor/enable"] button')]);
      await page.waitForSelector('.convene-codes');
      await assertAccessible(page, `recovery codes [${locale}]`);
      await context.close();

      const again = await env.browser.newContext({ extraHTTPHeaders: { 'accept-language': locale } });
      const login = await again.newPage();
      await login.goto(`${env.baseUrl}/login`);
      await login.fill('#field-email', email);
      await login.fill('#field-password', 'convene-demo-2026');
      await Promise.all([login.waitForURL(/\/login\/two-factor$/), login.click('form[action="/login"] button[type=submit]')]);
      await assertPageBasics(login, `code prompt [${locale}]`, locale);
      await assertAccessible(login, `code prompt [${locale}]`);
      await login.fill('#field-code', currentCode(secret, Date.now() + 30_000));
      await Promise.all([login.waitForURL((u) => u.pathname === '/'), login.click('form[action="/login/two-factor"] button[type=submit]')]);
      await again.close();
    }
  });

  test('a form with errors stays accessible and moves focus to the summary', async () => {
    const context = await contextFor(env);
    const page = await context.newPage();
    await page.goto(`${env.baseUrl}/signup`);
    await page.click('main button[type=submit]');
    await page.waitForSelector('#error-summary');
    await assertPageBasics(page, 'signup with errors', 'en');
    await assertAccessible(page, 'signup with errors');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'error-summary');
    assert.match(await page.title(), /^Error:/);
    await context.close();
  });
});
