/**
 * `npm run bench:glossary`: how many rendered posts per second the glossary
 * annotator marks up with a 2,000-term glossary (plus the demo's real terms).
 * Pure CPU, no database: the automaton is built once, as per glossary version.
 */
import { Annotator } from '../src/glossary/annotate.js';
import { renderMarkdown } from '../src/discussions/markdown.js';
import { GLOSSARY } from '../src/seed/demo-glossary.js';

const WORDS = 'school family team plan support student teacher meeting data service community health behavior learning progress review goal week'.split(' ');
const entries = [
  ...GLOSSARY.map((g, i) => ({ slug: `real-${i}`, term: g.term, acronym: g.acronym ?? null, alternates: [g.es] })),
  ...Array.from({ length: 2000 - GLOSSARY.length }, (_, i) => ({ slug: `t${i}`, term: `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} term ${i}`, acronym: `Q${i.toString(36).toUpperCase()}X` })),
];
const t0 = performance.now();
const annotator = new Annotator(entries);
const buildMs = performance.now() - t0;

// 1,000 posts of 20 to 2,000 characters with some real terms, some synthetic ones, lists, code and links.
const posts: string[] = [];
for (let i = 0; i < 1000; i++) {
  const len = 20 + ((i * 7919) % 1980);
  let text = '';
  let k = i;
  while (text.length < len) {
    k = (k * 1103515245 + 12345) % 2147483648;
    const pick = k % 20;
    text += pick === 0 ? ' the IEP team ' : pick === 1 ? ` ${entries[k % entries.length]!.term} ` : pick === 2 ? ' `PBIS` ' : pick === 3 ? ' [MTSS](https://example.org) ' : ` ${WORDS[k % WORDS.length]}`;
    if (pick === 4) text += '\n\n- a list item about wraparound\n\n';
  }
  posts.push(renderMarkdown(text.slice(0, len)));
}
let marks = 0;
for (const p of posts.slice(0, 50)) annotator.annotate(p); // warm
const start = performance.now();
const rounds = 5;
for (let r = 0; r < rounds; r++) for (const p of posts) marks += (annotator.annotate(p).match(/convene-term/g) ?? []).length;
const ms = performance.now() - start;
const perSecond = Math.round((posts.length * rounds) / (ms / 1000));
console.log(`Glossary annotation: ${entries.length} terms, automaton built in ${buildMs.toFixed(0)} ms`);
console.log(`| posts | ms | posts per second | terms marked per post |\n|---|---|---|---|\n| ${posts.length * rounds} | ${ms.toFixed(0)} | ${perSecond.toLocaleString('en-US')} | ${(marks / (posts.length * rounds)).toFixed(1)} |`);
