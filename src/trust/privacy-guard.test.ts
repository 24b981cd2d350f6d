import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkStudentPrivacy, privacyWarningText } from './privacy-guard.js';
import { translator } from '../platform/i18n/i18n.js';

const corpus = readFileSync(new URL('./privacy-corpus.tsv', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() && !l.startsWith('#'))
  .map((l) => {
    const [label, lang, text] = l.split('\t');
    return { identifying: label === 'id', lang: lang as 'en' | 'es', text: text! };
  });

describe('student-privacy guard: the labelled corpus', () => {
  test('has at least 200 posts in both languages, identifying and ordinary', () => {
    assert.ok(corpus.length >= 200, `${corpus.length} posts`);
    for (const lang of ['en', 'es'] as const) {
      assert.ok(corpus.filter((c) => c.lang === lang && c.identifying).length >= 30, `identifying ${lang}`);
      assert.ok(corpus.filter((c) => c.lang === lang && !c.identifying).length >= 30, `ordinary ${lang}`);
    }
  });

  test('recall ≥ 0.95 and false alarms ≤ 0.05', (t) => {
    const missed: string[] = [];
    const alarms: string[] = [];
    for (const c of corpus) {
      const flagged = checkStudentPrivacy(c.text).length > 0;
      if (c.identifying && !flagged) missed.push(c.text);
      if (!c.identifying && flagged) alarms.push(c.text);
    }
    const positives = corpus.filter((c) => c.identifying).length;
    const negatives = corpus.length - positives;
    const recall = (positives - missed.length) / positives;
    const falseAlarms = alarms.length / negatives;
    const figures = `privacy corpus: ${corpus.length} posts, recall ${recall.toFixed(3)} (${positives - missed.length}/${positives}), false alarms ${falseAlarms.toFixed(3)} (${alarms.length}/${negatives})`;
    t.diagnostic(figures);
    console.log(figures);
    for (const m of missed) t.diagnostic(`missed: ${m}`);
    for (const a of alarms) t.diagnostic(`false alarm: ${a}`);
    assert.ok(recall >= 0.95, figures);
    assert.ok(falseAlarms <= 0.05, figures);
  });
});

describe('student-privacy guard: what it reports', () => {
  test('first name, school, class period and the IEP', () => {
    const [f] = checkStudentPrivacy('Jaylen in 3rd period at Lincoln Elementary has an IEP and keeps getting sent out.');
    assert.equal(f!.person.text, 'Jaylen');
    assert.equal(f!.person.kind, 'first_name');
    assert.equal(f!.sensitive.category, 'special_education');
    assert.deepEqual(f!.context.map((c) => c.kind).sort(), ['class', 'school']);
    assert.ok(f!.context.some((c) => c.text === 'Lincoln Elementary'));
  });

  test('a full name with an inner capital, a school without the word "School"', () => {
    const [f] = checkStudentPrivacy('Our student DeShawn Carter at Roosevelt Middle just got placed on probation.');
    assert.equal(f!.person.text, 'DeShawn Carter');
    assert.equal(f!.sensitive.category, 'justice');
    assert.ok(f!.context.some((c) => c.kind === 'school' && c.text === 'Roosevelt Middle'));
  });

  test('initials, names with apostrophes and accents', () => {
    assert.equal(checkStudentPrivacy('J.M. (7th grade, Washington Middle School) was restrained twice this week.')[0]!.person.kind, 'initials');
    assert.equal(checkStudentPrivacy("Liam O'Connor in my 2nd period was suspended again.")[0]!.person.text, "Liam O'Connor");
    assert.equal(checkStudentPrivacy('Mi hija María José, de sexto grado, tiene depresión.')[0]!.person.text, 'María José');
  });

  test('the title counts, and Markdown code and link targets do not', () => {
    assert.equal(checkStudentPrivacy('About Kevin Walsh', 'He was arrested last week and missed his IEP meeting.').length, 1);
    assert.deepEqual(checkStudentPrivacy('Use `Jayden Morris in 3rd grade was suspended` only as a code sample.'), []);
    assert.deepEqual(checkStudentPrivacy('See [the slides](https://example.org/jaylen-3rd-grade-suspended) from the webinar.'), []);
  });

  test('a long post is read to its end', () => {
    const filler = 'Our district met with families about attendance and transportation. '.repeat(600);
    assert.equal(checkStudentPrivacy(filler + 'Jaylen in 3rd period at Lincoln Elementary has an IEP.').length, 1);
  });

  test('the warning says what was found and how to de-identify, in the author’s language', () => {
    const findings = checkStudentPrivacy('Jaylen in 3rd period at Lincoln Elementary has an IEP and keeps getting sent out.');
    const en = privacyWarningText(translator('en'), findings);
    assert.match(en, /the student’s first name “Jaylen”/);
    assert.match(en, /the school “Lincoln Elementary”/);
    assert.match(en, /replace the student’s first name “Jaylen” with “a student”/);
    const es = privacyWarningText(translator('es'), checkStudentPrivacy('Mi hija Valentina, de sexto grado, tiene depresión y la escuela no responde.'));
    assert.match(es, /el nombre de pila del estudiante «Valentina»/);
    assert.match(es, /un diagnóstico/);
    assert.doesNotMatch(es, /student|school/);
  });
});
