import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

async function publish(fields: Record<string, string>) {
  const fac = await buildUser(t.db, { role: 'facilitator' });
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/glossary/suggestions', headers: bearer(await apiToken(t.app, fac.email)), payload: fields });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.json().status, 'published');
  t.app.glossary.invalidate();
  return res.json().slug as string;
}

describe('the glossary', () => {
  test('members suggest; suggestions stay private until a facilitator publishes; published terms are listed, searched and shown with their perspectives', async () => {
    const member = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(member.email);
    const form = await agent.get('/glossary/suggest?term=FBA');
    assert.match(form.body, /name="acronym"[^>]*value="FBA"/);
    const res = await agent.post('/glossary/suggest', {
      term: 'Functional Behavioral Assessment',
      acronym: 'FBA',
      plain_definition: 'Working out why a behavior happens.',
      def_education: 'Done by the school team.',
      def_mental_health: 'Like a functional analysis.',
      term_es: 'Evaluación funcional de la conducta',
    });
    assert.equal(res.statusCode, 303);
    const slug = String(res.headers.location).replace('/glossary/', '');
    assert.equal(slug, 'fba');
    // Not public yet.
    assert.equal((await t.app.inject(`/glossary/${slug}`)).statusCode, 404);
    assert.equal((await agent.get(`/glossary/${slug}`)).statusCode, 200, 'the author sees their suggestion');
    assert.doesNotMatch((await t.app.inject('/glossary')).body, /Functional Behavioral Assessment/);
    // A second suggestion of the same term is a field error.
    const dup = await agent.post('/glossary/suggest', { term: 'functional behavioral assessment', plain_definition: 'again' });
    assert.equal(dup.statusCode, 400);
    assert.match(dup.body, /already in the glossary/);
    // Members cannot publish; facilitators can.
    assert.equal((await agent.post(`/glossary/${slug}/review`, { status: 'published' })).statusCode, 403);
    const fac = await new Agent(t.app).signIn((await buildUser(t.db, { role: 'facilitator' })).email);
    assert.match((await fac.get('/glossary/review')).body, /Functional Behavioral Assessment/);
    assert.equal((await fac.post(`/glossary/${slug}/review`, { status: 'published' })).statusCode, 303);
    const page = await t.app.inject(`/glossary/${slug}`);
    assert.equal(page.statusCode, 200);
    const text = textOf(page.body);
    assert.match(text, /Education\s+Done by the school team\./);
    assert.match(text, /Mental health\s+Like a functional analysis\./);
    assert.match(page.body, /lang="es"/);
    const list = await t.app.inject('/glossary?letter=F');
    assert.match(list.body, /FBA — Functional Behavioral Assessment/);
    const api = await t.app.inject('/api/v1/glossary?q=behavioral');
    assert.ok(api.json().terms.some((x: { slug: string }) => x.slug === 'fba'));
    const one = await t.app.inject(`/api/v1/glossary/${slug}`);
    assert.equal(one.json().definitions.length, 2);
    const search = await t.app.inject('/search?q=functional%20behavioral');
    assert.match(search.body, /In the glossary[\s\S]*FBA — Functional Behavioral Assessment/);
  });

  test('bad input and permissions: empty definition, bad acronym, anonymous suggestions, editing by members', async () => {
    const member = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(member.email);
    const bad = await agent.post('/glossary/suggest', { term: 'X', acronym: 'not an acronym!', plain_definition: '' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /field-acronym-error/);
    assert.match(bad.body, /field-plain_definition-error/);
    assert.equal((await t.app.inject('/glossary/suggest')).statusCode, 303);
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/glossary/suggestions', payload: { term: 'A', plain_definition: 'b' } })).statusCode, 401);
    const slug = await publish({ term: 'Wraparound planning', plain_definition: 'Team planning around a family.' });
    assert.equal((await agent.get(`/glossary/${slug}/edit`)).statusCode, 403);
    assert.equal((await agent.post(`/glossary/${slug}/edit`, { term: 'Hijack', plain_definition: 'x' })).statusCode, 403);
    assert.equal((await t.app.inject('/glossary?letter=ab')).statusCode, 400);
  });

  test('published terms are marked up in posts, resources and group missions; the mark-up links to the entry', async () => {
    await publish({ term: 'Positive Behavioral Interventions and Supports', acronym: 'PBIS', plain_definition: 'A school-wide behavior framework.' });
    const lead = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id });
    await t.db.updateTable('practice_groups').set({ mission: 'We spread PBIS to every school.' }).where('id', '=', g.id).execute();
    const token = await apiToken(t.app, lead.email);
    const thread = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token), payload: { title: 'PBIS in high schools', body: 'Has anyone scaled PBIS in a high school? Our `PBIS` data tool is old.' } });
    const id = thread.json().id;
    await t.app.inject({ method: 'POST', url: `/api/v1/threads/${id}/posts`, headers: bearer(token), payload: { body: 'Yes, PBIS worked for us.' } });
    const page = await t.app.inject(`/threads/${id}`);
    const marks = page.body.match(/class="convene-term" href="\/glossary\/pbis"/g) ?? [];
    assert.equal(marks.length, 1, 'first occurrence on the page only');
    assert.match(page.body, /<code>PBIS<\/code>/);
    assert.match(page.body, /<h1 class="convene-title">PBIS in high schools<\/h1>/, 'headings untouched');
    const group = await t.app.inject(`/groups/${g.slug}`);
    assert.match(group.body, /We spread <a class="convene-term" href="\/glossary\/pbis"/);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(token), payload: { title: 'Guide', kind: 'guide', summary: 'How PBIS teams meet.', external_url: 'https://example.org/g' } });
    const rpage = await t.app.inject(`/resources/${res.json().slug}`);
    assert.match(rpage.body, /How <a class="convene-term" href="\/glossary\/pbis" data-term="pbis"><abbr title="Positive Behavioral Interventions and Supports">PBIS<\/abbr><\/a> teams meet\./);
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const item = await t.app.inject({ method: 'POST', url: '/api/v1/agenda', headers: bearer(await apiToken(t.app, fac.email)), payload: { title: 'Scale up', description: 'Bring PBIS to every district.' } });
    const apage = await t.app.inject(`/agenda/${item.json().slug}`);
    assert.match(apage.body, /Bring <a class="convene-term" href="\/glossary\/pbis"/);
    // The API keeps the author's HTML as written.
    const api = await t.app.inject(`/api/v1/threads/${id}`);
    assert.doesNotMatch(api.body, /convene-term/);
  });

  test('the jargon check asks before publishing to families or youth, offers to suggest unknown acronyms, and lets the author publish as is', async () => {
    await publish({ term: 'Multi-Tiered System of Supports', acronym: 'MTSS', plain_definition: 'Layers of support.' });
    const author = await buildUser(t.db);
    const token = await apiToken(t.app, author.email);
    const payload = { title: 'Family guide', kind: 'guide', summary: 'How MTSS and the SST work for your child.', audiences: ['family'], external_url: 'https://example.org/j' };
    const asked = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(token), payload });
    assert.equal(asked.statusCode, 422);
    assert.equal(asked.json().error.code, 'jargon_check');
    assert.match(asked.json().error.fields.acknowledge_jargon, /used without explanation: MTSS/);
    assert.match(asked.json().error.fields.acknowledge_jargon, /not in the glossary: SST/);
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(token), payload: { ...payload, acknowledge_jargon: true } });
    assert.equal(ok.statusCode, 201);
    // Spelled out, the acronym is explained; for professionals only, nothing is asked.
    const spelled = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(token), payload: { ...payload, title: 'Spelled out', summary: 'A Multi-Tiered System of Supports (MTSS) gives layers of help.' } });
    assert.equal(spelled.statusCode, 201);
    const pros = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(token), payload: { ...payload, title: 'For staff', audiences: ['educator'] } });
    assert.equal(pros.statusCode, 201);

    // In a family-led group, the reply form shows the check with a link to suggest the unknown acronym.
    const lead = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id });
    await t.db.updateTable('practice_groups').set({ led_by: 'family' }).where('id', '=', g.id).execute();
    const agent = await new Agent(t.app).signIn(lead.email);
    const form = await agent.post(`/groups/${g.slug}/threads`, { title: 'Our SST meetings', body: 'What happens at the SST?' });
    assert.equal(form.statusCode, 422);
    assert.match(form.body, /href="\/glossary\/suggest\?term=SST"/);
    assert.match(form.body, /name="acknowledge_jargon"/);
    const posted = await agent.post(`/groups/${g.slug}/threads`, { title: 'Our SST meetings', body: 'What happens at the SST?', acknowledge_jargon: 'true' });
    assert.equal(posted.statusCode, 303);
  });
});
