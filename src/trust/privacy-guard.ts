/**
 * The student-privacy guard. Before text reaches other people (threads,
 * replies, edits, Dialogue Guide answers, resource and event descriptions,
 * mail-in posts), it looks for a child who could be identified: a person
 * named by first name, nickname, initials or full name, or "my son" / "mi
 * hija", together with a sensitive fact about them (a diagnosis, disability,
 * IEP/504 plan, special education, discipline, justice involvement,
 * self-harm, foster care, medication, hospitalization) and context that
 * narrows down who it is (a grade, class period, room, a teacher's class, a
 * named school with or without the word "School", an age). English and
 * Spanish.
 *
 * Names come from the `compromise` NLP library's lexicon (first names, last
 * names, places) plus one observation that holds in both languages: a
 * capitalized word that is no dictionary word (Jaylen, Kenji, DeShawn) is a
 * proper noun. A name that belongs to an adult (an honorific, a role, a
 * presenter, someone thanked) or to an organization, place or school is not
 * a child. A sensitive word used as a topic ("depression screening",
 * "students with IEPs") is not a fact about a person.
 *
 * It never blocks on its own: the author gets a warning saying what was found
 * and how to de-identify it, and decides. The labelled corpus beside this file
 * (privacy-corpus.tsv) measures recall and false alarms in the test output.
 */
import { createRequire } from 'node:module';
import nlp from 'compromise';
import { AppError } from '../platform/http/errors.js';

export type SensitiveCategory = 'diagnosis' | 'disability' | 'special_education' | 'discipline' | 'justice' | 'self_harm' | 'foster_care' | 'medication' | 'hospitalization';
export type PersonKind = 'full_name' | 'first_name' | 'initials' | 'relation';
export type ContextKind = 'school' | 'grade' | 'class' | 'age' | 'relation';

/** One identifiable child the guard found, and what makes them identifiable. */
export interface PrivacyFinding {
  person: { text: string; kind: PersonKind };
  sensitive: { text: string; category: SensitiveCategory };
  context: { text: string; kind: ContextKind }[];
}

// ---------------------------------------------------------------------------
// Word lists. Lower case, accents kept where the languages write them; lookups
// also try the word without accents.

const words = (s: string) => new Set(s.trim().split(/\s+/));

/** Capitalized words that never start a person's name. */
const NOT_NAMES = words(`
  i i'm i've i'd i'll a an the and or but if when while after before during since because so yet also then there here
  our your my his her their we you they he she it this that these those what who how why where which anyone everyone someone nobody
  hi hello hey dear thanks thank please sorry yes no ok okay update note fyi ps re fw question questions idea ideas
  monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december
  today tomorrow yesterday tonight week weekend month year spring summer fall winter autumn
  school schools elementary middle high primary academy charter prep preparatory intermediate junior senior montessori magnet
  district county state states department office center centre association council board university college institute
  national federal american community partnership network coalition foundation alliance group groups practice program programs project initiative
  team teams services service health mental behavioral behavior behaviour education special positive supports support systems system care
  family families youth parent parents student students teacher teachers principal counselor counselors staff class classroom
  psychiatry psychology medicine public law act plan policy court juvenile justice evidence based quality leadership involvement learning
  language military english spanish español inglés african black white latino latina latinx hispanic asian native indigenous god christmas easter
  ramadan thanksgiving iep ieps mtss pbis sel fba bip tier covid zoom teams google slack webinar webinars toolkit guide
  maryland ohio missouri illinois kentucky carolina south north new york virginia west texas california florida georgia michigan oregon
  washington colorado arizona nevada utah idaho montana wyoming alaska hawaii iowa kansas nebraska dakota minnesota wisconsin indiana
  tennessee alabama mississippi louisiana arkansas oklahoma pennsylvania jersey delaware connecticut massachusetts vermont maine hampshire
  rhode island puerto rico america usa us u.s
  el la los las un una unos unas y o pero si cuando mientras después antes durante desde porque también entonces aquí allí
  nuestro nuestra nuestros nuestras mi mis su sus tu tus yo él ella ellos ellas nosotros usted ustedes esto eso este esta estos estas ese esa
  qué quién cómo por para con sin sobre entre hoy mañana ayer ayer semana mes año hola buenos buenas saludos gracias querida querido estimada estimado
  escuela escuelas colegio primaria secundaria preparatoria instituto centro departamento secretaría asociación fundación red consejo universidad
  distrito condado estado familia familias jóvenes padres madres estudiante estudiantes alumno alumnos maestra maestro maestros salud mental
  educación especial programa proyecto grupo equipo comunidad nacional federal ley plan política apoyo apoyos servicios
  tiene tenía tuvo fue está estaba es son hay hace hizo le lo les se me nos no sí ya muy más menos todo toda todos todas cada otro otra
  alguien nadie alguno alguna algunos algunas mucho mucha muchos muchas poco poca pocos pocas ojalá quisiera necesito necesitamos tenemos
`);

/** Titles and roles: a name right after one of these is an adult. */
const ADULT_BEFORE = words(`
  mr mrs ms miss mx dr prof professor doctor coach principal superintendent judge officer director senator representative rep commissioner
  rev pastor counselor teacher psychologist nurse therapist coordinator facilitator colleague supervisor co-lead lead presenter speaker author
  researcher clinician advocate partner chair chairs president secretary manager specialist consultant dean chief trainer mentor
  sr sra srta dra lic maestra maestro profesora profesor directora consejera consejero psicóloga psicólogo coordinadora coordinador colega
  compañera compañero enfermera enfermero trabajadora trabajador doctora licenciada licenciado presidenta jueza juez
  thanks thank gracias hi hello hey dear hola querida querido estimada estimado welcome bienvenida bienvenido congratulations felicidades cc
`);

/** Roles after a name ("Dana Whitfield, our state coordinator"). */
const ADULT_ROLE_AFTER = words(`
  director coordinator superintendent principal teacher counselor psychologist nurse therapist facilitator lead co-lead chair president
  specialist manager consultant researcher professor author advocate liaison commissioner officer trainer clinician dean presenter speaker
  directora director coordinadora coordinador maestra maestro consejera consejero psicóloga psicólogo enfermera profesora profesor
  investigadora investigador presidenta
`);

/** What adults do in a community's posts: a name followed by one of these is not a child. */
const ADULT_VERBS = words(`
  presented presents presenting present facilitated facilitates facilitating facilitate moderated moderates moderating moderate hosted hosts hosting
  led leads leading wrote writes published publishes co-authored authored spoke speaks testified chairs directs coordinates coordinated trains trained
  recommends recommended shared shares sharing emailed posted organized organizes organizing reviewed reviews drafted drafts compiled
  presentó presenta presentará facilitó facilita facilitará moderó modera dirigió dirige coordina coordinó publicó escribió compartió comparte
  compartirá organizó organiza revisó recomienda recomendó habló
`);

/** Nouns that make a sensitive word a topic rather than a fact about someone. */
const TOPIC_AFTER = words(`
  screening screenings prevention awareness training trainings policy policies program programs rates rate data reform research curriculum
  toolkit toolkits guide guides guidance template templates form forms checklist process processes law laws workshop workshops webinar webinars
  module modules course courses handbook framework frameworks protocol protocols procedures requirements rights compliance month week
  team teams coordinator coordinators system systems practices strategies strategy services resources funding disparities trends referrals
  informed-care informed literacy specialist specialists teacher teachers classes classrooms students
  prevención detección capacitación política políticas programa programas tasas datos ley leyes taller talleres guía guías plantilla
  formulario formularios proceso procesos derechos recursos servicios estrategias
`);

/** Plural or general subjects: "students with IEPs", "kids on medication". */
const GENERIC_BEFORE = words(`
  students kids children youth teens adolescents families parents schools districts many most all some several few more fewer
  estudiantes alumnos niños niñas jóvenes adolescentes familias padres escuelas distritos muchos muchas algunos algunas varios varias
`);

/** Capital-letter words that are not someone's initials. */
const ACRONYMS = words(`
  iep ieps sel ot pt slp sw ed hr it ai am pm ok id tv us uk usa adhd add odd ocd ptsd asd tea toc tdah pei bip fba mtss pbis rti ell esl
  ese sped cps dcfs dif sro iss oss er icu ceo pta pto faq lgbt lgbtq aka etc ftp dc ny la tx ca fl oh md il ga nc va wa
  ny pdf csv cdc nih nasp nasw samhsa idea ferpa hipaa cop cop's ny fyi re na
`);

/** Pronouns that carry a person from one sentence to the next. */
const PRONOUNS = words(`he she they him her his hers their them él ella ellos su sus lo la le`);

/** Words that name a school ("Lincoln Elementary", "Escuela Juárez"). */
const SCHOOL_AFTER = words(`elementary middle high school academy primary charter prep preparatory intermediate montessori magnet k-8 jr`);
const SCHOOL_BEFORE = words(`escuela colegio primaria secundaria preparatoria liceo instituto kínder kinder`);

/** Words that make a capitalized run an organization. */
const ORG_WORDS = words(`
  department center centre university college district county association network coalition alliance foundation council board institute
  services partnership program project initiative team hospital clinic agency office committee federation society collaborative consortium
  commission court church club league inc llc corp group move
  departamento centro universidad distrito asociación red coalición alianza fundación consejo instituto servicios programa proyecto
  hospital clínica agencia oficina comité sociedad iglesia club grupo
`);

/** Child relations: "my son", "one of my students", "mi hija". */
const RELATION_NOUNS = words(`
  son daughter child kid kiddo grandson granddaughter niece nephew stepson stepdaughter student pupil client mentee foster
  hijo hija niño niña nieto nieta sobrino sobrina hijastro hijastra alumno alumna estudiante ahijado ahijada
`);
const RELATION_OWNERS = words(`my our his her their mi mis nuestro nuestra nuestros nuestras su sus`);

// ---------------------------------------------------------------------------
// Sensitive facts and identifying context, as patterns over the raw text.

const B = '(?<![\\p{L}\\p{N}])';
const E = '(?![\\p{L}\\p{N}])';
const rx = (body: string, flags = 'giu') => new RegExp(`${B}(?:${body})${E}`, flags);

const SENSITIVE: { category: SensitiveCategory; re: RegExp }[] = [
  {
    category: 'diagnosis',
    re: rx(
      [
        'adhd|autism|autistic|asperger\'?s?|on the spectrum|depress(?:ed|ion)|anxiety(?: disorder)?|panic attacks?|bipolar|ptsd|schizophreni[ac]|psychosis|psychotic',
        'eating disorder|anorexi[ac]|bulimi[ac]|conduct disorder|oppositional defiant|tourette\'?s?|fetal alcohol|epilep(?:sy|tic)|diabet(?:es|ic)|seizures?',
        'diagnos(?:is|ed|es)|dx\'?d|mental illness|abused|sexually abused|neglected|pregnant|substance use|using drugs|overdos(?:e|ed)|addict(?:ed|ion)|rehab',
        'trastorno(?: [\\p{L}]+)?|depresi[oó]n|deprimid[oa]|ansiedad|autismo|autista|tdah|bipolar|esquizofrenia|diagnosticad[oa]s?|diagnosticaron|diagn[oó]stico|abusad[oa]|embarazada|epilepsia|diabetes|adicci[oó]n',
      ].join('|'),
    ),
  },
  { category: 'diagnosis', re: /(?<![\p{L}\p{N}])(?:ADD|ODD|OCD|TOC|TEA)(?![\p{L}\p{N}])/gu },
  {
    category: 'disability',
    re: rx('disabilit(?:y|ies)|disabled|learning disabled|dyslexi[ac]|intellectual disability|emotional disturbance|deaf|blind|wheelchair|discapacidad|discapacitad[oa]|dislexia|sord[oa]|ciego|ciega|silla de ruedas'),
  },
  {
    category: 'special_education',
    re: rx(
      'ieps?|504(?: plan)?|plan 504|special ed(?:ucation)?|sped|resource room|self-contained (?:class|classroom)|behavior(?:al)? (?:intervention )?plan|bip|fba|evaluated for (?:special|services)|educaci[oó]n especial|pei|plan de comportamiento|plan de conducta|plan educativo individual(?:izado)?|programa de educaci[oó]n individualizad[oa]',
    ),
  },
  {
    category: 'discipline',
    re: rx(
      [
        'suspend(?:ed|ing)|suspension|suspensions|expel(?:led)?|expulsion|detention|sent (?:out|home|to the office)|written up|office referrals?|restrain(?:ed|t)|seclusion|secluded',
        'in-school suspension|iss|oss|alternative school|kicked out|suspendid[oa]s?|suspendieron|suspenden|suspensi[oó]n|expulsad[oa]s?|expulsaron|expulsan|expulsi[oó]n|castigad[oa]s?|castigan|castigaron|sujetaron|sujetan|aislaron|aislan|lo sacan|la sacan|lo sacaron|la sacaron|lo mandaron a la direcci[oó]n|la mandaron a la direcci[oó]n|sujetad[oa]|inmovilizad[oa]|aislad[oa]|reporte disciplinario',
      ].join('|'),
    ),
  },
  {
    category: 'justice',
    re: rx('arrest(?:ed)?|probation|parole|juvenile (?:court|detention|justice|hall)|juvie|charged with|court date|detention center|arrestad[oa]s?|arrestaron|detenid[oa]s?|detuvieron|libertad condicional|tribunal de menores|correccional|centro de detenci[oó]n'),
  },
  {
    category: 'self_harm',
    re: rx('self[- ]harm(?:ing)?|cutting (?:herself|himself|themselves|themself)|(?:been|is|was|started|starts|keeps|kept|began) cutting(?! (?:class|classes|costs?|budgets?|back|down|corners|hair|school|the|funding))|cuts (?:herself|himself)|suicid(?:e|al)|suicide attempt|tried to kill|wants to die|hurt(?:ing)? (?:herself|himself|themselves)|autolesi[oó]n|autolesiona|se corta|intento de suicidio|intent[oó] suicidarse|suicidas?|quiere morir|se hace daño|se lastima'),
  },
  {
    category: 'foster_care',
    re: rx('foster (?:care|home|placement|family|parents?)|in care|cps|dcfs|removed from (?:the|her|his|their) home|group home|kinship care|cuidado de crianza|hogar de acogida|hogar temporal|familia de acogida|bajo tutela|dif'),
  },
  {
    category: 'medication',
    re: rx('medications?|meds|medicated|adderall|ritalin|concerta|vyvanse|strattera|prozac|zoloft|lexapro|abilify|risperdal|seroquel|antidepressants?|medicamentos?|medicaci[oó]n|medicad[oa]|pastillas'),
  },
  {
    category: 'hospitalization',
    re: rx('hospitali[sz](?:ed|ation)|inpatient|psychiatric (?:hospital|unit|ward)|psych ward|emergency room|residential treatment|baker act(?:ed)?|hospitalizad[oa]s?|hospitalizaron|internad[oa]s?|internaron|hospital psiqui[aá]trico|sala de emergencias|urgencias'),
  },
];

const ORD_EN = 'first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|\\d{1,2}(?:st|nd|rd|th)';
const ORD_ES = 'primer|primero|primera|segundo|segunda|tercer|tercero|tercera|cuarto|cuarta|quinto|quinta|sexto|sexta|s[eé]ptimo|s[eé]ptima|octavo|octava|noveno|novena|d[eé]cimo|\\d{1,2}\\.?[ºª°o]';

const CONTEXT: { kind: ContextKind; re: RegExp }[] = [
  { kind: 'grade', re: rx(`(?:${ORD_EN})[- ]grader?s?|grade (?:\\d{1,2}|k)|kindergart(?:en|ner)s?|pre-?k|freshman|sophomore|(?:${ORD_ES}) (?:grado|año|de primaria|de secundaria)|(?:de|en) (?:${ORD_ES})(?= |,|\\.)|k[ií]nder|preescolar`) },
  { kind: 'class', re: rx(`(?:${ORD_EN}) period|period \\d|homeroom|room \\d+[a-z]?|(?:in|from) my (?:class|classroom|room|caseload)|my (?:\\d{1,2}(?:st|nd|rd|th) period|homeroom)|(?:en|de) mi (?:clase|sal[oó]n|grupo|aula)|sal[oó]n \\d+|aula \\d+`) },
  { kind: 'class', re: /(?<![\p{L}])(?:(?:Mr|Mrs|Ms|Miss|Dr|Coach)\.? \p{Lu}[\p{L}'’-]+[’']s (?:[\p{L}\p{N}-]+ ){0,3}(?:class|classroom|room|homeroom|team)|(?:clase|sal[oó]n|grupo) de(?: la| el)? (?:maestra|maestro|profesora|profesor|prof\.?|miss|mrs?\.?|ms\.?) \p{Lu}[\p{L}-]+)/gu },
  { kind: 'age', re: rx('\\d{1,2}[- ]years?[- ]old|age (?:\\d{1,2})|(?:de|tiene|tenía|cumplió) \\d{1,2} años') },
];

// ---------------------------------------------------------------------------
// Tokens

interface Token {
  text: string;
  lower: string;
  /** Lower case without accents, for the lexicon. */
  bare: string;
  start: number;
  end: number;
  sentence: number;
  sentenceInitial: boolean;
  kind: 'word' | 'initials' | 'punct';
}

const ABBREVIATIONS = words('mr mrs ms dr prof sr sra srta dra lic st jr mx vs etc e.g i.e no');
const bareOf = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const re = /((?:\p{Lu}\.\s?){2,4})|([\p{L}\p{N}][\p{L}\p{M}\p{N}'’-]*(?:\.(?=[\p{L}]\.))?)|([.!?¿¡;:\n(),"“”«»—])/gu;
  let sentence = 0;
  let initial = true;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const raw = m[0];
    if (m[3]) {
      const prev = out[out.length - 1];
      const ends = /[.!?;\n]/.test(raw) && !(raw === '.' && prev && prev.kind === 'word' && (ABBREVIATIONS.has(prev.lower) || /^\p{Lu}$/u.test(prev.text)));
      if (ends) {
        if (!initial) sentence++;
        initial = true;
      }
      out.push({ text: raw, lower: raw, bare: raw, start: m.index, end: m.index + raw.length, sentence, sentenceInitial: false, kind: 'punct' });
      continue;
    }
    const isInitials = !!m[1];
    const word = (isInitials ? raw.replace(/\s+/g, '') : raw).replace(/’/g, "'").replace(/[-']+$/, '');
    out.push({ text: word, lower: word.toLowerCase(), bare: bareOf(word), start: m.index, end: m.index + raw.trimEnd().length, sentence, sentenceInitial: initial, kind: isInitials ? 'initials' : 'word' });
    // "J.M. was restrained": the dots belong to the initials, not a sentence end.
    initial = false;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Names

let dictionary: Set<string> | undefined;
function isDictionaryWord(bare: string): boolean {
  if (!dictionary) {
    const require = createRequire(import.meta.url);
    dictionary = new Set(require('an-array-of-english-words') as string[]);
  }
  return dictionary.has(bare);
}

/** Loads the word list now (a server calls this at start, so no post pays for it). */
export function warmPrivacyGuard(): void {
  isDictionaryWord('school');
}

const lexicon = (nlp.model() as { one: { lexicon: Record<string, string | string[] | undefined> } }).one.lexicon;
function lexTags(bare: string): string {
  const tag = lexicon[bare];
  return Array.isArray(tag) ? tag.join(',') : (tag ?? '');
}
const PERSON_TAG = /FirstName|MaleName|FemaleName|Person|LastName|Honorific/;
const GIVEN_TAG = /FirstName|MaleName|FemaleName|Person/;
const NON_PERSON_TAG = /Place|City|Region|Country|Month|WeekDay|Date|Organization|Demonym|Language/;

const isCapitalized = (t: Token) => t.kind === 'word' && /^\p{Lu}/u.test(t.text) && /\p{Ll}/u.test(t.text);

/** Whether a capitalized word can be part of a person's name here. */
function nameLike(t: Token): boolean {
  if (!isCapitalized(t) || NOT_NAMES.has(t.lower) || NOT_NAMES.has(t.bare) || ADULT_BEFORE.has(t.bare)) return false;
  const tags = lexTags(t.bare);
  if (PERSON_TAG.test(tags)) return !/Month|WeekDay/.test(tags);
  if (NON_PERSON_TAG.test(tags)) return false;
  if (ORG_WORDS.has(t.bare)) return false;
  // An unknown word is a proper noun (Jaylen, Kenji, Nayeli).
  if (!isDictionaryWord(t.bare)) return true;
  // A dictionary word, capitalized mid-sentence, can still be a surname (Rivers, Banks)
  // when it follows a first name; the caller merges those.
  return false;
}

interface Person {
  text: string;
  kind: PersonKind;
  first: number;
  last: number;
  sentence: number;
  adult: boolean;
  child: boolean;
  /** A relation named through a parent ("Ms. Rivera's son"): identifying by itself. */
  namedParent?: boolean;
}

const prevWord = (tokens: Token[], i: number, n = 1): Token | undefined => {
  let j = i - 1;
  let k = 0;
  while (j >= 0) {
    if (tokens[j]!.kind !== 'punct') {
      k++;
      if (k === n) return tokens[j];
    } else if (tokens[j]!.text !== '.' && tokens[j]!.text !== ',') return undefined;
    j--;
  }
  return undefined;
};

function findPeople(tokens: Token[]): { people: Person[]; schools: { text: string; at: number }[] } {
  const people: Person[] = [];
  const schools: { text: string; at: number }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'initials') {
      people.push({ text: t.text, kind: 'initials', first: i, last: i, sentence: t.sentence, adult: false, child: false });
      continue;
    }
    // Initials without dots ("student JM", "JM (7th grade)"): only right after a child relation
    // or right before a parenthesis, and never a known acronym (IEP, SEL, OT…).
    if (t.kind === 'word' && /^\p{Lu}{2,3}$/u.test(t.text) && !ACRONYMS.has(t.lower)) {
      const before = prevWord(tokens, i);
      if ((before && RELATION_NOUNS.has(before.bare)) || tokens[i + 1]?.text === '(') {
        people.push({ text: t.text, kind: 'initials', first: i, last: i, sentence: t.sentence, adult: false, child: !!before && RELATION_NOUNS.has(before.bare) });
        continue;
      }
    }
    if (!isCapitalized(t)) continue;
    // A capitalized run: "DeShawn Carter", "Lincoln Elementary", "Youth MOVE National".
    let j = i;
    const run: Token[] = [];
    while (j < tokens.length && run.length < 6) {
      const u = tokens[j]!;
      const joinable = u.kind === 'word' && ((/^\p{Lu}/u.test(u.text) && /\p{Ll}/u.test(u.text)) || (run.length > 0 && /^(de|del|la|van|von|da|di)$/.test(u.lower) && tokens[j + 1] && /^\p{Lu}/u.test(tokens[j + 1]!.text)));
      if (!joinable || (run.length > 0 && u.sentence !== run[0]!.sentence)) break;
      run.push(u);
      j++;
      // A possessive ends a name: "Nayeli's IEP".
      if (/'s$/.test(u.text)) break;
    }
    // A first name and an initial: "Jayden M."
    if (run.length >= 1 && tokens[j]?.kind === 'word' && /^\p{Lu}$/u.test(tokens[j]!.text) && tokens[j + 1]?.text === '.') {
      run.push({ ...tokens[j]!, text: `${tokens[j]!.text}.` });
      j++;
    }
    const lowers = run.map((u) => u.bare);
    const before = prevWord(tokens, i);
    const isSchool = lowers.some((w) => SCHOOL_AFTER.has(w)) || (before && SCHOOL_BEFORE.has(before.bare)) || SCHOOL_BEFORE.has(lowers[0]!);
    if (isSchool) {
      schools.push({ text: (before && SCHOOL_BEFORE.has(before.bare) ? `${before.text} ` : '') + run.map((u) => u.text).join(' '), at: i });
      i = j - 1;
      continue;
    }
    if (lowers.some((w) => ORG_WORDS.has(w))) {
      i = j - 1;
      continue;
    }
    // "at Lincoln", "from Roosevelt": a place or a school's short name, unless it is a given name.
    if (before && /^(at|from|in|to|en|de|del)$/.test(before.lower) && !GIVEN_TAG.test(lexTags(lowers[0]!)) && !ADULT_BEFORE.has(lowers[0]!)) {
      if (/^(at|from)$/.test(before.lower) && run.every((u) => !isDictionaryWord(u.bare) || PERSON_TAG.test(lexTags(u.bare)))) schools.push({ text: run.map((u) => u.text).join(' '), at: i });
      i = j - 1;
      continue;
    }
    // The name itself: leading words that can be names; later capitalized words join it as surnames.
    let firstIdx = run.findIndex((u) => nameLike(u));
    // A lone capitalized dictionary word mid-sentence ("Update on Lily:") is a proper noun too.
    if (firstIdx < 0 && run.length === 1 && !run[0]!.sentenceInitial && !NOT_NAMES.has(run[0]!.bare) && !NOT_NAMES.has(run[0]!.lower) && !ADULT_BEFORE.has(run[0]!.bare) && !NON_PERSON_TAG.test(lexTags(run[0]!.bare))) firstIdx = 0;
    if (firstIdx < 0) {
      i = j - 1;
      continue;
    }
    // Sentence-initial dictionary words are ordinary words, unless the lexicon knows them as names;
    // so is a sentence-initial word before a colon ("Ayúdenme:", "Urgente:").
    const head = run[firstIdx]!;
    if (head.sentenceInitial && run.length === 1 && tokens[j]?.text === ':' && !GIVEN_TAG.test(lexTags(head.bare))) {
      i = j - 1;
      continue;
    }
    if (head.sentenceInitial && isDictionaryWord(head.bare) && !GIVEN_TAG.test(lexTags(head.bare))) {
      i = j - 1;
      continue;
    }
    const nameTokens = run.slice(firstIdx).filter((u) => !NOT_NAMES.has(u.bare) && !ORG_WORDS.has(u.bare));
    if (nameTokens.length === 0) {
      i = j - 1;
      continue;
    }
    const text = nameTokens.map((u) => u.text).join(' ').replace(/['’]s$/, '');
    const firstTok = i + firstIdx;
    const lastTok = j - 1;
    const adult = isAdult(tokens, firstTok, lastTok, run, firstIdx);
    const b1 = prevWord(tokens, firstTok);
    const b2 = prevWord(tokens, firstTok, 2);
    const child = !!b1 && (RELATION_NOUNS.has(b1.bare) || (b2 !== undefined && RELATION_NOUNS.has(b2.bare) && RELATION_OWNERS.has(b1.bare)));
    people.push({ text, kind: nameTokens.length >= 2 ? 'full_name' : 'first_name', first: firstTok, last: lastTok, sentence: t.sentence, adult: adult && !child, child });
    i = j - 1;
  }
  return { people, schools };
}

/** Honorifics, roles, presenters, people thanked or greeted: adults. */
function isAdult(tokens: Token[], first: number, last: number, run: Token[], firstIdx: number): boolean {
  if (run.slice(0, firstIdx).some((u) => ADULT_BEFORE.has(u.bare) || PERSON_TAG.test(lexTags(u.bare)) && /Honorific/.test(lexTags(u.bare)))) return true;
  const b1 = prevWord(tokens, first);
  const b2 = prevWord(tokens, first, 2);
  if (b1 && (ADULT_BEFORE.has(b1.bare) || /Honorific/.test(lexTags(b1.bare)))) return true;
  if (b1 && b2 && ADULT_BEFORE.has(b2.bare) && /^(to|a|our|nuestra|nuestro|la|el|you|all)$/.test(b1.lower)) return true;
  if (tokens[first - 1]?.text === '@') return true;
  // "moderated by Luis Hernández", "presentado por…"
  if (b1 && /^(by|por)$/.test(b1.lower) && b2 && (ADULT_VERBS.has(b2.lower) || /(ed|ado|ada|ido|ida)$/.test(b2.lower))) return true;
  // An appositive after a role: "the district's special education director, Angela Moore,"
  if (tokens[first - 1]?.text === ',') {
    for (let k = first - 2, n = 0; k >= 0 && n < 7 && tokens[k]!.sentence === tokens[first]!.sentence; k--) {
      if (tokens[k]!.kind !== 'word') continue;
      n++;
      if (ADULT_ROLE_AFTER.has(tokens[k]!.bare) || ADULT_ROLE_AFTER.has(tokens[k]!.lower)) return true;
    }
  }
  // After the name: ", our coordinator", "(2014)", "et al.", "from the …", "presented", "'s slides".
  const after = tokens.slice(last + 1, last + 6).filter((u) => u.kind !== 'punct' || u.text === '(' || u.text === ',');
  const a0 = after[0];
  if (a0?.text === ',' && after.slice(1, 4).some((u) => ADULT_ROLE_AFTER.has(u.bare))) return true;
  if (a0?.text === '(' && after[1] && /^\d{4}$/.test(after[1].text)) return true;
  if (a0 && /^(et|from|of)$/.test(a0.lower) && after[1] && !ADULT_BEFORE.has(after[1].bare) && (after[1].lower === 'al' || /^\p{Lu}/u.test(after[1].text) || after[1].lower === 'the')) return true;
  const nextWords = tokens.slice(last + 1, last + 4).filter((u) => u.kind === 'word');
  const possessive = /'s$/.test(tokens[last]!.text);
  if (!possessive && nextWords[0] && (ADULT_VERBS.has(nextWords[0].lower) || (/^(will|has|have|had|is|was|also|recently|just|va|ha|también)$/.test(nextWords[0].lower) && nextWords[1] && ADULT_VERBS.has(nextWords[1].lower)))) return true;
  if (/['’]s$/.test(tokens[last]!.text) && nextWords[0] && /^(slides|presentation|webinar|session|talk|research|book|report|team|office|article|paper|work|toolkit|guide)$/.test(nextWords[0].lower)) return true;
  return false;
}

/** "my son", "mi hija", "one of my students": a child without a name. */
function findRelations(tokens: Token[]): Person[] {
  const out: Person[] = [];
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'word' || !RELATION_NOUNS.has(t.bare.replace(/s$/, '')) && !RELATION_NOUNS.has(t.bare)) continue;
    const owner = prevWord(tokens, i);
    // "my son", or a named parent's: "Ms. Rivera's daughter" (the parent's name identifies the child).
    const namedParent = !!owner && /'s$/.test(owner.text) && isCapitalized(owner) && !RELATION_NOUNS.has(owner.bare.replace(/'s$/, ''));
    if (!owner || (!RELATION_OWNERS.has(owner.bare) && !namedParent)) continue;
    const plural = /s$/.test(t.bare) && !RELATION_NOUNS.has(t.bare);
    // Plural only as "one of my students" / "uno de mis alumnos".
    if (plural) {
      const of = prevWord(tokens, i, 2);
      const one = prevWord(tokens, i, 3);
      if (!(of && /^(of|de)$/.test(of.lower) && one && /^(one|uno|una)$/.test(one.bare))) continue;
    }
    out.push({ text: `${owner.text} ${t.text}`, kind: 'relation', first: i - 1, last: i, sentence: t.sentence, adult: false, child: true, namedParent });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Matching

interface Hit<K> {
  kind: K;
  text: string;
  at: number;
  sentence: number;
}

function tokenAt(tokens: Token[], offset: number): number {
  let lo = 0;
  let hi = tokens.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (tokens[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function sensitiveHits(text: string, tokens: Token[]): Hit<SensitiveCategory>[] {
  const out: Hit<SensitiveCategory>[] = [];
  for (const { category, re } of SENSITIVE) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) {
      const at = tokenAt(tokens, m.index);
      const endTok = tokenAt(tokens, m.index + m[0].length - 1);
      const next = tokens.slice(endTok + 1, endTok + 3).filter((u) => u.kind === 'word');
      const prev = [prevWord(tokens, at), prevWord(tokens, at, 2), prevWord(tokens, at, 3)].filter((u): u is Token => !!u);
      // A topic ("IEP template", "suicide prevention") or a group ("students with IEPs").
      if (next[0] && (TOPIC_AFTER.has(next[0].lower) || /^-?informed$/.test(next[0].lower))) continue;
      if (/-informed/i.test(text.slice(m.index + m[0].length, m.index + m[0].length + 10))) continue;
      if (prev.slice(0, 3).some((u) => GENERIC_BEFORE.has(u.bare) && u.sentence === tokens[at]!.sentence)) continue;
      out.push({ kind: category, text: m[0], at, sentence: tokens[at]!.sentence });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

function contextHits(text: string, tokens: Token[], schools: { text: string; at: number }[]): Hit<ContextKind>[] {
  const out: Hit<ContextKind>[] = schools.map((s) => ({ kind: 'school' as const, text: s.text, at: s.at, sentence: tokens[s.at]!.sentence }));
  for (const { kind, re } of CONTEXT) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) {
      const at = tokenAt(tokens, m.index);
      out.push({ kind, text: m[0], at, sentence: tokens[at]!.sentence });
    }
  }
  return out;
}

/** Is the sensitive fact said about this person (same clause, or the next sentence through a pronoun)? */
function attributed(tokens: Token[], p: Person, s: Hit<SensitiveCategory>): boolean {
  if (s.sentence === p.sentence) {
    if (s.at > p.last) {
      const between = tokens.slice(p.last + 1, s.at).filter((u) => u.kind === 'word');
      if (between.length > 14) return false;
      // Another person's action in between ("Maria shared the 504 plan…") is not about the child.
      return !between.some((u) => ADULT_VERBS.has(u.lower));
    }
    return p.first - s.at <= 8;
  }
  if (s.sentence === p.sentence + 1 || s.sentence === p.sentence + 2) {
    for (let k = s.at - 1; k >= 0 && tokens[k]!.sentence === s.sentence; k--) if (tokens[k]!.kind === 'word' && PRONOUNS.has(tokens[k]!.bare)) return true;
    return false;
  }
  return false;
}

/** Strips Markdown code, link targets and addresses so they are not read as prose. */
function prose(markdown: string): string {
  return markdown
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/`[^`]*`/g, ' ')
    .replace(/\]\([^)]*\)/g, ']')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/[*_~#>|]+/g, ' ');
}

/** Longest text the guard reads in one piece; longer texts are read in overlapping pieces. */
const PIECE = 20_000;

/** The identifiable children in a text (title, body and any other parts together); empty when none. */
export function checkStudentPrivacy(...texts: string[]): PrivacyFinding[] {
  const all = prose(texts.filter(Boolean).join('.\n'));
  const out: PrivacyFinding[] = [];
  const seen = new Set<string>();
  for (let start = 0; start < all.length; start += PIECE - 2_000) {
    for (const f of checkPiece(all.slice(start, start + PIECE))) {
      const key = `${f.person.text}|${f.sensitive.text}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(f);
      }
    }
    if (start + PIECE >= all.length) break;
  }
  return out;
}

function checkPiece(text: string): PrivacyFinding[] {
  const tokens = tokenize(text);
  if (tokens.length === 0) return [];
  const sensitive = sensitiveHits(text, tokens);
  if (sensitive.length === 0) return [];
  const { people, schools } = findPeople(tokens);
  const relations = findRelations(tokens);
  const context = contextHits(text, tokens, schools);
  // Looked up by sentence: a long text with many names and terms stays linear.
  const sensitiveBySentence = bySentence(sensitive);
  const contextBySentence = bySentence(context);
  const out: PrivacyFinding[] = [];
  for (const p of [...people, ...relations]) {
    if (p.adult) continue;
    const fact = nearby(sensitiveBySentence, p.sentence, 0, 2).find((s) => attributed(tokens, p, s));
    if (!fact) continue;
    const near = nearby(contextBySentence, p.sentence, -2, 2).filter((c) => !(c.at >= p.first && c.at <= p.last));
    const ctx = near.map((c) => ({ text: c.text, kind: c.kind }));
    if (p.child && p.kind !== 'relation') ctx.unshift({ text: relationText(tokens, p), kind: 'relation' });
    let identifiable: boolean;
    if (p.kind === 'relation') identifiable = p.namedParent === true || near.some((c) => c.kind === 'school' || c.kind === 'class');
    else if (p.kind === 'first_name') identifiable = p.child || near.length > 0;
    else identifiable = true;
    if (!identifiable) continue;
    out.push({ person: { text: p.text, kind: p.kind }, sensitive: { text: fact.text, category: fact.kind }, context: dedupe(ctx) });
  }
  // "my son Jaylen": the name carries the finding; drop the bare relation.
  return out.filter((f) => f.person.kind !== 'relation' || !out.some((g) => g !== f && g.person.kind !== 'relation' && g.context.some((c) => c.kind === 'relation')));
}

function bySentence<T extends { sentence: number }>(hits: T[]): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const h of hits) {
    const list = m.get(h.sentence);
    if (list) list.push(h);
    else m.set(h.sentence, [h]);
  }
  return m;
}

/** The hits in sentences `sentence + from` … `sentence + to`, in order. */
function nearby<T>(m: Map<number, T[]>, sentence: number, from: number, to: number): T[] {
  const out: T[] = [];
  for (let k = sentence + from; k <= sentence + to; k++) out.push(...(m.get(k) ?? []));
  return out;
}

function relationText(tokens: Token[], p: Person): string {
  const b1 = prevWord(tokens, p.first)!;
  const b2 = prevWord(tokens, p.first, 2);
  return b2 && RELATION_OWNERS.has(b2.bare) ? `${b2.text} ${b1.text}` : b1.text;
}

function dedupe<T extends { text: string }>(list: T[]): T[] {
  const seen = new Set<string>();
  return list.filter((x) => (seen.has(x.text) ? false : (seen.add(x.text), true)));
}

// ---------------------------------------------------------------------------
// The warning every posting command gives.

type Translate = (key: string, values?: Record<string, unknown>) => string;

/** The findings in the author's language: what was found, then how to de-identify it. */
export function privacyWarningText(t: Translate, findings: PrivacyFinding[]): string {
  const found: string[] = [];
  const steps: string[] = [];
  for (const f of findings) {
    const person = t(`privacy.person.${f.person.kind}`, { text: f.person.text });
    const contexts = f.context.map((c) => t(`privacy.context.${c.kind}`, { text: c.text }));
    found.push(t('privacy.finding', { person, category: t(`privacy.category.${f.sensitive.category}`), term: f.sensitive.text, context: contexts.length ? contexts.join(', ') : t('privacy.no_context') }));
    steps.push(t(f.person.kind === 'relation' ? 'privacy.fix_relation' : 'privacy.fix_name', { person }));
    for (const c of f.context) if (c.kind !== 'relation') steps.push(t(c.kind === 'school' ? 'privacy.fix_school' : 'privacy.fix_detail', { detail: t(`privacy.context.${c.kind}`, { text: c.text }) }));
  }
  return t('privacy.warning', { list: found.join('; '), steps: [...new Set(steps)].join('; ') });
}

/**
 * Warns (422 privacy_warning, the message on the `acknowledge_privacy` field)
 * when any of the texts seems to identify a student, unless the author has
 * already seen the warning and chosen to publish.
 */
export function privacyCheck(acknowledged: boolean | undefined, ...texts: (string | null | undefined)[]): void {
  if (acknowledged) return;
  const findings = checkStudentPrivacy(...texts.filter((x): x is string => !!x));
  if (findings.length === 0) return;
  throw new AppError('privacy_warning', { fields: { acknowledge_privacy: (t) => privacyWarningText(t, findings) } });
}
