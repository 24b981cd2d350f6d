import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, apiToken, bearer, buildGroup, buildOrganization, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';
import { PNG_1PX, makePdf, multipart } from '../../test/fixtures.js';
import { rebuildMonths, rollupReach, reachSummary } from '../reach/ledger.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

const BROWSER = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36' };

/** Posts a multipart form as a signed-in agent (CSRF token from the form page). */
async function postForm(agent: Agent, url: string, fields: Record<string, string | string[]>, files: Parameters<typeof multipart>[1] = []) {
  const csrf = await agent.csrf('/resources/new');
  const body = multipart({ _csrf: csrf, ...fields }, files);
  return agent.raw({ method: 'POST', url, payload: body.payload, headers: body.headers });
}

async function resourceBySlug(slug: string) {
  return t.db.selectFrom('resources').selectAll().where('slug', '=', slug).executeTakeFirstOrThrow();
}

const slugOf = (location: unknown) => String(location).replace('/resources/', '');

describe('adding resources', () => {
  test('a member uploads a PDF; the page, the download and full-text search over the file all work', async () => {
    const member = await buildUser(t.db, { name: 'Uma Uploader' });
    const agent = await new Agent(t.app).signIn(member.email);
    const res = await postForm(
      agent,
      '/resources',
      { title: 'Attendance and belonging brief', kind: 'brief', summary: 'Why students who feel they belong come to school.', audiences: ['family', 'educator'], topics: 'attendance, belonging', evidence_level: 'promising', visibility: 'public', _idem: 'upload-key-0001' },
      [{ field: 'file', filename: 'brief.pdf', contentType: 'application/pdf', data: makePdf('Chronic absenteeism falls when families hear early') }],
    );
    assert.equal(res.statusCode, 303, res.body);
    const slug = slugOf(res.headers.location);
    const r = await resourceBySlug(slug);
    assert.deepEqual(r.topics, ['attendance', 'belonging']);
    assert.equal(r.review_status, 'unreviewed', 'only facilitators mark a resource reviewed');
    const page = await t.app.inject({ url: `/resources/${slug}`, headers: BROWSER });
    assert.equal(page.statusCode, 200);
    assert.match(textOf(page.body), /Why students who feel they belong come to school\./);
    const file = await t.db.selectFrom('resource_files').selectAll().where('resource_id', '=', r.id).executeTakeFirstOrThrow();
    assert.equal(file.content_type, 'application/pdf');
    const dl = await t.app.inject({ url: `/resources/${slug}/files/${file.id}`, headers: BROWSER });
    assert.equal(dl.statusCode, 200);
    assert.match(String(dl.headers['content-disposition']), /^attachment; filename="brief\.pdf"/);
    assert.equal(dl.headers['x-content-type-options'], 'nosniff');
    assert.ok(dl.rawPayload.subarray(0, 5).equals(Buffer.from('%PDF-')));

    // Searching for words that are only inside the PDF finds it once the extraction job has run.
    const before = await t.app.inject('/api/v1/resources?q=absenteeism');
    assert.equal(before.json().total, 0);
    const drained = await t.jobs.drain();
    assert.equal(drained.failed, 0, drained.errors.map((e) => e.message).join('; '));
    const after = await t.app.inject('/api/v1/resources?q=absenteeism');
    assert.equal(after.json().total, 1);
    assert.equal(after.json().resources[0].slug, slug);

    const feed = await t.app.inject('/resources/feed.atom');
    assert.match(String(feed.headers['content-type']), /application\/atom\+xml/);
    assert.match(feed.body, /Attendance and belonging brief/);

    // A double submit of the same form made one resource.
    const again = await postForm(agent, '/resources', { title: 'Attendance and belonging brief', kind: 'brief', summary: 'x', audiences: ['family'], external_url: 'https://example.org/x', _idem: 'upload-key-0001' });
    assert.equal(again.statusCode, 303);
    assert.equal(slugOf(again.headers.location), slug);
  });

  test('bad input: missing summary for families, no file or link, disguised and oversized files, images without alt text; nothing is written', async () => {
    const member = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(member.email);
    const count = async () => Number((await t.db.selectFrom('resources').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const n0 = await count();
    const base = { title: 'Bad one', kind: 'guide' };
    const noSummary = await postForm(agent, '/resources', { ...base, audiences: 'youth', external_url: 'https://example.org' });
    assert.equal(noSummary.statusCode, 400);
    assert.match(noSummary.body, /plain-language summary/);
    const nothing = await postForm(agent, '/resources', base);
    assert.equal(nothing.statusCode, 400);
    assert.match(nothing.body, /Give a file, a link, or both/);
    const html = await postForm(agent, '/resources', base, [{ field: 'file', filename: 'report.pdf', contentType: 'application/pdf', data: Buffer.from('<html><script>alert(1)</script></html>') }]);
    assert.equal(html.statusCode, 400);
    assert.match(html.body, /cannot be uploaded/);
    const svg = await postForm(agent, '/resources', base, [{ field: 'file', filename: 'chart.png', contentType: 'image/png', data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>') }]);
    assert.equal(svg.statusCode, 400);
    const exe = await postForm(agent, '/resources', base, [{ field: 'file', filename: 'tool.docx', contentType: 'application/octet-stream', data: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 1)]) }]);
    assert.equal(exe.statusCode, 400);
    const filesBefore = Number((await t.db.selectFrom('resource_files').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const uploadsDir = (await import('node:path')).join(t.config.dataDir, 'uploads');
    const { existsSync, readdirSync } = await import('node:fs');
    const onDisk = () => (existsSync(uploadsDir) ? readdirSync(uploadsDir, { recursive: true }).length : 0);
    const diskBefore = onDisk();
    const image = await postForm(agent, '/resources', { ...base, kind: 'infographic' }, [{ field: 'file', filename: 'chart.png', contentType: 'image/png', data: PNG_1PX }]);
    assert.equal(image.statusCode, 400);
    assert.match(image.body, /Describe the image/);
    assert.equal(onDisk(), diskBefore, 'a refused upload leaves nothing on disk');
    assert.equal(Number((await t.db.selectFrom('resource_files').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n), filesBefore);
    const big = await postForm(agent, '/resources', base, [{ field: 'file', filename: 'big.txt', contentType: 'text/plain', data: Buffer.alloc(26 * 1024 * 1024, 97) }]);
    assert.equal(big.statusCode, 413);
    const script = await postForm(agent, '/resources', { ...base, title: '<script>alert(1)</script>', external_url: 'javascript:alert(1)' });
    assert.equal(script.statusCode, 400, 'javascript: links are refused');
    assert.equal(await count(), n0);
  });

  test('a new file is a new version; the old one stays downloadable; others cannot edit', async () => {
    const owner = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(owner.email);
    const res = await postForm(agent, '/resources', { title: 'Versioned guide', kind: 'guide', visibility: 'public' }, [{ field: 'file', filename: 'v1.txt', contentType: 'text/plain', data: Buffer.from('first edition') }]);
    const slug = slugOf(res.headers.location);
    const edit = await postForm(agent, `/resources/${slug}/edit`, { title: 'Versioned guide', kind: 'guide', visibility: 'public' }, [{ field: 'file', filename: 'v2.txt', contentType: 'text/plain', data: Buffer.from('second edition') }]);
    assert.equal(edit.statusCode, 303, edit.body);
    const r = await resourceBySlug(slug);
    const files = await t.db.selectFrom('resource_files').select(['id', 'version']).where('resource_id', '=', r.id).orderBy('version').execute();
    assert.deepEqual(files.map((f) => f.version), [1, 2]);
    const old = await t.app.inject(`/resources/${slug}/files/${files[0]!.id}`);
    assert.equal(old.body, 'first edition');
    assert.equal(r.review_status, 'unreviewed');
    await t.db.updateTable('resources').set({ review_status: 'reviewed' }).where('id', '=', r.id).execute();
    await postForm(agent, `/resources/${slug}/edit`, { title: 'Versioned guide, revised', kind: 'guide', visibility: 'public' });
    assert.equal((await resourceBySlug(slug)).review_status, 'unreviewed', "an author's change goes back to review");
    const other = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    assert.equal((await other.get(`/resources/${slug}/edit`)).statusCode, 403);
    assert.equal((await other.post(`/resources/${slug}/delete`)).statusCode, 403);
  });

  test('the API adds a resource from JSON and returns it', async () => {
    const u = await buildUser(t.db);
    const token = await apiToken(t.app, u.email);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(token), payload: { title: 'Linked toolkit', kind: 'toolkit', external_url: 'https://example.org/toolkit', audiences: ['educator'] } });
    assert.equal(res.statusCode, 201, res.body);
    const got = await t.app.inject(`/api/v1/resources/${res.json().id}`);
    assert.equal(got.statusCode, 200);
    assert.equal(got.json().external_url, 'https://example.org/toolkit');
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(token), payload: { title: '', kind: 'poster' } });
    assert.equal(bad.statusCode, 400);
    assert.ok(bad.json().error.fields.title && bad.json().error.fields.kind);
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/resources', payload: { title: 'x', kind: 'brief' } })).statusCode, 401);
  });
});

describe('who sees what', () => {
  test('members-only and group resources stay invisible to outsiders everywhere: page, library, API, files, links, collections', async () => {
    const lead = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, visibility: 'private' });
    const leadAgent = await new Agent(t.app).signIn(lead.email);
    const members = await postForm(leadAgent, '/resources', { title: 'Members only memo', kind: 'brief', visibility: 'members' }, [{ field: 'file', filename: 'memo.txt', contentType: 'text/plain', data: Buffer.from('zanzibar members memo') }]);
    const grp = await postForm(leadAgent, '/resources', { title: 'Group only notes', kind: 'brief', visibility: 'group', group: g.slug, external_url: 'https://example.org/notes' });
    assert.equal(grp.statusCode, 303, grp.body);
    const mSlug = slugOf(members.headers.location);
    const gSlug = slugOf(grp.headers.location);
    await t.jobs.drain();

    // Anonymous: nothing.
    assert.equal((await t.app.inject(`/resources/${mSlug}`)).statusCode, 404);
    const mr = await resourceBySlug(mSlug);
    const file = await t.db.selectFrom('resource_files').select('id').where('resource_id', '=', mr.id).executeTakeFirstOrThrow();
    assert.equal((await t.app.inject(`/resources/${mSlug}/files/${file.id}`)).statusCode, 404);
    assert.equal((await t.app.inject(`/api/v1/resources/${mr.id}`)).statusCode, 404);
    assert.doesNotMatch((await t.app.inject('/resources?q=zanzibar')).body, /Members only memo/);
    assert.equal((await t.app.inject('/api/v1/resources?q=zanzibar')).json().total, 0);
    assert.doesNotMatch((await t.app.inject('/resources/feed.atom')).body, /Members only memo|Group only notes/);
    assert.doesNotMatch((await t.app.inject('/search?q=zanzibar')).body, /Members only memo/);

    // A signed-in member who is not in the group sees the members resource but not the group one.
    const outsider = await buildUser(t.db);
    const o = await new Agent(t.app).signIn(outsider.email);
    assert.equal((await o.get(`/resources/${mSlug}`)).statusCode, 200);
    assert.equal((await o.get(`/resources/${gSlug}`)).statusCode, 404);
    assert.doesNotMatch((await o.get('/resources')).body, /Group only notes/);
    const oToken = await apiToken(t.app, outsider.email);
    assert.ok(!(await t.app.inject({ url: '/api/v1/resources', headers: bearer(oToken) })).json().resources.some((x: { slug: string }) => x.slug === gSlug));
    // A public resource filed under the private group does not name the group to outsiders anywhere.
    const groupName = (await t.db.selectFrom('practice_groups').select('name').where('id', '=', g.id).executeTakeFirstOrThrow()).name;
    const filed = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(await apiToken(t.app, lead.email)), payload: { title: 'Filed publicly', kind: 'brief', external_url: 'https://example.org/f', groups: [g.slug] } });
    assert.equal(filed.statusCode, 201, filed.body);
    assert.doesNotMatch((await o.get(`/resources/${filed.json().slug}`)).body, new RegExp(groupName));
    assert.doesNotMatch((await o.get('/resources')).body, new RegExp(groupName));
    assert.match((await leadAgent.get(`/resources/${filed.json().slug}`)).body, new RegExp(groupName));
    const privateCollection = await leadAgent.post('/collections', { title: 'Private group picks', group: g.slug });
    assert.equal(privateCollection.statusCode, 303);
    assert.doesNotMatch((await o.get('/collections')).body, /Private group picks/);
    assert.equal((await o.get(String(privateCollection.headers.location))).statusCode, 404);
    assert.equal((await o.get(`/reach?group=${g.slug}`)).statusCode, 400);

    // The lead sees both, in the library, the site search and the group page.
    assert.equal((await leadAgent.get(`/resources/${gSlug}`)).statusCode, 200);
    assert.match((await leadAgent.get('/search?q=zanzibar')).body, /Members only memo/);
    assert.match((await leadAgent.get(`/groups/${g.slug}`)).body, /Group only notes|Members only memo|Filed publicly/);

    // A share link to the members resource does not open it for the public.
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const org = await buildOrganization(t.db);
    const facToken = await apiToken(t.app, fac.email);
    const link = await t.app.inject({ method: 'POST', url: `/api/v1/resources/${mr.id}/links`, headers: bearer(facToken), payload: { partner: `org:${org.id}` } });
    assert.equal(link.statusCode, 201);
    assert.equal((await t.app.inject(`/r/${link.json().code}`)).statusCode, 404);

    // In a collection, the outsider does not see the group resource.
    const facAgent = await new Agent(t.app).signIn(fac.email);
    const c = await facAgent.post('/collections', { title: 'Mixed collection', description: '' });
    assert.equal(c.statusCode, 303);
    const cSlug = String(c.headers.location).replace('/collections/', '');
    const gr = await resourceBySlug(gSlug);
    assert.equal((await facAgent.post(`/collections/${cSlug}/items`, { action: 'add', resource: String(gr.id) })).statusCode, 303);
    assert.doesNotMatch((await o.get(`/collections/${cSlug}`)).body, /Group only notes/);
    assert.match((await leadAgent.get(`/collections/${cSlug}`)).body, /Group only notes/);
  });

  test('a member cannot limit a resource to a group they are not in', async () => {
    const u = await buildUser(t.db);
    const other = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: other.id });
    const agent = await new Agent(t.app).signIn(u.email);
    const res = await postForm(agent, '/resources', { title: 'Sneaky', kind: 'brief', visibility: 'group', group: g.slug, external_url: 'https://example.org' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /group you belong to/);
  });
});

describe('the library', () => {
  test('facets filter, count and combine; sorting and paging hold', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const token = await apiToken(t.app, fac.email);
    const mk = (title: string, kind: string, audiences: string[], language = 'en') =>
      t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(token), payload: { title, kind, audiences, language, summary: 'Facet test resource', external_url: 'https://example.org/f' } });
    await mk('Facet alpha', 'toolkit', ['educator']);
    await mk('Facet beta', 'toolkit', ['family']);
    await mk('Facet gamma', 'video', ['family'], 'es');
    const all = await t.app.inject('/api/v1/resources?q=facet');
    assert.equal(all.json().total, 3);
    const toolkits = await t.app.inject('/api/v1/resources?q=facet&kind=toolkit');
    assert.equal(toolkits.json().total, 2);
    const both = await t.app.inject('/api/v1/resources?q=facet&kind=toolkit&audience=family');
    assert.deepEqual(both.json().resources.map((r: { title: string }) => r.title), ['Facet beta']);
    const sorted = await t.app.inject('/api/v1/resources?q=facet&sort=title');
    assert.deepEqual(sorted.json().resources.map((r: { title: string }) => r.title), ['Facet alpha', 'Facet beta', 'Facet gamma']);
    const page = await t.app.inject('/resources?q=facet&kind=toolkit');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /name="kind" value="toolkit" checked/);
    assert.match(textOf(page.body), /Video \(1\)/, 'a facet counts what choosing it would give');
    assert.equal((await t.app.inject('/resources?page=0')).statusCode, 400);
  });
});

describe('the dissemination ledger', () => {
  test('tracked links, cookie-free views and rollups: a visitor through a link who reads the page counts once', async () => {
    const partnerUser = await buildUser(t.db);
    const org = await buildOrganization(t.db);
    await t.db.insertInto('user_organizations').values({ user_id: partnerUser.id, organization_id: org.id }).execute();
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(await apiToken(t.app, fac.email)), payload: { title: 'Ledger subject', kind: 'brief', external_url: 'https://example.org/l' } });
    const rid = created.json().id as number;
    const slug = created.json().slug as string;
    const ptoken = await apiToken(t.app, partnerUser.email);
    const l1 = await t.app.inject({ method: 'POST', url: `/api/v1/resources/${rid}/links`, headers: bearer(ptoken), payload: { partner: `org:${org.id}`, channel: 'newsletter' } });
    assert.equal(l1.statusCode, 201);
    const l2 = await t.app.inject({ method: 'POST', url: `/api/v1/resources/${rid}/links`, headers: bearer(ptoken), payload: { partner: `org:${org.id}`, channel: 'newsletter' } });
    assert.equal(l2.statusCode, 200, 'asking again returns the same link');
    assert.equal(l2.json().code, l1.json().code);
    const stranger = await buildUser(t.db);
    const refused = await t.app.inject({ method: 'POST', url: `/api/v1/resources/${rid}/links`, headers: bearer(await apiToken(t.app, stranger.email)), payload: { partner: `org:${org.id}` } });
    assert.equal(refused.statusCode, 400);

    const code = l1.json().code as string;
    const visitor = { ...BROWSER, 'x-forwarded-for': 'ignored' };
    const go = await t.app.inject({ url: `/r/${code}`, headers: visitor, remoteAddress: '203.0.113.7' });
    assert.equal(go.statusCode, 302);
    assert.equal(go.headers.location, `/resources/${slug}`);
    await t.app.inject({ url: `/resources/${slug}`, headers: visitor, remoteAddress: '203.0.113.7' });
    await t.app.inject({ url: `/resources/${slug}`, headers: BROWSER, remoteAddress: '198.51.100.2' });
    // Bots and facilitators are not counted.
    await t.app.inject({ url: `/resources/${slug}`, headers: { 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' } });
    await (await new Agent(t.app).signIn(fac.email)).get(`/resources/${slug}`, BROWSER);
    const raw = await t.db.selectFrom('view_events').select(['kind', 'visitor']).where('resource_id', '=', rid).execute();
    assert.equal(raw.length, 3);
    assert.ok(raw.every((r) => r.visitor.length === 16), 'only a 16-byte hash is stored, never the address');

    await rollupReach(t.db);
    await rollupReach(t.db); // idempotent
    const day = await t.db.selectFrom('reach_daily').selectAll().where('resource_id', '=', rid).execute();
    assert.equal(day.length, 1);
    assert.equal(day[0]!.page_views, 2);
    assert.equal(day[0]!.link_visits, 1);
    assert.equal(day[0]!.unique_visitors, 2, 'the link visitor who read the page counts once');
    const links = await t.db.selectFrom('reach_daily_links').selectAll().execute();
    assert.equal(links.find((x) => x.visits === 1)?.unique_visitors, 1);
  });

  test('partner reports: affiliated people report, facilitators verify or question; questioned ones leave the totals; sums match the ledger', async () => {
    const partnerUser = await buildUser(t.db);
    const org = await buildOrganization(t.db);
    await t.db.insertInto('user_organizations').values({ user_id: partnerUser.id, organization_id: org.id }).execute();
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(await apiToken(t.app, fac.email)), payload: { title: 'Reported resource', kind: 'guide', external_url: 'https://example.org/r' } });
    const rid = created.json().id as number;
    const ptoken = await apiToken(t.app, partnerUser.email);
    const today = new Date().toISOString().slice(0, 10);
    const report = (recipients: number, extra: Record<string, unknown> = {}) =>
      t.app.inject({ method: 'POST', url: `/api/v1/resources/${rid}/dissemination`, headers: bearer(ptoken), payload: { partner: `org:${org.id}`, channel: 'newsletter', recipients, sent_on: today, audiences: ['family'], states: ['OH'], ...extra } });
    const a = await report(40000);
    const b = await report(1000);
    assert.equal(a.statusCode, 201);
    assert.equal(b.statusCode, 201);
    assert.equal((await report(0)).statusCode, 400);
    assert.equal((await report(10, { sent_on: '2999-01-01' })).statusCode, 400);
    assert.equal((await report(10, { states: ['ZZ'] })).statusCode, 400);

    const memberAgent = await new Agent(t.app).signIn(partnerUser.email);
    assert.equal((await memberAgent.post(`/dissemination/${b.json().id}/review`, { status: 'verified' })).statusCode, 403);
    const facAgent = await new Agent(t.app).signIn(fac.email);
    // The review queue: facilitators only; the reach page's pending count links to it.
    assert.equal((await memberAgent.get('/dissemination/review')).statusCode, 403);
    assert.equal((await t.app.inject('/dissemination/review')).statusCode, 303);
    const queue = await facAgent.get('/dissemination/review');
    assert.equal(queue.statusCode, 200);
    assert.match(textOf(queue.body), /reports reaching 40,000 people by Newsletter/);
    assert.match(queue.body, new RegExp(`action="/dissemination/${a.json().id}/review"`));
    assert.match((await facAgent.get('/reach')).body, /href="\/dissemination\/review"/);
    assert.doesNotMatch((await memberAgent.get('/reach')).body, /href="\/dissemination\/review"/);
    const fromQueue = await facAgent.post(`/dissemination/${a.json().id}/review`, { status: 'verified', next: '/dissemination/review' });
    assert.equal(fromQueue.headers.location, '/dissemination/review');
    assert.doesNotMatch((await facAgent.get('/dissemination/review')).body, new RegExp(`action="/dissemination/${a.json().id}/review"`));
    assert.equal((await facAgent.post(`/dissemination/${a.json().id}/review`, { status: 'verified' })).statusCode, 303);
    assert.equal((await facAgent.post(`/dissemination/${b.json().id}/review`, { status: 'questioned', note: 'Looks like the whole list' })).statusCode, 303);
    assert.equal((await facAgent.post(`/dissemination/${b.json().id}/review`, { status: 'maybe' })).statusCode, 400);

    const facActor = { kind: 'user', id: fac.id, role: 'facilitator', memberships: new Map(), emailVerified: true } as never;
    const f = { from: today, to: today, partner: org.id };
    const s = await reachSummary(t.db, facActor, f, 4_500_000);
    assert.equal(s.bySource.find((x) => x.source === 'partner_report')!.people, 40000, 'the questioned report is not counted');
    assert.equal(s.total, s.bySource.reduce((n, x) => n + x.people, 0));
    assert.equal(s.questioned, 1);
    const api = await t.app.inject({ url: `/api/v1/reach/summary?from=${today}&to=${today}&partner=${org.id}`, headers: bearer(await apiToken(t.app, fac.email)) });
    assert.equal(api.statusCode, 200);
    assert.equal(api.json().total, s.total);

    // The ledger CSV lists both entries; the counted ones add up to the figure.
    const csv = await facAgent.get(`/reach/ledger.csv?from=${today}&to=${today}&partner=${org.id}`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    const lines = csv.body.trim().split('\n').slice(1);
    const counted = lines.filter((l) => l.includes('partner_report') && !l.includes('questioned')).map((l) => Number(l.split(',')[6]));
    assert.equal(counted.reduce((x, y) => x + y, 0), 40000);
    assert.ok(lines.some((l) => l.includes('questioned')));
    // Members see the dashboard but cannot export; the public sees neither.
    assert.equal((await memberAgent.get('/reach')).statusCode, 200);
    assert.equal((await memberAgent.get('/reach/ledger.csv')).statusCode, 403);
    assert.equal((await memberAgent.get('/reach/report')).statusCode, 403);
    assert.equal((await t.app.inject('/reach')).statusCode, 303);
    assert.equal((await t.app.inject('/api/v1/reach/summary')).statusCode, 401);
    assert.equal((await facAgent.get('/reach?from=2026-05-01&to=2026-01-01')).statusCode, 400);
    const funder = await facAgent.get(`/reach/report?from=${today}&to=${today}`);
    assert.equal(funder.statusCode, 200);
    // The report carries the headline and links the ledger as CSV attachments instead of listing its rows.
    assert.match(funder.body, /convene-report__figure[^>]*>40,00\d</);
    assert.match(funder.body, /href="\/reach\/ledger\.csv\?/);
    assert.doesNotMatch(funder.body, /dissemination_reports:\d+/);
  });

  test('use reports: anonymous allowed, ratings required, limited per address', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(await apiToken(t.app, fac.email)), payload: { title: 'Used resource', kind: 'toolkit', external_url: 'https://example.org/u' } });
    const { id, slug } = created.json();
    const anon = new Agent(t.app);
    assert.equal((await anon.get(`/resources/${slug}/use`)).statusCode, 200);
    const bad = await anon.post(`/resources/${slug}/use`, { how_used: 'Shared it', quality: '9', relevance: '5' }, { csrf: await anon.csrf(`/resources/${slug}/use`) });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Quality: Enter a number no greater than 5/);
    assert.match(bad.body, /Usefulness: Fill in this field/);
    const ok = await anon.post(`/resources/${slug}/use`, { how_used: 'Shared it at a staff meeting', quality: '4', relevance: '5', usefulness: '4', perspective: 'educator', state_code: 'OH', setting: 'school' }, { csrf: await anon.csrf(`/resources/${slug}/use`) });
    assert.equal(ok.statusCode, 303);
    const rows = await t.db.selectFrom('use_reports').selectAll().where('resource_id', '=', id).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.user_id, null);
    let limited = 0;
    for (let i = 0; i < 12; i++) {
      const r = await t.app.inject({ method: 'POST', url: `/api/v1/resources/${id}/use-reports`, payload: { how_used: 'Again', quality: 3, relevance: 3, usefulness: 3 }, remoteAddress: '192.0.2.44' });
      if (r.statusCode === 429) {
        limited++;
        assert.ok(r.headers['retry-after']);
      }
    }
    assert.ok(limited > 0, 'the per-address limit answered 429');
  });
});

describe('reach arithmetic', () => {
  test('monthly sums plus partial months at either end equal the daily figures, for any range', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(await apiToken(t.app, fac.email)), payload: { title: 'Arithmetic subject', kind: 'brief', external_url: 'https://example.org/a' } });
    const rid = created.json().id as number;
    const rows: { day: string; resource_id: number; page_views: number; downloads: number; link_visits: number; unique_visitors: number }[] = [];
    for (let d = Date.parse('2025-01-10T00:00:00Z'); d <= Date.parse('2025-04-20T00:00:00Z'); d += 86_400_000) {
      const day = new Date(d).toISOString().slice(0, 10);
      const n = 1 + (new Date(d).getUTCDate() % 7);
      rows.push({ day, resource_id: rid, page_views: n * 2, downloads: n, link_visits: 0, unique_visitors: n });
    }
    await t.db.insertInto('reach_daily').values(rows).execute();
    await rebuildMonths(t.db);
    const facActor = { kind: 'user', id: fac.id, role: 'facilitator', memberships: new Map(), emailVerified: true } as never;
    for (const [from, to] of [
      ['2025-01-20', '2025-03-05'],
      ['2025-02-01', '2025-02-28'],
      ['2025-02-01', '2025-03-31'],
      ['2025-01-31', '2025-02-01'],
      ['2025-03-15', '2025-03-15'],
      ['2024-12-01', '2025-12-31'],
    ] as const) {
      const expected = rows.filter((r) => r.day >= from && r.day <= to);
      const s = await reachSummary(t.db, facActor, { from, to }, 1000);
      const mine = s.topResources.find((r) => r.id === rid)?.people ?? 0;
      assert.equal(mine, expected.reduce((n, r) => n + r.unique_visitors, 0), `${from}..${to}`);
      assert.equal(s.web.pageViews >= expected.reduce((n, r) => n + r.page_views, 0), true);
    }
  });
});

describe('collections', () => {
  test('a group lead curates an ordered collection; members who do not lead cannot', async () => {
    const lead = await buildUser(t.db);
    const member = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [member.id] });
    const token = await apiToken(t.app, lead.email);
    const ids: number[] = [];
    for (const title of ['First pick', 'Second pick', 'Third pick']) ids.push((await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(token), payload: { title, kind: 'brief', external_url: 'https://example.org/c' } })).json().id);
    const agent = await new Agent(t.app).signIn(lead.email);
    const c = await agent.post('/collections', { title: 'Our picks', group: g.slug, description: 'What we recommend' });
    assert.equal(c.statusCode, 303);
    const slug = String(c.headers.location).replace('/collections/', '');
    for (const id of ids) assert.equal((await agent.post(`/collections/${slug}/items`, { action: 'add', resource: String(id) })).statusCode, 303);
    await agent.post(`/collections/${slug}/items`, { action: 'up', resource: String(ids[2]) });
    await agent.post(`/collections/${slug}/items`, { action: 'remove', resource: String(ids[0]) });
    const page = await t.app.inject(`/collections/${slug}`);
    assert.match(textOf(page.body), /Third pick[\s\S]*Second pick/);
    assert.doesNotMatch(textOf(page.body), /First pick/);
    const m = await new Agent(t.app).signIn(member.email);
    assert.equal((await m.post(`/collections/${slug}/items`, { action: 'add', resource: String(ids[0]) })).statusCode, 403);
    assert.equal((await m.post('/collections', { title: 'Mine', group: g.slug })).statusCode, 403);
    assert.equal((await agent.post(`/collections/${slug}/items`, { action: 'explode', resource: '1' })).statusCode, 400);
    assert.equal((await t.app.inject('/collections/no-such')).statusCode, 404);
  });
});
