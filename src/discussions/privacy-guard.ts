/**
 * The student-privacy guard: a heuristic that notices when a post seems to
 * describe an identifiable student (a person's full name near words about a
 * diagnosis, disability, IEP/504 plan, discipline, a grade or a school), so the
 * author can be warned before publishing and asked to de-identify. It never
 * blocks on its own: the author decides. All rules live here, with their own
 * tests of true and false positives (privacy-guard.test.ts).
 */

export interface PrivacyFinding {
  /** The name-like words that were found. */
  name: string;
  /** The sensitive word or phrase near it. */
  term: string;
}

/** How many words apart a name and a sensitive term may be to count as "near". */
const WINDOW = 20;

const SENSITIVE: { label: string; re: RegExp }[] = [
  { label: 'diagnosis', re: /\b(adhd|add|autism|autistic|asperger'?s?|asd|depress(ed|ion)|anxiety|bipolar|ptsd|schizophreni[ac]|odd|oppositional defiant|conduct disorder|eating disorder|anorexi[ac]|bulimi[ac]|ocd|self[- ]harm(ing)?|cutting|suicid(e|al)|psychosis|psychotic|diagnos(is|ed|es)|medication|meds|trauma(tized)?|abuse[d]?)\b/i },
  { label: 'disability or special education', re: /\b(iep|504( plan)?|special ed(ucation)?|sped|disabilit(y|ies)|learning disabled|intellectual disability|emotional disturbance|ebd|dyslexi[ac]|evaluation for services|eligib(le|ility))\b/i },
  { label: 'discipline', re: /\b(suspend(ed|ion)|expel(led)?|expulsion|detention|arrest(ed)?|juvenile (court|detention|justice)|probation|truant|truancy|referral to (the )?police|restrain(ed|t)|seclusion|secluded)\b/i },
  { label: 'grade', re: /\b((1st|2nd|3rd|[4-9]th|1[0-2]th|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth)[- ]grader?s?|grade [1-9]|grade 1[0-2]|kindergarten(er)?|freshman|sophomore|junior year|senior year)\b/i },
  { label: 'school', re: /\b[A-Z][a-z]+ (Elementary|Middle|High|Primary|Junior High|Academy|Charter)( School)?\b/ },
];

/** Capitalized words that start "names" but are not people. */
const NOT_NAME_WORDS = new Set(
  (
    'The A An And Or But If When While After Before During Since Because Our Your My His Her Their We You They He She It This That These Those ' +
    'Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September October November December ' +
    'School Schools Elementary Middle High Academy Charter District County State Department Office Center Centre Association Council Board University College Institute ' +
    'National Federal American Community Partnership Network Coalition Foundation Alliance Group Practice Program Project Initiative Team Services Health Mental Behavioral ' +
    'Education Special Positive Behavior Supports Systems System Care Family Families Youth Parent Parents Student Students Teacher Teachers Principal Counselor Dr Mr Mrs Ms ' +
    'Psychiatry Psychology Medicine Public Law Act Plan Policy Court Juvenile Justice Evidence Based Quality Leadership Involvement Learning Language Military Hello Hi Thanks Thank ' +
    'Maryland Ohio Missouri Illinois Kentucky Carolina South North New York Virginia West Texas California Florida Georgia'
  ).split(' '),
);

// Smith, O'Connor, Smith-Jones, McKay.
const NAME_WORD = /^[A-Z](?:[a-z]+|'[A-Z][a-z]+)(?:['-][A-Z]?[a-z]+)?$/;
const INITIAL = /^[A-Z]\.$/;

interface Token {
  word: string;
  index: number;
  sentenceStart: boolean;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /[A-Za-zÀ-ÿ0-9'’.-]+|[.!?]/g;
  let m: RegExpExecArray | null;
  let sentenceStart = true;
  let i = 0;
  while ((m = re.exec(text))) {
    const w = m[0].replace(/’/g, "'");
    if (/^[.!?]$/.test(w)) {
      sentenceStart = true;
      continue;
    }
    const clean = w.replace(/[.]+$/, (dots) => (/^[A-Z]\.$/.test(w) ? dots : ''));
    tokens.push({ word: clean, index: i++, sentenceStart });
    sentenceStart = /[.!?]$/.test(w) && !/^[A-Z]\.$/.test(w);
  }
  return tokens;
}

/**
 * Person-like names: two or three capitalized words in a row ("Jayden Morris",
 * "Ana Lucia Perez"), or a first name and an initial ("Jayden M."). Words that
 * are usually not names, and citations ("Weist (2014)", "Lever et al."), are skipped.
 */
function names(text: string): { name: string; start: number; end: number }[] {
  const tokens = tokenize(text);
  const out: { name: string; start: number; end: number }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const first = tokens[i]!;
    if (!NAME_WORD.test(first.word) || NOT_NAME_WORDS.has(first.word)) continue;
    const parts = [first.word];
    let j = i + 1;
    while (j < tokens.length && parts.length < 3 && (NAME_WORD.test(tokens[j]!.word) || (parts.length >= 1 && INITIAL.test(tokens[j]!.word)))) {
      if (NOT_NAME_WORDS.has(tokens[j]!.word)) break;
      parts.push(tokens[j]!.word);
      if (INITIAL.test(tokens[j]!.word)) {
        j++;
        break;
      }
      j++;
    }
    if (parts.length < 2) continue;
    const name = parts.join(' ');
    // A citation: "Smith Jones (2019)" or "Smith et al."
    const after = text.slice(text.indexOf(name) + name.length, text.indexOf(name) + name.length + 12);
    if (/^\s*(\(\d{4}|et al|,\s*\d{4})/.test(after)) {
      i = j - 1;
      continue;
    }
    out.push({ name, start: first.index, end: tokens[j - 1]!.index });
    i = j - 1;
  }
  return out;
}

function sensitiveTerms(text: string): { term: string; index: number }[] {
  const tokens = tokenize(text);
  const out: { term: string; index: number }[] = [];
  // Map character offsets to token indexes by re-scanning the text.
  const offsets: number[] = [];
  const re = /[A-Za-zÀ-ÿ0-9'’.-]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) offsets.push(m.index);
  for (const { re: rule } of SENSITIVE) {
    const g = new RegExp(rule.source, rule.flags.includes('g') ? rule.flags : rule.flags + 'g');
    let s: RegExpExecArray | null;
    while ((s = g.exec(text))) {
      let idx = offsets.findIndex((o) => o > s!.index) - 1;
      if (idx < 0) idx = offsets.length - 1;
      out.push({ term: s[0], index: Math.min(idx, tokens.length - 1) });
    }
  }
  return out;
}

/** Strips Markdown code and link targets so they are not read as prose. */
function prose(markdown: string): string {
  return markdown
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/`[^`]*`/g, ' ')
    .replace(/\]\([^)]*\)/g, ']')
    .replace(/https?:\/\/\S+/g, ' ');
}

/** The findings for a post (title and body together); empty when nothing looks identifying. */
export function checkStudentPrivacy(...texts: string[]): PrivacyFinding[] {
  const text = prose(texts.filter(Boolean).join('.\n'));
  const found = names(text);
  if (found.length === 0) return [];
  const terms = sensitiveTerms(text);
  const out: PrivacyFinding[] = [];
  const seen = new Set<string>();
  for (const n of found) {
    const near = terms.find((t) => t.index >= n.start - WINDOW && t.index <= n.end + WINDOW);
    if (near && !seen.has(n.name)) {
      seen.add(n.name);
      out.push({ name: n.name, term: near.term });
    }
  }
  return out;
}
