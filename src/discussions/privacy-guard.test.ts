import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { checkStudentPrivacy } from './privacy-guard.js';

describe('student-privacy guard: true positives', () => {
  const cases: [string, string][] = [
    ['Jayden Morris in 7th grade was suspended twice this month.', 'Jayden Morris'],
    ['My student Maria Gonzalez has an IEP for autism and struggles with transitions.', 'Maria Gonzalez'],
    ['Ana Lucia Perez at Lincoln Elementary keeps getting detention.', 'Ana Lucia Perez'],
    ['Jayden M. was diagnosed with ADHD last year and is on medication.', 'Jayden M.'],
    ['We worry about Tyler Brooks. He mentioned self-harm to his counselor.', 'Tyler Brooks'],
    ['Sofia Ramirez, a sophomore, was expelled after the incident.', 'Sofia Ramirez'],
    ['Does anyone know how to support Liam O’Connor with his 504 plan?', "Liam O'Connor"],
  ];
  for (const [text, name] of cases) {
    test(text, () => {
      const findings = checkStudentPrivacy(text);
      assert.ok(findings.length > 0, 'flagged');
      assert.equal(findings[0]!.name, name);
    });
  }

  test('the title counts too', () => {
    assert.equal(checkStudentPrivacy('Question about Kevin Walsh', 'He was arrested last week and missed his IEP meeting.').length, 1);
  });
});

describe('student-privacy guard: false positives avoided', () => {
  const clean = [
    'The Positive Behavior Supports framework helps schools reduce suspensions.',
    'Maryland State Department of Education released guidance on 504 plans.',
    'Weist and Lever found that depression screening works in schools.',
    'Mark Weist (2014) reported on anxiety interventions in middle schools.',
    'Dana Whitfield will facilitate the call on Tuesday.',
    'Our district reduced suspensions by 30% last year.',
    'Use the `Jayden Morris suspended` example only in training code.',
    'Family leaders in Ohio met with the Youth MOVE National team about juvenile justice diversion.',
    'Seventh graders in our school planned a kindness week.',
    'See [Rosa Delgado](https://example.org/expelled-students) for the slides.',
  ];
  for (const text of clean) {
    test(text, () => {
      assert.deepEqual(checkStudentPrivacy(text), []);
    });
  }
});
