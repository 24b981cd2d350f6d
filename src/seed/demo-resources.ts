/**
 * Demo library: resources across the practice groups, written for this demo
 * (titles and summaries are ours, not copies of real publications), with
 * share links, partner reports, use reports and some months of visits, so the
 * reach dashboard shows a believable picture on first start.
 */
export interface DemoResource {
  title: string;
  kind: string;
  groups: string[];
  audiences: string[];
  topics: string[];
  evidence: string;
  summary: string;
  orgs: string[];
  language?: 'en' | 'es';
  level?: string;
  a11y?: string[];
  visibility?: 'public' | 'members';
  /** Relative popularity (drives demo visits and reports). */
  weight: number;
}

export const RESOURCES: DemoResource[] = [
  { title: 'Building a shared school and community mental health team: a starter brief', kind: 'brief', groups: ['collaborative-culture'], audiences: ['administrator', 'school_mh', 'community_mh'], topics: ['teaming', 'partnerships'], evidence: 'promising', summary: 'How a school and a community provider can plan one team instead of two, who sits at the table, and what to agree on in the first month.', orgs: ['csmh'], a11y: ['tagged_pdf', 'plain_language'], weight: 9 },
  { title: 'Memorandum of understanding template for school–provider partnerships', kind: 'toolkit', groups: ['collaborative-culture', 'systems-of-care'], audiences: ['administrator', 'community_mh', 'policymaker'], topics: ['partnerships', 'agreements'], evidence: 'practice_informed', summary: 'An editable agreement covering space, referrals, information sharing, billing and how disagreements get settled.', orgs: ['csmh', 'idea-partnership'], weight: 7 },
  { title: 'Tiered supports and mental health: one framework, not two', kind: 'guide', groups: ['smh-and-pbs'], audiences: ['educator', 'school_mh', 'administrator'], topics: ['pbis', 'multi-tiered systems'], evidence: 'evidence_based', summary: 'Shows how behavior supports and mental health services fit into a single tiered system, with examples from three districts.', orgs: ['pbis-center', 'csmh'], a11y: ['tagged_pdf', 'alt_text'], weight: 10 },
  { title: 'Classroom check-in routines that support wellbeing', kind: 'infographic', groups: ['smh-and-pbs'], audiences: ['educator', 'youth'], topics: ['classroom practice', 'wellbeing'], evidence: 'emerging', summary: 'Five short routines teachers can use at the start of class to notice how students are doing and respond early.', orgs: ['pbis-center'], a11y: ['alt_text', 'plain_language'], weight: 8 },
  { title: 'Diversion before referral: keeping students in school and out of court', kind: 'brief', groups: ['juvenile-justice'], audiences: ['juvenile_justice', 'administrator', 'family'], topics: ['discipline', 'diversion'], evidence: 'promising', summary: 'What schools and courts can do together so that a behavior incident leads to support rather than a court referral.', orgs: ['idea-partnership'], a11y: ['plain_language'], weight: 6 },
  { title: 'Family guide to school discipline meetings', kind: 'guide', groups: ['juvenile-justice', 'families-in-partnership'], audiences: ['family', 'youth'], topics: ['discipline', 'family engagement'], evidence: 'practice_informed', summary: 'What happens at a discipline meeting, what you can ask for, and who can come with you. Written with parents who have been there.', orgs: ['ffcmh'], a11y: ['plain_language', 'tagged_pdf'], weight: 9 },
  { title: 'Guía para familias sobre las reuniones de disciplina escolar', kind: 'guide', groups: ['juvenile-justice', 'families-in-partnership'], audiences: ['family', 'youth'], topics: ['discipline', 'family engagement'], evidence: 'practice_informed', summary: 'Qué pasa en una reunión de disciplina, qué puede pedir y quién puede acompañarle. Escrita con madres y padres que lo han vivido.', orgs: ['ffcmh'], language: 'es', a11y: ['plain_language'], weight: 6 },
  { title: 'Systems of care in schools: a state planning worksheet', kind: 'toolkit', groups: ['systems-of-care'], audiences: ['policymaker', 'administrator'], topics: ['state planning', 'financing'], evidence: 'practice_informed', summary: 'A worksheet state teams use to map funding, services and gaps across education, mental health and child welfare.', orgs: ['idea-partnership'], level: 'state', weight: 5 },
  { title: 'Paying for school mental health: a plain guide to funding streams', kind: 'brief', groups: ['systems-of-care', 'quality-and-ebp'], audiences: ['administrator', 'policymaker'], topics: ['financing'], evidence: 'not_applicable', summary: 'The main ways services in schools are paid for, what each covers, and how districts combine them.', orgs: ['csmh'], a11y: ['tagged_pdf'], weight: 8 },
  { title: 'Questions families can ask about school mental health services', kind: 'infographic', groups: ['families-in-partnership'], audiences: ['family'], topics: ['family engagement'], evidence: 'practice_informed', summary: 'Ten questions to ask your school about who provides support, how to get it, and how you will be kept informed.', orgs: ['ffcmh'], a11y: ['alt_text', 'plain_language'], weight: 10 },
  { title: 'Preguntas que las familias pueden hacer sobre la salud mental en la escuela', kind: 'infographic', groups: ['families-in-partnership'], audiences: ['family'], topics: ['family engagement'], evidence: 'practice_informed', summary: 'Diez preguntas para hacer en su escuela sobre quién ofrece apoyo, cómo obtenerlo y cómo le mantendrán informado.', orgs: ['ffcmh'], language: 'es', a11y: ['alt_text', 'plain_language'], weight: 7 },
  { title: 'Families as partners in planning: a webinar recording', kind: 'webinar', groups: ['families-in-partnership', 'collaborative-culture'], audiences: ['family', 'administrator', 'school_mh'], topics: ['family engagement', 'teaming'], evidence: 'not_applicable', summary: 'A parent leader and a district director describe how they redesigned student-support planning with families at the table.', orgs: ['ffcmh', 'idea-partnership'], a11y: ['captions'], weight: 6 },
  { title: 'Transition planning with students who have disabilities and mental health needs', kind: 'guide', groups: ['youth-with-disabilities'], audiences: ['educator', 'youth', 'family'], topics: ['transition', 'disability'], evidence: 'promising', summary: 'Steps for including mental health goals in transition plans, led by the student, from middle school onward.', orgs: ['osep'], a11y: ['tagged_pdf', 'plain_language'], weight: 6 },
  { title: 'My plan, my voice: a youth-written guide to support meetings', kind: 'guide', groups: ['youth-with-disabilities', 'youth-leadership'], audiences: ['youth'], topics: ['youth voice', 'disability'], evidence: 'practice_informed', summary: 'Young people explain how to prepare for a meeting about your own supports and how to say what works for you.', orgs: ['youth-move'], a11y: ['plain_language', 'alt_text'], weight: 8 },
  { title: 'Learning the language: terms that differ between schools and clinics', kind: 'brief', groups: ['learning-the-language'], audiences: ['educator', 'community_mh', 'family', 'school_mh'], topics: ['shared language'], evidence: 'not_applicable', summary: 'Words like assessment, intervention and placement mean different things in different systems. This brief lines them up side by side.', orgs: ['idea-partnership'], a11y: ['plain_language'], weight: 7 },
  { title: 'Consultation between child psychiatrists and school teams', kind: 'brief', groups: ['psychiatry-and-schools'], audiences: ['physician', 'school_mh', 'administrator'], topics: ['consultation', 'medication'], evidence: 'promising', summary: 'Models for psychiatric consultation to schools, what it costs, and how teams decide which students to discuss.', orgs: ['aacap'], weight: 4 },
  { title: 'Medication questions school staff often ask', kind: 'infographic', groups: ['psychiatry-and-schools'], audiences: ['educator', 'school_mh'], topics: ['medication'], evidence: 'practice_informed', summary: 'Clear answers about side effects, timing and when to contact a family or prescriber, without giving medical advice.', orgs: ['aacap'], a11y: ['alt_text'], weight: 5 },
  { title: 'Measuring the quality of school mental health: a self-assessment', kind: 'toolkit', groups: ['quality-and-ebp'], audiences: ['administrator', 'school_mh', 'researcher'], topics: ['quality improvement', 'measurement'], evidence: 'evidence_based', summary: 'A self-assessment across teaming, screening, services and funding, with a way to set goals and track them each year.', orgs: ['csmh'], a11y: ['tagged_pdf'], weight: 9 },
  { title: 'Choosing evidence-based programs that fit your school', kind: 'guide', groups: ['quality-and-ebp'], audiences: ['administrator', 'school_mh', 'researcher'], topics: ['evidence-based practice'], evidence: 'evidence_based', summary: 'How to weigh research strength, fit with your students, staff capacity and cost before adopting a program.', orgs: ['csmh', 'nasp'], weight: 6 },
  { title: 'Universal screening: getting started without getting overwhelmed', kind: 'webinar', groups: ['quality-and-ebp', 'smh-and-pbs'], audiences: ['school_mh', 'administrator'], topics: ['screening'], evidence: 'promising', summary: 'A recorded session on choosing a screener, informing families, and making sure every positive screen gets a response.', orgs: ['nasp'], a11y: ['captions'], weight: 7 },
  { title: 'Culturally responsive practice in school mental health', kind: 'brief', groups: ['culturally-diverse-youth'], audiences: ['educator', 'school_mh', 'community_mh'], topics: ['culture', 'equity'], evidence: 'emerging', summary: 'Practices that help students from every background feel understood, and signs that a service is not reaching some groups.', orgs: ['idea-partnership'], a11y: ['plain_language'], weight: 6 },
  { title: 'Working with interpreters in family meetings', kind: 'guide', groups: ['culturally-diverse-youth', 'families-in-partnership'], audiences: ['educator', 'school_mh', 'family'], topics: ['language access', 'family engagement'], evidence: 'practice_informed', summary: 'Before, during and after: how to plan a meeting with an interpreter so the family is a full participant.', orgs: ['ffcmh'], a11y: ['plain_language'], weight: 5 },
  { title: 'Supporting students in military families through moves', kind: 'brief', groups: ['military-families'], audiences: ['educator', 'military_family', 'school_mh'], topics: ['transitions', 'military families'], evidence: 'promising', summary: 'What helps when a student changes schools often: records that travel, a welcome routine, and someone who checks in.', orgs: ['mcec'], weight: 5 },
  { title: 'Deployment and the classroom: a teacher’s quick guide', kind: 'infographic', groups: ['military-families'], audiences: ['educator', 'military_family'], topics: ['military families'], evidence: 'practice_informed', summary: 'Signs a student may be struggling during a parent’s deployment and small things teachers can do.', orgs: ['mcec'], a11y: ['alt_text'], weight: 4 },
  { title: 'Youth advisory councils in school mental health', kind: 'toolkit', groups: ['youth-leadership'], audiences: ['youth', 'administrator'], topics: ['youth voice'], evidence: 'emerging', summary: 'How to start a youth council that actually shapes services: recruiting, paying youth for their time, and closing the loop.', orgs: ['youth-move'], a11y: ['plain_language'], weight: 7 },
  { title: 'Peer support programs led by students', kind: 'video', groups: ['youth-leadership'], audiences: ['youth', 'educator'], topics: ['youth voice', 'peer support'], evidence: 'emerging', summary: 'Students from two high schools show how their peer support programs work and what adults did to help.', orgs: ['youth-move'], a11y: ['captions'], weight: 6 },
  { title: 'State initiative profiles: how six states organized', kind: 'research_article', groups: ['systems-of-care', 'collaborative-culture'], audiences: ['policymaker', 'researcher'], topics: ['state planning'], evidence: 'emerging', summary: 'A comparison of how six state initiatives set up leadership, funding and family partnership, with lessons across them.', orgs: ['idea-partnership', 'csmh'], level: 'state', weight: 4 },
  { title: 'The community of practice approach: a short introduction', kind: 'website', groups: ['collaborative-culture'], audiences: ['administrator', 'family', 'policymaker', 'educator'], topics: ['communities of practice'], evidence: 'not_applicable', summary: 'Why people from different systems learn faster together, and how this community organizes its work.', orgs: ['idea-partnership'], a11y: ['plain_language'], weight: 6 },
  { title: 'Dialogue guide: reading the family engagement brief together', kind: 'dialogue_guide', groups: ['families-in-partnership'], audiences: ['family', 'educator', 'administrator', 'school_mh'], topics: ['family engagement'], evidence: 'not_applicable', summary: 'Questions that help a mixed group react to the brief from each perspective and agree on next steps.', orgs: ['idea-partnership'], weight: 4 },
  { title: 'Crisis response planning for schools and community partners', kind: 'guide', groups: ['collaborative-culture', 'systems-of-care'], audiences: ['administrator', 'school_mh', 'community_mh'], topics: ['crisis response'], evidence: 'promising', summary: 'Who does what when a student is in crisis, how to connect with mobile crisis teams, and how to follow up afterward.', orgs: ['csmh', 'nasp'], a11y: ['tagged_pdf'], visibility: 'members', weight: 5 },
];

/** Partner share links: [resource index, organization slug, channel]. */
export const LINKS: [number, string, string][] = [
  [9, 'ffcmh', 'newsletter'],
  [5, 'ffcmh', 'email_list'],
  [2, 'pbis-center', 'conference'],
  [17, 'csmh', 'newsletter'],
  [13, 'youth-move', 'social'],
  [0, 'msde', 'email_list'],
  [19, 'nasp', 'newsletter'],
  [22, 'mcec', 'social'],
];

/** Partner reports: [resource index, organization slug, channel, recipients, days ago, audiences, states]. */
export const REPORTS: [number, string, string, number, number, string[], string[]][] = [
  [9, 'ffcmh', 'newsletter', 42000, 20, ['family'], ['OH', 'MD']],
  [5, 'ffcmh', 'email_list', 12500, 75, ['family'], ['OH']],
  [2, 'pbis-center', 'conference', 1800, 110, ['educator', 'administrator'], ['MO', 'IL']],
  [17, 'csmh', 'newsletter', 26000, 40, ['administrator', 'school_mh'], ['MD', 'SC']],
  [13, 'youth-move', 'social', 9400, 15, ['youth'], ['MO']],
  [0, 'msde', 'email_list', 3100, 130, ['administrator'], ['MD']],
  [19, 'nasp', 'newsletter', 58000, 60, ['school_mh'], []],
  [22, 'mcec', 'newsletter', 15000, 95, ['military_family', 'educator'], ['VA']],
  [8, 'csmh', 'training', 640, 200, ['administrator'], ['KY']],
  [10, 'ffcmh', 'newsletter', 8800, 25, ['family'], ['OH']],
  [24, 'youth-move', 'conference', 350, 160, ['youth'], ['MO']],
  [3, 'pbis-center', 'newsletter', 31000, 300, ['educator'], []],
];

/** Use reports: [resource index, how used, perspective, state, setting, quality, relevance, usefulness]. */
export const USES: [number, string, string, string, string, number, number, number][] = [
  [9, 'Printed copies for our family resource table at back-to-school night.', 'family', 'OH', 'school', 5, 5, 5],
  [9, 'Shared with parents before annual plan meetings.', 'school_mh', 'MD', 'school', 4, 5, 4],
  [2, 'Used the framework diagram in a district leadership retreat.', 'administrator', 'MO', 'district', 5, 4, 5],
  [17, 'Our team completed the self-assessment and set three goals.', 'school_mh', 'SC', 'school', 4, 5, 5],
  [5, 'Walked a family through it before a hearing.', 'family', 'OH', 'community', 5, 5, 5],
  [13, 'Our youth council used it to prepare members for their own meetings.', 'youth', 'MO', 'community', 5, 5, 4],
  [3, 'Added two routines to our advisory period.', 'educator', 'IL', 'school', 4, 4, 4],
  [8, 'Helped me explain braided funding to our school board.', 'administrator', 'KY', 'district', 4, 5, 5],
  [19, 'Planned our first screening window with the recording.', 'school_mh', 'MD', 'school', 3, 4, 4],
  [22, 'Gave it to new staff at a school near a base.', 'educator', 'VA', 'school', 4, 4, 4],
];
