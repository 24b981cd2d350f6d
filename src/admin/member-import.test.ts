import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, apiToken, bearer, buildGroup, buildOrganization, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});
async function drain() {
  const r = await t.jobs.drain();
  assert.equal(r.failed, 0, r.errors.map((e) => e.stack).join('\n'));
}

describe('importing members from a CSV', () => {
  test('a dry run lists every problem by line; the import makes accounts and invitations once; running it again makes nothing new', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const token = await apiToken(t.app, fac.email);
    const org = await buildOrganization(t.db, { name: 'Import Partners United' });
    const group = await buildGroup(t.db, { leadId: fac.id });
    const existing = await buildUser(t.db, { name: 'Already Here' });
    const tag = `${process.pid}${Date.now()}`;
    const bad = [
      'Nombre,Correo,Perspectivas,Estado,Organización,Grupos',
      `Ana Ruiz,ana-${tag}@example.org,family;educator,md,${org.slug},${group.slug}`,
      `,nobody-${tag}@example.org,,,,`,
      `Bea Díaz,not-an-address,,,,`,
      `Cy Dup,ana-${tag}@example.org,,,,`,
      `Dee Young,dee-${tag}@example.org,youth,,,`,
      `Eli State,eli-${tag}@example.org,astronaut,ZZ,No Such Org,no-such-group`,
    ].join('\n');
    const dry = await t.app.inject({ method: 'POST', url: '/api/v1/members/import', headers: bearer(token), payload: { csv: bad, dry_run: true } });
    assert.equal(dry.statusCode, 200, dry.body);
    const problems = dry.json().problems as { line: number; field: string; message: string }[];
    assert.deepEqual(
      problems.map((p) => [p.line, p.field]),
      [
        [3, 'name'],
        [4, 'email'],
        [5, 'email'],
        [6, 'youth'],
        [7, 'perspectives'],
        [7, 'state'],
        [7, 'organization'],
        [7, 'groups'],
      ],
    );
    assert.match(problems[2]!.message, /already on line 2/);
    // A real run of a file with problems creates nothing.
    const refused = await t.app.inject({ method: 'POST', url: '/api/v1/members/import', headers: bearer(token), payload: { csv: bad } });
    assert.equal(refused.statusCode, 400);
    assert.ok(refused.json().error.fields['line 6: youth']);
    assert.equal(await t.db.selectFrom('users').select('id').where('email', '=', `ana-${tag}@example.org`).executeTakeFirst(), undefined);

    const good = [
      'name,email,perspectives,state,organization,groups',
      `Ana Ruiz,ANA-${tag}@example.org,family;educator,md,Import Partners United,${group.slug}`,
      `"Ruiz, Ben",ben-${tag}@example.org,,,,`,
      `Already Here,${existing.email},,,,${group.slug}`,
    ].join('\r\n');
    const first = await t.app.inject({ method: 'POST', url: '/api/v1/members/import', headers: bearer(token), payload: { csv: good } });
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual([first.json().created, first.json().existing_accounts, first.json().groups_added], [2, 1, 2]);
    const ana = await t.db.selectFrom('users').select(['id', 'name', 'perspectives', 'state_code', 'is_youth', 'password_hash', 'email_verified_at']).where('email', '=', `ana-${tag}@example.org`).executeTakeFirstOrThrow();
    assert.deepEqual([ana.name, ana.perspectives, ana.state_code, ana.is_youth, ana.password_hash, ana.email_verified_at], ['Ana Ruiz', ['family', 'educator'], 'MD', false, null, null]);
    assert.ok(await t.db.selectFrom('user_organizations').select('user_id').where('user_id', '=', ana.id).where('organization_id', '=', org.id).executeTakeFirst());
    const memberships = await t.db.selectFrom('group_memberships').select(['user_id', 'status']).where('group_id', '=', group.id).where('user_id', 'in', [ana.id, existing.id]).execute();
    const status = new Map(memberships.map((m) => [m.user_id, m.status]));
    assert.equal(status.get(ana.id), 'active', 'a new account joins its groups');
    assert.equal(status.get(existing.id), 'invited', 'someone who had an account is invited and decides');
    assert.equal((await t.db.selectFrom('users').select('name').where('email', '=', `ben-${tag}@example.org`).executeTakeFirstOrThrow()).name, 'Ruiz, Ben');

    // The invitation: a link to choose a password, which also confirms the address.
    await drain();
    const invite = t.mailer.lastTo(`ana-${tag}@example.org`)!;
    assert.match(invite.subject, /invited/);
    assert.equal(t.mailer.lastTo(existing.email), undefined, 'people with an account get no invitation email');
    const link = t.mailer.linkIn(invite, `${t.config.baseUrl}/password/reset?token=`)!;
    const agent = new Agent(t.app);
    const path = new URL(link).pathname + new URL(link).search;
    const form = await agent.get(path);
    assert.equal(form.statusCode, 200);
    const token2 = new URL(link).searchParams.get('token')!;
    const set = await agent.post('/password/reset', { token: token2, password: 'a long and unusual passphrase 42' }, { csrf: await agent.csrf(path) });
    assert.equal(set.statusCode, 303, set.body);
    const activated = await t.db.selectFrom('users').select(['password_hash', 'email_verified_at']).where('id', '=', ana.id).executeTakeFirstOrThrow();
    assert.ok(activated.password_hash && activated.email_verified_at);

    // The same file again: nothing new, no second invitation.
    const sent = t.mailer.sent.length;
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/members/import', headers: bearer(token), payload: { csv: good } });
    assert.deepEqual([again.json().created, again.json().groups_added], [0, 0]);
    await drain();
    assert.equal(t.mailer.sent.length, sent);
    const count = await t.db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).where('email', 'in', [`ana-${tag}@example.org`, `ben-${tag}@example.org`]).executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 2);
  });

  test('the page: facilitators only; a check shows problems row by row, then the import reports what it did', async () => {
    const member = await buildUser(t.db);
    const m = await new Agent(t.app).signIn(member.email);
    assert.equal((await m.get('/admin/members/import')).statusCode, 403);
    assert.equal((await m.post('/admin/members/import', { csv: 'name,email\nA,a@example.org', action: 'import' })).statusCode, 403);
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/members/import', headers: bearer(await apiToken(t.app, member.email)), payload: { csv: 'name,email\nA,a@example.org' } })).statusCode, 403);
    assert.equal((await t.app.inject({ url: '/admin/members/import' })).statusCode, 303);

    const fac = await buildUser(t.db, { role: 'facilitator' });
    const agent = await new Agent(t.app).signIn(fac.email);
    assert.equal((await agent.get('/admin/members/import')).statusCode, 200);
    const empty = await agent.post('/admin/members/import', { csv: '', action: 'check' });
    assert.equal(empty.statusCode, 400);
    const tag = `${process.pid}${Date.now()}p`;
    const checked = await agent.post('/admin/members/import', { csv: `name,email\nPage Person,page-${tag}@example.org\nNo Mail,nope`, action: 'check' });
    assert.equal(checked.statusCode, 400);
    assert.match(textOf(checked.body), /Problems to fix \(1\)/);
    assert.match(textOf(checked.body), /This is not an email address/);
    const ok = await agent.post('/admin/members/import', { csv: `name,email\nPage Person,page-${tag}@example.org`, action: 'check' });
    assert.equal(ok.statusCode, 200);
    assert.match(textOf(ok.body), /1 new accounts/);
    assert.equal(await t.db.selectFrom('users').select('id').where('email', '=', `page-${tag}@example.org`).executeTakeFirst(), undefined, 'a check creates nothing');
    const done = await agent.post('/admin/members/import', { csv: `name,email\nPage Person,page-${tag}@example.org`, action: 'import' });
    assert.equal(done.statusCode, 200);
    assert.match(textOf(done.body), /1 accounts created/);
    assert.ok(await t.db.selectFrom('users').select('id').where('email', '=', `page-${tag}@example.org`).executeTakeFirst());
    const audit = await t.db.selectFrom('audit_log').select(['action', 'actor_id']).where('action', '=', 'members.import').orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.equal(audit.actor_id, fac.id);
  });
});
