import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import sharp from 'sharp';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';
import { replyAddress } from './addresses.js';
import { automatic, mailCommand, splitLongLines, titleOf, writtenText } from './parse.js';
import { simpleParser } from 'mailparser';
import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';

/**
 * Mail in, end to end: real SMTP from nodemailer to Convene's listener on
 * loopback, then what was stored and what was emailed back. DNS answers for
 * SPF and DMARC come from the records below, never from the network.
 */
const DNS: Record<string, string[][]> = {
  // Every test account's domain lets loopback send its mail.
  'example.org': [['v=spf1 ip4:127.0.0.1 -all']],
  // A district whose records say only 192.0.2.10 sends its mail, and to reject the rest.
  'district.example': [['v=spf1 ip4:192.0.2.10 -all']],
  '_dmarc.district.example': [['v=DMARC1; p=reject']],
};
const resolver = async (name: string, rrtype: string) => {
  const r = rrtype === 'TXT' ? DNS[name.toLowerCase()] : undefined;
  if (!r) throw Object.assign(new Error(`no ${rrtype} for ${name}`), { code: 'ENOTFOUND' });
  return r;
};

let t: TestContext;
let port: number;
const MAX_BYTES = 400_000;
before(async () => {
  t = await buildTestApp(
    { inboundSmtp: { host: '127.0.0.1', port: 0, lmtp: false }, inboundDomain: 'convene.test', inboundRelays: [], inboundMaxBytes: MAX_BYTES },
    { dnsResolver: resolver },
  );
  port = t.app.mailListener!.port;
});

/** Sends real SMTP to the listener; resolves once Convene has answered 250 (the message is handled by then). */
async function send(msg: SendMailOptions) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    return await transport.sendMail(msg);
  } finally {
    transport.close();
  }
}
/** The SMTP error a message met, or undefined when it was accepted. */
async function refusal(msg: SendMailOptions): Promise<{ responseCode?: number; response?: string } | undefined> {
  try {
    await send(msg);
    return undefined;
  } catch (err) {
    return err as { responseCode?: number; response?: string };
  }
}
async function drain() {
  const r = await t.jobs.drain();
  assert.equal(r.failed, 0, r.errors.map((e) => e.stack).join('\n'));
}
const mailTo = (address: string) => t.mailer.sent.filter((m) => m.to.toLowerCase() === address.toLowerCase());
const postsOf = (threadId: number) => t.db.selectFrom('posts').select(['id', 'author_id', 'body', 'reply_to_id']).where('thread_id', '=', threadId).orderBy('id').execute();
let seq = 0;
const msgId = () => `<test-${process.pid}-${++seq}@example.org>`;

/** A group with a lead (Ana) and a member (Ben) who wants mail right away, and a thread Ana started. */
async function scene(opts: { visibility?: 'public' | 'members' | 'private' } = {}) {
  const ana = await buildUser(t.db, { name: 'Ana Lead' });
  const ben = await buildUser(t.db, { name: 'Ben Member' });
  const group = await buildGroup(t.db, { leadId: ana.id, memberIds: [ben.id], visibility: opts.visibility });
  const anaToken = await apiToken(t.app, ana.email);
  const res = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${group.slug}/threads`, headers: bearer(anaToken), payload: { title: 'Check-in routines that work', body: 'What do your morning check-ins look like?' } });
  assert.equal(res.statusCode, 201, res.body);
  const threadId = res.json().id as number;
  const opening = (await postsOf(threadId))[0]!;
  await drain();
  return { ana, ben, group, anaToken, threadId, opening };
}

describe('reply by email', () => {
  test('a notification carries a reply address bound to its reader and post; a reply to it is posted in the thread, quotes and signature left out', async () => {
    const s = await scene();
    // Ben watches the thread, so Ana's reply notifies him by email.
    await t.db.insertInto('thread_watches').values({ user_id: s.ben.id, thread_id: s.threadId, level: 'watching' }).onConflict((oc) => oc.doNothing()).execute();
    const r = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${s.threadId}/posts`, headers: bearer(s.anaToken), payload: { body: 'Ours start with a two-minute mood check.' } });
    const anaPost = r.json().id as number;
    await drain();
    const note = mailTo(s.ben.email).at(-1)!;
    assert.ok(note, 'Ben was emailed');
    assert.equal(note.replyTo, replyAddress({ ...t.config, inboundDomain: 'convene.test' }, s.ben.id, anaPost));
    assert.match(note.replyTo!, /^reply\+\d+-\d+-[0-9a-f]{32}@convene\.test$/);
    assert.equal(note.inReplyTo, `<post-${anaPost}@convene.test>`);
    assert.equal(note.references, `<thread-${s.threadId}@convene.test> <post-${anaPost}@convene.test>`);

    await send({
      from: `Ben Member <${s.ben.email}>`,
      to: note.replyTo!,
      subject: `Re: ${note.subject}`,
      messageId: msgId(),
      text: `We do the same, and add a question of the day.\n\nBest,\nBen\n\nOn Tue, Dec 1, 2026 at 9:00 AM Convene <no-reply@convene.test> wrote:\n> Ours start with a two-minute mood check.\n> Reply to this email\n`,
    });
    const posts = await postsOf(s.threadId);
    const last = posts.at(-1)!;
    assert.equal(last.author_id, s.ben.id);
    assert.equal(last.reply_to_id, anaPost, 'in reply to the post the email was about');
    assert.match(last.body, /^We do the same, and add a question of the day\./);
    assert.doesNotMatch(last.body, /wrote:|mood check/);

    // A Spanish mail program's quote line, and an HTML-only message.
    await send({
      from: s.ben.email,
      to: note.replyTo!,
      subject: 'Re: ok',
      messageId: msgId(),
      html: '<p>Hola <b>equipo</b>, gracias.</p><script>alert(1)</script><div class="gmail_quote">El mar, 1 dic 2026, Convene escribió:<blockquote>Ours start with a two-minute mood check.</blockquote></div>',
    });
    const html = (await postsOf(s.threadId)).at(-1)!;
    assert.equal(html.author_id, s.ben.id);
    assert.equal(html.body, 'Hola **equipo**, gracias.');
    const page = await t.app.inject({ method: 'GET', url: `/threads/${s.threadId}` });
    assert.match(page.body, /Hola <strong>equipo<\/strong>, gracias\./);
    assert.doesNotMatch(page.body, /alert\(1\)/);
  });

  test('the same message delivered twice is posted once and answered once', async () => {
    const s = await scene();
    const address = replyAddress({ ...t.config, inboundDomain: 'convene.test' }, s.ben.id, s.opening.id);
    const message = { from: s.ben.email, to: address, subject: 'Re: check-ins', messageId: msgId(), text: 'Posted once, please.' };
    await send(message);
    await send(message);
    const mine = (await postsOf(s.threadId)).filter((p) => p.body === 'Posted once, please.');
    assert.equal(mine.length, 1);
    const rows = await t.db.selectFrom('inbound_messages').select(['outcome']).where('message_id', '=', message.messageId).execute();
    assert.deepEqual(rows.map((r) => r.outcome), ['posted']);
  });

  test('a wrong key, a key used from another address, a thread one can no longer reach, and a locked thread are refused with a short bounce', async () => {
    const s = await scene({ visibility: 'private' });
    const cy = await buildUser(t.db, { name: 'Cy Outsider' });
    const good = replyAddress({ ...t.config, inboundDomain: 'convene.test' }, s.ben.id, s.opening.id);
    const before = (await postsOf(s.threadId)).length;

    // A changed key.
    const wrong = good.replace(/-([0-9a-f]{32})@/, (_m, k: string) => `-${k.slice(0, -1)}${k.endsWith('0') ? '1' : '0'}@`);
    await send({ from: s.ben.email, to: wrong, subject: 'Re: check-ins', messageId: msgId(), text: 'Trying a changed key.' });
    const b1 = mailTo(s.ben.email).at(-1)!;
    assert.match(b1.subject, /^Not posted: Re: check-ins/);
    assert.match(b1.text, /not a valid reply address/);
    assert.match(b1.text, /Trying a changed key\./, 'the bounce gives back what was written');
    assert.equal(b1.headers?.['Auto-Submitted'], 'auto-replied');

    // Ben's key, from Cy's address: refused, and Cy learns nothing about the private thread.
    await send({ from: cy.email, to: good, subject: 'Re: check-ins', messageId: msgId(), text: 'Posting with a key I was forwarded.' });
    const b2 = mailTo(cy.email).at(-1)!;
    assert.match(b2.text, /belongs to an email sent to someone else/);
    for (const secret of ['Check-in routines', 'morning check-ins', s.ben.email, 'Ben Member', s.group.slug]) assert.ok(!b2.text.includes(secret) && !b2.html.includes(secret), `bounce leaks ${secret}`);

    // Ben leaves the private group: his old key no longer reaches the thread.
    await t.db.deleteFrom('group_memberships').where('user_id', '=', s.ben.id).where('group_id', '=', s.group.id).execute();
    await send({ from: s.ben.email, to: good, subject: 'Re: check-ins', messageId: msgId(), text: 'After leaving.' });
    const b3 = mailTo(s.ben.email).at(-1)!;
    assert.match(b3.text, /no longer available to you/);
    assert.ok(!b3.text.includes('morning check-ins'));

    // Back in, but the thread is locked.
    await t.db.insertInto('group_memberships').values({ group_id: s.group.id, user_id: s.ben.id, role: 'member', status: 'active' }).execute();
    await t.db.updateTable('threads').set({ locked: true }).where('id', '=', s.threadId).execute();
    await send({ from: s.ben.email, to: good, subject: 'Re: check-ins', messageId: msgId(), text: 'On a locked thread.' });
    assert.match(mailTo(s.ben.email).at(-1)!.text, /closed to new replies/);

    assert.equal((await postsOf(s.threadId)).length, before, 'nothing was posted');
  });

  test('auto-replies, bounces and loops are dropped without a post or an answer', async () => {
    const s = await scene();
    const address = replyAddress({ ...t.config, inboundDomain: 'convene.test' }, s.ben.id, s.opening.id);
    const sentBefore = t.mailer.sent.length;
    const before = (await postsOf(s.threadId)).length;
    await send({ from: s.ben.email, to: address, subject: 'Automatic reply: check-ins', messageId: msgId(), text: 'I am out of the office until Monday.', headers: { 'Auto-Submitted': 'auto-replied' } });
    await send({ from: s.ben.email, to: address, subject: 'Out of Office', messageId: msgId(), text: 'Away this week.' });
    await send({ from: s.ben.email, to: address, subject: 'Weekly news', messageId: msgId(), text: 'Bulk mail.', headers: { Precedence: 'bulk' } });
    // A delivery failure report from a mail server, with the empty envelope sender bounces use.
    await send({
      envelope: { from: '', to: [address] },
      from: 'Mail Delivery System <MAILER-DAEMON@example.org>',
      to: address,
      subject: 'Undelivered Mail Returned to Sender',
      messageId: msgId(),
      text: 'This is the mail system. Your message could not be delivered.',
    });
    // Mail that claims to come from Convene itself.
    await send({ from: 'no-reply@convene.test', to: address, subject: 'Re: loop', messageId: msgId(), text: 'Looping back.' });
    assert.equal((await postsOf(s.threadId)).length, before);
    assert.equal(t.mailer.sent.length, sentBefore, 'nothing is answered');
  });

  test('a message the student-privacy guard flags is held, and its author is emailed a link to review and publish it', async () => {
    const s = await scene();
    const address = replyAddress({ ...t.config, inboundDomain: 'convene.test' }, s.ben.id, s.opening.id);
    const before = (await postsOf(s.threadId)).length;
    await send({ from: s.ben.email, to: address, subject: 'Re: check-ins', messageId: msgId(), text: 'Jaylen in 3rd period at Lincoln Elementary has an IEP and keeps getting sent out.' });
    assert.equal((await postsOf(s.threadId)).length, before, 'not posted');
    const held = await t.db.selectFrom('held_posts').selectAll().where('user_id', '=', s.ben.id).executeTakeFirstOrThrow();
    assert.equal(held.reason, 'privacy');
    assert.equal(held.reply_to_id, s.opening.id);
    const mail = mailTo(s.ben.email).at(-1)!;
    assert.match(mail.subject, /^Please check before it is posted/);
    assert.match(mail.text, /Jaylen/, 'the warning names what it found');
    const link = t.mailer.linkIn(mail, `${t.config.baseUrl}/held/`)!;
    assert.equal(link, `${t.config.baseUrl}/held/${held.id}`);

    // Only its author can open it.
    const cy = await buildUser(t.db);
    const cyAgent = new Agent(t.app);
    await cyAgent.signIn(cy.email);
    assert.equal((await cyAgent.get(`/held/${held.id}`)).statusCode, 404);
    assert.equal((await cyAgent.post(`/held/${held.id}/discard`, {})).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'GET', url: `/held/${held.id}` })).statusCode, 303);

    const ben = new Agent(t.app);
    await ben.signIn(s.ben.email);
    const page = await ben.get(`/held/${held.id}`);
    assert.equal(page.statusCode, 200);
    assert.match(textOf(page.body), /Jaylen/);
    assert.match(page.body, /name="acknowledge_privacy"/);
    // Publishing unchanged without answering the warning shows it again.
    const again = await ben.post(`/held/${held.id}`, { body: held.body });
    assert.equal(again.statusCode, 422);
    // Edited to leave the student out, it is published once and forgotten.
    const ok = await ben.post(`/held/${held.id}`, { body: 'One of our students keeps getting sent out; what has helped you?' });
    assert.equal(ok.statusCode, 303);
    const last = (await postsOf(s.threadId)).at(-1)!;
    assert.equal(last.author_id, s.ben.id);
    assert.equal(last.reply_to_id, s.opening.id);
    assert.equal(await t.db.selectFrom('held_posts').select('id').where('id', '=', held.id).executeTakeFirst(), undefined);
  });

  test('email commands on the first line: mute, watch, unsubscribe', async () => {
    const s = await scene();
    const address = replyAddress({ ...t.config, inboundDomain: 'convene.test' }, s.ben.id, s.opening.id);
    const before = (await postsOf(s.threadId)).length;
    await send({ from: s.ben.email, to: address, subject: 'Re: x', messageId: msgId(), text: 'mute\n\nOn Tue someone wrote:\n> quoted' });
    const level = async () => (await t.db.selectFrom('thread_watches').select('level').where('user_id', '=', s.ben.id).where('thread_id', '=', s.threadId).executeTakeFirst())?.level;
    assert.equal(await level(), 'muted');
    assert.match(mailTo(s.ben.email).at(-1)!.subject, /^Muted: Check-in routines/);
    await send({ from: s.ben.email, to: address, subject: 'Re: x', messageId: msgId(), text: 'Seguir' });
    assert.equal(await level(), 'watching');
    assert.equal((await postsOf(s.threadId)).length, before, 'a command alone posts nothing');
    await send({ from: s.ben.email, to: address, subject: 'Re: x', messageId: msgId(), text: 'unsubscribe' });
    const user = await t.db.selectFrom('users').select('email_notifications').where('id', '=', s.ben.id).executeTakeFirstOrThrow();
    assert.equal(user.email_notifications, 'off');
  });
});

describe('receiving mail at SMTP time', () => {
  test('unknown addresses are refused at RCPT TO; a private group answers like an unknown address to outsiders', async () => {
    const s = await scene({ visibility: 'private' });
    const outsider = await buildUser(t.db);
    const unknown = await refusal({ from: outsider.email, to: 'nobody-here@convene.test', subject: 'Hi', text: 'Hello' });
    assert.equal(unknown?.responseCode, 550);
    assert.match(unknown?.response ?? '', /5\.1\.1/);
    const otherDomain = await refusal({ from: outsider.email, to: 'someone@elsewhere.example', subject: 'Hi', text: 'Hello' });
    assert.equal(otherDomain?.responseCode, 550);
    const priv = await refusal({ from: outsider.email, to: `${s.group.slug}@convene.test`, subject: 'Hi', text: 'Hello' });
    assert.equal(priv?.responseCode, 550);
    assert.equal(priv?.response?.replace(/\s+/g, ' '), unknown?.response?.replace(/\s+/g, ' '), 'the same answer as for an address that does not exist');
    // A member of the private group is accepted and starts a thread there.
    await send({ from: s.ben.email, to: `${s.group.slug}@convene.test`, subject: 'Members only: schedules', messageId: msgId(), text: 'Sharing our schedule.' });
    const thread = await t.db.selectFrom('threads').select(['id', 'author_id']).where('title', '=', 'Members only: schedules').executeTakeFirstOrThrow();
    assert.equal(thread.author_id, s.ben.id);
    // An outsider who forges a member's envelope sender gets past RCPT, but nothing is posted and nothing is said to them.
    const sentBefore = mailTo(outsider.email).length;
    await send({ envelope: { from: s.ben.email, to: [`${s.group.slug}@convene.test`] }, from: outsider.email, to: `${s.group.slug}@convene.test`, subject: 'Let me in', messageId: msgId(), text: 'Hello' });
    assert.equal(await t.db.selectFrom('threads').select('id').where('title', '=', 'Let me in').executeTakeFirst(), undefined);
    assert.equal(mailTo(outsider.email).length, sentBefore);
  });

  test('a message over the size limit is refused with 552', async () => {
    const s = await scene();
    const address = replyAddress({ ...t.config, inboundDomain: 'convene.test' }, s.ben.id, s.opening.id);
    const err = await refusal({ from: s.ben.email, to: address, subject: 'big', messageId: msgId(), text: 'x'.repeat(MAX_BYTES + 10_000) });
    assert.equal(err?.responseCode, 552);
    assert.equal((await postsOf(s.threadId)).length, 1);
  });

  test('a sender whose domain publishes SPF and DMARC that this message fails is refused with 550 5.7.1', async () => {
    const s = await scene();
    const principal = await buildUser(t.db, { email: `principal-${process.pid}@district.example` });
    await t.db.insertInto('group_memberships').values({ group_id: s.group.id, user_id: principal.id, role: 'member', status: 'active' }).execute();
    const address = replyAddress({ ...t.config, inboundDomain: 'convene.test' }, principal.id, s.opening.id);
    const err = await refusal({ from: principal.email, to: address, subject: 'Re: check-ins', messageId: msgId(), text: 'A forged reply.' });
    assert.equal(err?.responseCode, 550);
    assert.match(err?.response ?? '', /5\.7\.1/);
    const group = await refusal({ from: principal.email, to: `${s.group.slug}@convene.test`, subject: 'Forged thread', messageId: msgId(), text: 'A forged thread.' });
    assert.equal(group?.responseCode, 550);
    assert.equal((await postsOf(s.threadId)).length, 1);
    assert.equal(await t.db.selectFrom('threads').select('id').where('title', '=', 'Forged thread').executeTakeFirst(), undefined);
    assert.equal(mailTo(principal.email).length, 0, 'no bounce goes to a forged address');
  });
});

describe('a DKIM signature', () => {
  test('a message whose signature no longer matches (changed on the way) is refused; the same message intact is accepted', async () => {
    const s = await scene();
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    DNS['sel._domainkey.signed.example'] = [[`v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`]];
    const author = await buildUser(t.db, { email: `signer-${process.pid}@signed.example` });
    await t.db.insertInto('group_memberships').values({ group_id: s.group.id, user_id: author.id, role: 'member', status: 'active' }).execute();
    const to = replyAddress({ ...t.config, inboundDomain: 'convene.test' }, author.id, s.opening.id);
    const signed = async (text: string) => {
      const message = [`From: ${author.email}`, `To: ${to}`, 'Subject: Re: check-ins', `Message-ID: ${msgId()}`, 'Content-Type: text/plain; charset=utf-8', '', text, ''].join('\r\n');
      const { signatures } = await dkimSign(message, { signatureData: [{ signingDomain: 'signed.example', selector: 'sel', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) }] } as never);
      return signatures + message;
    };
    const tampered = (await signed('Pay the invoice to account 1234.')).replace('1234', '9999');
    const refused = await refusal({ envelope: { from: author.email, to: [to] }, raw: tampered });
    assert.equal(refused?.responseCode, 550);
    assert.equal((await postsOf(s.threadId)).length, 1);
    await send({ envelope: { from: author.email, to: [to] }, raw: await signed('Signed and intact.') });
    assert.equal((await postsOf(s.threadId)).at(-1)!.body, 'Signed and intact.');
  });
});

describe('start a thread by email', () => {
  test('a member starts a thread at the group address, with a picture from the message; others are told why not', async () => {
    const s = await scene();
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } }).png().toBuffer();
    await send({
      from: s.ben.email,
      to: `${s.group.slug}@convene.test`,
      subject: 'Fwd: [Team] Our calm-down corner',
      messageId: msgId(),
      text: 'Here is the corner we set up.\n\n--\nBen',
      attachments: [{ filename: 'calm-corner.png', content: png, contentType: 'image/png' }],
    });
    const thread = await t.db.selectFrom('threads').select(['id', 'author_id', 'group_id']).where('title', '=', 'Our calm-down corner').executeTakeFirstOrThrow();
    assert.equal(thread.author_id, s.ben.id);
    assert.equal(thread.group_id, s.group.id);
    const [opening] = await postsOf(thread.id);
    assert.equal(opening!.body, 'Here is the corner we set up.');
    const att = await t.db.selectFrom('post_attachments').select(['kind', 'content_type', 'alt']).where('post_id', '=', opening!.id).executeTakeFirstOrThrow();
    assert.deepEqual(att, { kind: 'image', content_type: 'image/webp', alt: 'calm corner' });

    // Not a member of the group.
    const dee = await buildUser(t.db, { name: 'Dee Visitor' });
    await send({ from: dee.email, to: `${s.group.slug}@convene.test`, subject: 'Hello all', messageId: msgId(), text: 'May I post?' });
    assert.match(mailTo(dee.email).at(-1)!.text, /only members of/);
    // No account at all.
    await send({ from: `stranger-${process.pid}@example.org`, to: `${s.group.slug}@convene.test`, subject: 'Hello all', messageId: msgId(), text: 'Hi' });
    assert.match(mailTo(`stranger-${process.pid}@example.org`).at(-1)!.text, /did not find a member account/);
    // No subject.
    await send({ from: s.ben.email, to: `${s.group.slug}@convene.test`, subject: '', messageId: msgId(), text: 'Untitled.' });
    assert.match(mailTo(s.ben.email).at(-1)!.text, /needs a subject/);
    assert.equal(await t.db.selectFrom('threads').select('id').where('title', '=', 'Hello all').executeTakeFirst(), undefined);
  });
});

describe('mailing-list mode', () => {
  test('every new post arrives as its own threaded email with list headers; a reply continues the conversation; one click leaves', async () => {
    const s = await scene();
    const cy = await buildUser(t.db, { name: 'Cy Lister' });
    await t.db.insertInto('group_memberships').values({ group_id: s.group.id, user_id: cy.id, role: 'member', status: 'active' }).execute();
    const cyToken = await apiToken(t.app, cy.email);
    // Only groups one is an active member of.
    const other = await buildGroup(t.db);
    const bad = await t.app.inject({ method: 'PUT', url: '/api/v1/me/mailing-list', headers: bearer(cyToken), payload: { groups: [other.slug] } });
    assert.equal(bad.statusCode, 400);
    assert.ok(bad.json().error.fields.groups);
    const put = await t.app.inject({ method: 'PUT', url: '/api/v1/me/mailing-list', headers: bearer(cyToken), payload: { groups: [s.group.slug] } });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(
      put.json().groups.map((g: { slug: string; mailing_list: boolean; posting_address: string }) => [g.slug, g.mailing_list, g.posting_address]),
      [[s.group.slug, true, `${s.group.slug}@convene.test`]],
    );
    // Cy also watches the thread: the post must not arrive twice.
    await t.db.insertInto('thread_watches').values({ user_id: cy.id, thread_id: s.threadId, level: 'watching' }).execute();

    const r = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${s.threadId}/posts`, headers: bearer(s.anaToken), payload: { body: 'See [our guide](/resources) for more.', reply_to: s.opening.id } });
    const postId = r.json().id as number;
    await drain();
    await drain();
    const got = mailTo(cy.email);
    assert.equal(got.length, 1, `one email for the post, not a list copy and a notification: ${got.map((g) => g.subject).join(' | ')}`);
    const m = got[0]!;
    assert.equal(m.messageId, `<post-${postId}@convene.test>`);
    assert.equal(m.inReplyTo, `<thread-${s.threadId}@convene.test>`);
    assert.equal(m.references, `<thread-${s.threadId}@convene.test>`);
    assert.match(m.subject, /^Re: \[.+\] Check-in routines that work$/);
    assert.equal(m.fromName?.startsWith('Ana Lead'), true);
    assert.match(m.headers!['List-Id']!, new RegExp(`<${s.group.slug}\\.convene\\.test>$`));
    assert.equal(m.headers!['List-Post'], `<mailto:${s.group.slug}@convene.test>`);
    assert.equal(m.headers!['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
    assert.match(m.replyTo!, /^reply\+/);
    assert.match(m.html, /href="http:\/\/convene\.test\/resources"/, 'links are absolute');
    assert.match(m.text, /^See \[our guide\]/, 'the list message starts with the author\'s words');
    assert.doesNotMatch(m.html, /Hello|Cy Lister,/);
    const archive = /^<(.+)>$/.exec(m.headers!['List-Archive']!)![1]!;
    assert.equal((await t.app.inject({ url: new URL(archive).pathname })).statusCode, 200, 'List-Archive is a real page');
    assert.doesNotMatch(m.html, /href="\//);

    // Cy answers the list email from a mail program.
    await send({ from: cy.email, to: m.replyTo!, subject: `Re: ${m.subject}`, messageId: msgId(), inReplyTo: m.messageId, text: 'Thanks, reading it now.\n\n> See our guide' });
    const last = (await postsOf(s.threadId)).at(-1)!;
    assert.deepEqual([last.author_id, last.reply_to_id, last.body], [cy.id, postId, 'Thanks, reading it now.']);

    // One click (RFC 8058) leaves the list.
    const url = /^<(.+)>$/.exec(m.headers!['List-Unsubscribe']!)![1]!;
    const path = new URL(url).pathname;
    assert.equal((await t.app.inject({ method: 'GET', url: path })).statusCode, 200);
    const post = await t.app.inject({ method: 'POST', url: path, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(post.statusCode, 200);
    assert.equal(await t.db.selectFrom('list_subscriptions').select('user_id').where('user_id', '=', cy.id).executeTakeFirst(), undefined);
    assert.equal((await t.app.inject({ method: 'POST', url: path.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) })).statusCode, 404, 'a changed token is refused');
  });

  test('list mail goes only to active members: someone who left a public or a private group gets nothing more', async () => {
    for (const visibility of ['public', 'private'] as const) {
      const s = await scene({ visibility });
      await t.db.insertInto('list_subscriptions').values({ user_id: s.ben.id, group_id: s.group.id, created_at: new Date() }).execute();
      await t.db.deleteFrom('group_memberships').where('user_id', '=', s.ben.id).where('group_id', '=', s.group.id).execute();
      await t.app.inject({ method: 'POST', url: `/api/v1/threads/${s.threadId}/posts`, headers: bearer(s.anaToken), payload: { body: `News for members of a ${visibility} group.` } });
      await drain();
      assert.ok(!mailTo(s.ben.email).some((m) => m.text.includes('News for members')), visibility);
    }
  });

  test('the email settings page: signed out is sent to sign in; a member chooses groups; bad input is refused with a field message', async () => {
    const s = await scene();
    assert.equal((await t.app.inject({ method: 'GET', url: '/settings/by-email' })).statusCode, 303);
    const ben = new Agent(t.app);
    await ben.signIn(s.ben.email);
    const page = await ben.get('/settings/by-email');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`${s.group.slug}@convene\\.test`));
    const saved = await ben.post('/settings/by-email', { groups: s.group.slug });
    assert.equal(saved.statusCode, 303);
    assert.ok(await t.db.selectFrom('list_subscriptions').select('user_id').where('user_id', '=', s.ben.id).where('group_id', '=', s.group.id).executeTakeFirst());
    const other = await buildGroup(t.db, { visibility: 'private' });
    const refused = await ben.post('/settings/by-email', { groups: [s.group.slug, other.slug] });
    assert.equal(refused.statusCode, 400);
    assert.match(textOf(refused.body), /Choose only groups you are an active member of/);
    assert.ok(!refused.body.includes(other.slug) || refused.body.indexOf(other.slug) === refused.body.lastIndexOf(other.slug));
    const cleared = await ben.post('/settings/by-email', {});
    assert.equal(cleared.statusCode, 303);
    assert.equal(await t.db.selectFrom('list_subscriptions').select('user_id').where('user_id', '=', s.ben.id).executeTakeFirst(), undefined);
  });
});

describe('reading a message', () => {
  const parse = async (raw: string) => simpleParser(Buffer.from(raw.replace(/\n/g, '\r\n')));
  test('automatic mail is recognized by its headers and subjects', async () => {
    const own = ['convene.test'];
    assert.equal(automatic(await parse('From: a@x.org\nSubject: hi\nAuto-Submitted: auto-generated\n\nx'), 'a@x.org', own), 'auto_reply');
    assert.equal(automatic(await parse('From: a@x.org\nSubject: hi\nAuto-Submitted: no\n\nx'), 'a@x.org', own), undefined);
    assert.equal(automatic(await parse('From: a@x.org\nSubject: Respuesta automática: hola\n\nx'), 'a@x.org', own), 'auto_reply');
    assert.equal(automatic(await parse('From: a@x.org\nSubject: Absence of a policy\n\nx'), 'a@x.org', own), undefined, 'an ordinary subject is not mistaken for one');
    assert.equal(automatic(await parse('From: a@x.org\nSubject: hi\n\nx'), '', own), 'bounce');
    assert.equal(automatic(await parse('From: a@x.org\nSubject: hi\nX-Convene-Loop: 1\n\nx'), 'a@x.org', own), 'loop');
  });
  test('commands, titles and written text', async () => {
    assert.deepEqual(mailCommand('Mute.\nand more'), { command: 'mute', rest: 'and more' });
    assert.equal(mailCommand('Mute the noise, please'), undefined);
    assert.equal(mailCommand('Watch out for this'), undefined);
    assert.equal(titleOf('RE: Fwd: [Families] RV: Plan'), 'Plan');
    assert.equal(writtenText(await parse('From: a@x.org\nSubject: s\n\nGracias.\n\nEl lun, 30 nov 2026 a las 10:00, Ana (<a@x.org>) escribió:\n> hola\n')), 'Gracias.');
  });
  test('a paragraph longer than a mail line is kept whole, including a ">" inside it', async () => {
    const para = `${'word '.repeat(500)}> not a quote ${'more '.repeat(300)}`.trim();
    assert.ok(splitLongLines(para).split('\n').length > 1, 'the parser sees it in pieces');
    assert.equal(writtenText(await parse(`From: a@x.org\nSubject: s\n\n${para}\n\nOn Tue, Ana wrote:\n> old\n`)), para);
  });
});

describe('more of what a web post gets', () => {
  test('the jargon check in a family-led group holds the message; a file type the library refuses is bounced with the reason', async () => {
    const s = await scene();
    await t.db.updateTable('practice_groups').set({ led_by: 'family' }).where('id', '=', s.group.id).execute();
    const address = replyAddress({ ...t.config, inboundDomain: 'convene.test' }, s.ben.id, s.opening.id);
    const before = (await postsOf(s.threadId)).length;
    await send({ from: s.ben.email, to: address, subject: 'Re: check-ins', messageId: msgId(), text: 'Our SST meets on Fridays to plan these.' });
    const held = await t.db.selectFrom('held_posts').select(['reason']).where('user_id', '=', s.ben.id).executeTakeFirstOrThrow();
    assert.equal(held.reason, 'jargon');
    assert.match(mailTo(s.ben.email).at(-1)!.text, /SST/);

    await send({
      from: s.ben.email,
      to: address,
      subject: 'Re: check-ins',
      messageId: msgId(),
      text: 'Here is the tool we use.',
      attachments: [{ filename: 'tool.exe', content: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(2000, 1)]), contentType: 'application/octet-stream' }],
    });
    const bounce = mailTo(s.ben.email).at(-1)!;
    assert.match(bounce.subject, /^Not posted/);
    assert.match(bounce.text, /for this reason:/);
    assert.equal((await postsOf(s.threadId)).length, before);
    assert.equal(await t.db.selectFrom('post_attachments as a').innerJoin('posts as p', 'p.id', 'a.post_id').select('a.id').where('p.thread_id', '=', s.threadId).executeTakeFirst(), undefined);
  });

  test('a picture inside the message (a logo in a signature) is not attached to the post', async () => {
    const s = await scene();
    const logo = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#aa0000' } }).png().toBuffer();
    await send({
      from: s.ben.email,
      to: replyAddress({ ...t.config, inboundDomain: 'convene.test' }, s.ben.id, s.opening.id),
      subject: 'Re: check-ins',
      messageId: msgId(),
      html: '<p>Short answer from my phone.</p><p><img src="cid:logo@district"> Ben, District office</p>',
      attachments: [{ filename: 'logo.png', content: logo, contentType: 'image/png', cid: 'logo@district', contentDisposition: 'inline' }],
    });
    const last = (await postsOf(s.threadId)).at(-1)!;
    assert.equal(last.author_id, s.ben.id);
    assert.match(last.body, /^Short answer from my phone\./);
    assert.doesNotMatch(last.body, /cid:/);
    assert.equal(await t.db.selectFrom('post_attachments').select('id').where('post_id', '=', last.id).executeTakeFirst(), undefined);
  });

  test('over LMTP, a reply is posted the same way', async () => {
    const lmtp = await buildTestApp({ inboundSmtp: { host: '127.0.0.1', port: 0, lmtp: true }, inboundDomain: 'convene.test', inboundRelays: [] }, { dnsResolver: resolver });
    const ana = await buildUser(lmtp.db);
    const ben = await buildUser(lmtp.db);
    const group = await buildGroup(lmtp.db, { leadId: ana.id, memberIds: [ben.id] });
    const res = await lmtp.app.inject({ method: 'POST', url: `/api/v1/groups/${group.slug}/threads`, headers: bearer(await apiToken(lmtp.app, ana.email)), payload: { title: 'LMTP', body: 'Opening.' } });
    const threadId = res.json().id as number;
    const opening = await lmtp.db.selectFrom('posts').select('id').where('thread_id', '=', threadId).executeTakeFirstOrThrow();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: lmtp.app.mailListener!.port, lmtp: true, ignoreTLS: true } as never);
    try {
      await transport.sendMail({ from: ben.email, to: replyAddress(lmtp.config as never, ben.id, opening.id), subject: 'Re: LMTP', messageId: msgId(), text: 'Delivered by LMTP.' });
    } finally {
      transport.close();
    }
    const last = await lmtp.db.selectFrom('posts').select(['author_id', 'body']).where('thread_id', '=', threadId).orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.deepEqual(last, { author_id: ben.id, body: 'Delivered by LMTP.' });
  });
});

describe('configuration', () => {
  test('INBOUND_SMTP and its companions are read and checked at start', async () => {
    const { ConfigError, loadConfig } = await import('../platform/config.js');
    const base = { SESSION_SECRET: 'x'.repeat(40), CONVENE_DATA_DIR: '/tmp/convene-inbound-config', BASE_URL: 'https://talk.example.org' };
    const off = loadConfig(base);
    assert.equal(off.inboundSmtp, undefined);
    assert.equal(off.inboundDomain, undefined, 'no reply addresses unless mail in is configured');
    const on = loadConfig({ ...base, INBOUND_SMTP: '127.0.0.1:2525' });
    assert.deepEqual(on.inboundSmtp, { host: '127.0.0.1', port: 2525, lmtp: false });
    assert.equal(on.inboundDomain, 'talk.example.org');
    assert.deepEqual(on.inboundRelays, ['loopback']);
    assert.equal(on.inboundMaxBytes, 25 * 1024 * 1024);
    const v6 = loadConfig({ ...base, INBOUND_SMTP: '[::1]:24', INBOUND_PROTOCOL: 'LMTP', INBOUND_MAIL_DOMAIN: 'Mail.Example.org', INBOUND_RELAYS: '10.0.0.5,loopback', INBOUND_MAX_MB: '10' });
    assert.deepEqual(v6.inboundSmtp, { host: '::1', port: 24, lmtp: true });
    assert.equal(v6.inboundDomain, 'mail.example.org');
    assert.deepEqual(v6.inboundRelays, ['10.0.0.5', 'loopback']);
    assert.equal(v6.inboundMaxBytes, 10 * 1024 * 1024);
    assert.deepEqual(loadConfig({ ...base, INBOUND_MAIL_DOMAIN: 'talk.example.org' }).inboundDomain, 'talk.example.org');
    for (const [name, value] of [
      ['INBOUND_SMTP', '2525'],
      ['INBOUND_SMTP', 'localhost:99999'],
      ['INBOUND_PROTOCOL', 'imap'],
      ['INBOUND_MAIL_DOMAIN', 'not a domain'],
      ['INBOUND_RELAYS', 'mx.example.org'],
      ['INBOUND_MAX_MB', '0'],
    ] as const) {
      const env = { ...base, INBOUND_SMTP: '127.0.0.1:2525', [name]: value };
      assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && e.message.includes(name), `${name}=${value}`);
    }
  });
});
