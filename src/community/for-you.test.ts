import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

async function startThread(token: string, slug: string, title: string) {
  const res = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${slug}/threads`, headers: bearer(token), payload: { title, body: 'Words to open the thread.' } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as number;
}
async function event(groupId: number | null, title: string, onlineUrl: string) {
  const starts = new Date(Date.now() + 3 * 86_400_000);
  const row = await t.db
    .insertInto('events')
    .values({ uid: randomUUID(), kind: 'webinar', title, starts_at: starts, ends_at: new Date(starts.getTime() + 3_600_000), time_zone: 'America/New_York', group_id: groupId, online_url: onlineUrl })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

test("a signed-in person's home is for them: unread and new threads, replies to them, their convenings with the join link, their groups' new resources, groups to join; nothing they cannot read", async () => {
  const me = await buildUser(t.db, { name: 'Morgan Member' });
  const lead = await buildUser(t.db, { name: 'Lee Lead' });
  const stranger = await buildUser(t.db, { name: 'Sky Stranger' });
  const mine = await buildGroup(t.db, { leadId: lead.id, memberIds: [me.id], name: 'Capybara circle' });
  const secret = await buildGroup(t.db, { leadId: stranger.id, visibility: 'private', join_policy: 'invite', name: 'Hidden tapir room' });
  await buildGroup(t.db, { leadId: lead.id, name: 'Open quokka group' });
  const leadToken = await apiToken(t.app, lead.email);
  const myToken = await apiToken(t.app, me.email);
  const strangerToken = await apiToken(t.app, stranger.email);

  const read = await startThread(leadToken, mine.slug, 'Capybara planning');
  const agent = await new Agent(t.app).signIn(me.email);
  await agent.get(`/threads/${read}`);
  const myReply = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${read}/posts`, headers: bearer(myToken), payload: { body: 'My thoughts on planning.' } });
  assert.equal(myReply.statusCode, 201);
  const answer = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${read}/posts`, headers: bearer(leadToken), payload: { body: 'Thanks, that helps.', reply_to: myReply.json().id } });
  assert.equal(answer.statusCode, 201);
  await startThread(leadToken, mine.slug, 'Capybara new idea');
  await startThread(strangerToken, secret.slug, 'Tapir secret plan');

  const joined = await event(mine.id, 'Capybara webinar', 'https://meet.example.org/capybara');
  await t.db.insertInto('event_registrations').values({ event_id: joined, user_id: me.id, response: 'going', status: 'confirmed' }).execute();
  const hidden = await event(secret.id, 'Tapir webinar', 'https://meet.example.org/tapir');
  await t.db.insertInto('event_registrations').values({ event_id: hidden, user_id: stranger.id, response: 'going', status: 'confirmed' }).execute();
  const memo = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(leadToken), payload: { title: 'Capybara toolkit', kind: 'toolkit', summary: 'For the circle.', external_url: 'https://example.org/c', visibility: 'group', group: mine.slug } });
  assert.equal(memo.statusCode, 201, memo.body);

  // Notifications are written by the job queue.
  const drained = await t.jobs.drain();
  assert.equal(drained.failed, 0);
  const home = await agent.get('/');
  assert.equal(home.statusCode, 200);
  const text = textOf(home.body);
  assert.match(text, /For you/);
  assert.match(text, /Capybara planning — 1 new reply/);
  assert.match(text, /Capybara new idea/);
  assert.match(text, /Lee Lead replied in “Capybara planning”/);
  assert.match(text, /Capybara webinar/);
  assert.match(home.body, /href="https:\/\/meet\.example\.org\/capybara"/);
  assert.match(text, /Capybara toolkit/);
  assert.match(text, /Open quokka group/);
  assert.doesNotMatch(text, /Tapir|Hidden tapir/);
  assert.doesNotMatch(home.body, /meet\.example\.org\/tapir/);
  assert.equal(home.body.match(/<h1/g)?.length, 1);

  // Waitlisted: the convening shows, its join link does not.
  await t.db.updateTable('event_registrations').set({ status: 'waitlisted', waitlisted_at: new Date() }).where('event_id', '=', joined).where('user_id', '=', me.id).execute();
  const waiting = await agent.get('/');
  assert.match(textOf(waiting.body), /Capybara webinar .*on the waiting list/);
  assert.doesNotMatch(waiting.body, /meet\.example\.org\/capybara/);

  // In Spanish.
  await agent.get('/language/es?next=/');
  assert.match(textOf((await agent.get('/')).body), /Para usted/);
});

test("a visitor's home says what they can do and shows public activity only", async () => {
  const lead = await buildUser(t.db);
  const pub = await buildGroup(t.db, { leadId: lead.id, name: 'Public heron group' });
  const members = await buildGroup(t.db, { leadId: lead.id, visibility: 'members', name: 'Members ibis group' });
  const token = await apiToken(t.app, lead.email);
  await startThread(token, pub.slug, 'Heron open thread');
  await startThread(token, members.slug, 'Ibis members thread');
  const home = await t.app.inject('/');
  assert.equal(home.statusCode, 200);
  const text = textOf(home.body);
  assert.match(text, /What you can do here/);
  assert.match(text, /Heron open thread/);
  assert.doesNotMatch(text, /Ibis members thread/);
  assert.doesNotMatch(text, /For you/);
});

test('a large community: the home shows the busiest groups the person may see and suggests the busiest they may join, never a group hidden from them', async () => {
  const own = await buildTestApp();
  await own.db.insertInto('community').values({ id: 1, name: 'Sized community' }).onConflict((oc) => oc.column('id').doNothing()).execute();
  const me = await buildUser(own.db, { name: 'Sam Sizes' });
  const lead = await buildUser(own.db, { name: 'Lou Lead' });
  const sized = async (name: string, count: number, over: Parameters<typeof buildGroup>[1] = {}) => {
    const g = await buildGroup(own.db, { leadId: lead.id, name, ...over });
    await own.db.updateTable('practice_groups').set({ member_count: count }).where('id', '=', g.id).execute();
    return g;
  };
  // 26 open groups (more than twice the twelve a large community's home shows), sizes 101–126.
  for (let i = 1; i <= 26; i++) await sized(`Size group ${String(i).padStart(2, '0')}`, 100 + i);
  const hidden = await sized('Hidden giant', 99_999, { visibility: 'private', join_policy: 'invite' });
  const archived = await sized('Archived whale', 88_888);
  await own.db.updateTable('practice_groups').set({ archived_at: new Date() }).where('id', '=', archived.id).execute();
  const mine = await sized('My big group', 50_000, { memberIds: [me.id] });
  await sized('Invite-only heron', 40_000, { join_policy: 'invite' });
  const agent = await new Agent(own.app).signIn(me.email);
  const sectionOf = (html: string, marker: string) => {
    const at = html.indexOf(marker);
    assert.ok(at >= 0, `the page has ${marker}`);
    return textOf(html.slice(at, html.indexOf('</section>', at)));
  };
  const namesIn = (text: string) => [...text.matchAll(/My big group|Invite-only heron|Size group \d\d|Hidden giant|Archived whale/g)].map((m) => m[0]);

  const home = (await agent.get('/')).body;
  const expectedBusiest = ['My big group', 'Invite-only heron', ...Array.from({ length: 10 }, (_, i) => `Size group ${26 - i}`)];
  assert.deepEqual(namesIn(sectionOf(home, 'id="groups-title"')), expectedBusiest, 'the twelve busiest the person may see, largest first');
  assert.deepEqual(namesIn(sectionOf(home, 'id="fy-groups"')), ['Size group 26', 'Size group 25', 'Size group 24'], 'suggestions skip their own group and one they cannot join');
  assert.doesNotMatch(textOf(home), /Hidden giant|Archived whale/);

  // A member of the private group sees it first; a visitor sees the public groups only.
  await own.db.insertInto('group_memberships').values({ group_id: hidden.id, user_id: me.id, role: 'member', status: 'active' }).execute();
  const insider = (await agent.get('/')).body;
  assert.deepEqual(namesIn(sectionOf(insider, 'id="groups-title"')).slice(0, 2), ['Hidden giant', 'My big group']);
  const visitor = (await own.app.inject('/')).body;
  assert.deepEqual(namesIn(sectionOf(visitor, 'id="groups-title"')), expectedBusiest);
  // Leaving their own group makes it the first suggestion.
  await own.db.deleteFrom('group_memberships').where('group_id', '=', mine.id).where('user_id', '=', me.id).execute();
  assert.deepEqual(namesIn(sectionOf((await agent.get('/')).body, 'id="fy-groups"')), ['My big group', 'Size group 26', 'Size group 25']);
});
