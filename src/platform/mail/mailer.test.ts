import { Jobs } from '../jobs/jobs.js';
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { buildApp } from '../../app.js';
import { createMailer } from './mailer.js';
import { Agent, ENGINE, createTestDatabase, startSmtpCapture, testConfig } from '../../../test/helpers.js';

/** A real SMTP server on loopback that parses what it receives. */
let received: ParsedMail[] = [];
let port = 0;

before(async () => {
  ({ port, received } = await startSmtpCapture());
});

describe('mail over SMTP', () => {
  test('sign-up sends a verification message with plain text, HTML and a working link', async () => {
    const { db } = await createTestDatabase();
    const config = testConfig({ smtpUrl: `smtp://127.0.0.1:${port}` });
    const mailer = createMailer({ smtpUrl: config.smtpUrl, dataDir: config.dataDir, from: 'Convene <no-reply@convene.test>' });
    const app = await buildApp({ config, db, jobs: new Jobs(db), engine: ENGINE, mailer, logger: false });
    try {
      const agent = new Agent(app);
      const res = await agent.post('/signup', { name: 'Smtp Person', email: 'smtp.person@example.org', password: 'a long enough passphrase', birth_year: '1980' });
      assert.equal(res.statusCode, 303);
      const mail = received.find((m) => (m.to as { text: string }).text.includes('smtp.person@example.org'));
      assert.ok(mail, 'the message arrived at the SMTP server');
      assert.equal(mail.subject, 'Confirm your email address');
      assert.match(mail.from!.text, /no-reply@convene\.test/);
      assert.match(mail.text!, /Hello Smtp Person/);
      assert.ok(mail.html && mail.html.includes('<html lang="en">'));
      const link = /http:\/\/convene\.test(\/verify\?token=\S+)/.exec(mail.text!)![1]!;
      assert.equal((await agent.get(link)).statusCode, 303);
      const user = await db.selectFrom('users').select('email_verified_at').where('email', '=', 'smtp.person@example.org').executeTakeFirstOrThrow();
      assert.ok(user.email_verified_at);
    } finally {
      await app.close();
      mailer.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    }
  });

  test('a Spanish speaker gets mail in Spanish', async () => {
    const { db } = await createTestDatabase();
    const config = testConfig({ smtpUrl: `smtp://127.0.0.1:${port}` });
    const mailer = createMailer({ smtpUrl: config.smtpUrl, dataDir: config.dataDir, from: 'Convene <no-reply@convene.test>' });
    const app = await buildApp({ config, db, jobs: new Jobs(db), engine: ENGINE, mailer, logger: false });
    try {
      const agent = new Agent(app);
      await agent.get('/language/es');
      await agent.post('/signup', { name: 'Ana', email: 'ana@example.org', password: 'una frase bastante larga', birth_year: '1975' });
      const mail = received.find((m) => (m.to as { text: string }).text.includes('ana@example.org'));
      assert.equal(mail?.subject, 'Confirme su correo electrónico');
    } finally {
      await app.close();
      mailer.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    }
  });
});

describe('mail without SMTP', () => {
  test('each message is written as an .eml file in the outbox', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'convene-outbox-'));
    try {
      const mailer = createMailer({ dataDir: dir, from: 'Convene <no-reply@convene.test>' });
      await mailer.send({ to: 'a@example.org', subject: 'Hello there', text: 'Plain body', html: '<p>Plain body</p>' });
      const files = readdirSync(path.join(dir, 'outbox'));
      assert.equal(files.length, 1);
      assert.match(files[0]!, /\.eml$/);
      const parsed = await simpleParser(readFileSync(path.join(dir, 'outbox', files[0]!)));
      assert.equal(parsed.subject, 'Hello there');
      assert.equal(parsed.text?.trim(), 'Plain body');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
