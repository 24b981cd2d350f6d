import { MORE_MEMBERSHIPS, MORE_ORGANIZATIONS, MORE_PEOPLE, MORE_STATES, MORE_THREADS } from './demo-more.js';
/**
 * The demo community: the National Community of Practice on Collaborative
 * School Behavioral Health, with its real facilitators, funders and practice
 * groups. Every description is written for Convene; the people are fictional.
 */

export const COMMUNITY = {
  name: 'National Community of Practice on Collaborative School Behavioral Health',
  short_name: 'National CoP',
  tagline: 'Schools, families and communities, learning together.',
  mission:
    'State agencies, national organizations, families, youth and practitioners working side by side so that schools, families and communities share responsibility for the mental health and learning of every student.',
  shared_agenda:
    'Education, mental health and families set one agenda together rather than three separate ones. We agree on the problems worth solving first, we plan and learn across systems, and we measure success by whether useful resources reach the people who need them and are actually put to use.\n\nEvery practice group ties its priorities to this shared agenda, and every step starts with the same question: who else cares about this, and who is not yet at the table?',
  reach_goal: 4_500_000,
  website: null,
};

export interface DemoOrg {
  slug: string;
  name: string;
  short_name?: string;
  kind: 'facilitator' | 'funder' | 'member' | 'state_agency' | 'ta_center' | 'university' | 'family_org' | 'youth_org' | 'other';
  level: 'local' | 'state' | 'national' | 'international';
  states?: string[];
  website?: string;
  description: string;
}

const BASE_ORGANIZATIONS: DemoOrg[] = [
  {
    slug: 'idea-partnership',
    name: 'IDEA Partnership at the National Association of State Directors of Special Education',
    short_name: 'IDEA Partnership (NASDSE)',
    kind: 'facilitator',
    level: 'national',
    description: 'Co-facilitates the National CoP. Brings decades of experience convening state and national stakeholders around special education through shared work rather than one-way training.',
  },
  {
    slug: 'csmh',
    name: 'Center for School Mental Health, University of Maryland School of Medicine',
    short_name: 'CSMH',
    kind: 'facilitator',
    level: 'national',
    states: ['MD'],
    description: 'Co-facilitates the National CoP. A research and technical-assistance center that helps schools and communities build comprehensive school mental health systems.',
  },
  {
    slug: 'osep',
    name: 'Office of Special Education Programs, U.S. Department of Education',
    short_name: 'OSEP',
    kind: 'funder',
    level: 'national',
    description: 'Federal office that supports the IDEA Partnership’s facilitation of the community.',
  },
  {
    slug: 'hrsa',
    name: 'Health Resources and Services Administration',
    short_name: 'HRSA',
    kind: 'funder',
    level: 'national',
    description: 'Federal agency that supports the Center for School Mental Health’s part in the community.',
  },
  { slug: 'nasp', name: 'National Association of School Psychologists', short_name: 'NASP', kind: 'member', level: 'national', description: 'Professional association for school psychologists; brings the view of school-employed mental health providers.' },
  { slug: 'asca', name: 'American School Counselor Association', short_name: 'ASCA', kind: 'member', level: 'national', description: 'Professional association for school counselors at every grade level.' },
  { slug: 'sswaa', name: 'School Social Work Association of America', short_name: 'SSWAA', kind: 'member', level: 'national', description: 'Represents school social workers, who connect students and families with supports inside and outside school.' },
  { slug: 'ffcmh', name: 'National Federation of Families', kind: 'family_org', level: 'national', description: 'Family-run organization that makes sure families of children with mental health needs have a real voice in decisions.' },
  { slug: 'youth-move', name: 'Youth MOVE National', kind: 'youth_org', level: 'national', description: 'Youth-led organization that builds young people’s leadership in the systems that serve them.' },
  { slug: 'aacap', name: 'American Academy of Child and Adolescent Psychiatry', short_name: 'AACAP', kind: 'member', level: 'national', description: 'Professional body for child and adolescent psychiatrists, including those who consult to schools.' },
  { slug: 'mcec', name: 'Military Child Education Coalition', short_name: 'MCEC', kind: 'member', level: 'national', description: 'Works for quality education for children of military families, who change schools often.' },
  { slug: 'pbis-center', name: 'Center on Positive Behavioral Interventions and Supports', short_name: 'PBIS Center', kind: 'ta_center', level: 'national', description: 'Technical-assistance center for tiered, school-wide behavior support.' },
  { slug: 'msde', name: 'Maryland State Department of Education', short_name: 'MSDE', kind: 'state_agency', level: 'state', states: ['MD'], description: 'State education agency for Maryland.' },
  { slug: 'md-bha', name: 'Maryland Behavioral Health Administration', kind: 'state_agency', level: 'state', states: ['MD'], description: 'State mental health authority for Maryland.' },
  { slug: 'ohio-ode', name: 'Ohio Department of Education and Workforce', kind: 'state_agency', level: 'state', states: ['OH'], description: 'State education agency for Ohio.' },
  { slug: 'ohio-mha', name: 'Ohio Department of Behavioral Health', kind: 'state_agency', level: 'state', states: ['OH'], description: 'State mental health and addiction services authority for Ohio.' },
  { slug: 'sc-ed', name: 'South Carolina Department of Education', kind: 'state_agency', level: 'state', states: ['SC'], description: 'State education agency for South Carolina.' },
  { slug: 'sc-dmh', name: 'South Carolina Department of Mental Health', kind: 'state_agency', level: 'state', states: ['SC'], description: 'State mental health authority for South Carolina.' },
  { slug: 'mo-dese', name: 'Missouri Department of Elementary and Secondary Education', kind: 'state_agency', level: 'state', states: ['MO'], description: 'State education agency for Missouri.' },
  { slug: 'mo-dmh', name: 'Missouri Department of Mental Health', kind: 'state_agency', level: 'state', states: ['MO'], description: 'State mental health authority for Missouri.' },
  { slug: 'il-isbe', name: 'Illinois State Board of Education', kind: 'state_agency', level: 'state', states: ['IL'], description: 'State education agency for Illinois.' },
  { slug: 'ky-kde', name: 'Kentucky Department of Education', kind: 'state_agency', level: 'state', states: ['KY'], description: 'State education agency for Kentucky.' },
];

/** Facilitators and the funder that supports each. */
export const COMMUNITY_ROLES = [
  { facilitator: 'idea-partnership', funder: 'osep' },
  { facilitator: 'csmh', funder: 'hrsa' },
];

const BASE_STATE_INITIATIVES: { state_code: string; name: string; status: 'exploring' | 'active' | 'sustaining' | 'paused'; education: string | null; mental_health: string | null; description: string }[] = [
  { state_code: 'MD', name: 'Maryland School Mental Health Initiative', status: 'sustaining', education: 'msde', mental_health: 'md-bha', description: 'Joins the state’s education and behavioral health agencies with family and provider groups to expand school mental health in every county.' },
  { state_code: 'OH', name: 'Ohio Community Collaborative for School Behavioral Health', status: 'active', education: 'ohio-ode', mental_health: 'ohio-mha', description: 'Builds regional teams that link schools with community providers and family organizations.' },
  { state_code: 'SC', name: 'South Carolina School Behavioral Health Community', status: 'active', education: 'sc-ed', mental_health: 'sc-dmh', description: 'Supports clinicians placed in schools and the districts that host them, with a shared set of quality measures.' },
  { state_code: 'MO', name: 'Missouri School Mental Health Collaborative', status: 'active', education: 'mo-dese', mental_health: 'mo-dmh', description: 'Aligns tiered behavior support in schools with community mental health services.' },
  { state_code: 'IL', name: 'Illinois Children’s Mental Health Partnership in Schools', status: 'exploring', education: 'il-isbe', mental_health: null, description: 'Early planning for a statewide school mental health practice network.' },
  { state_code: 'KY', name: 'Kentucky Collaborative for School-Based Behavioral Health', status: 'active', education: 'ky-kde', mental_health: null, description: 'Connects school-based health services with regional mental health centers.' },
];

export interface DemoGroup {
  slug: string;
  name: string;
  short_name?: string;
  led_by: 'family' | 'youth' | 'none';
  mission: string;
  priorities: string[];
}

export const GROUPS: DemoGroup[] = [
  {
    slug: 'collaborative-culture',
    name: 'Building a Collaborative Culture for Student Mental Health',
    led_by: 'none',
    mission:
      'School-employed and community-employed mental health providers, educators and families trade ideas and work out together how to support students’ social, emotional and academic growth. The group collects practical examples of schools that made collaboration part of how they work, across many programs and providers at once.',
    priorities: [
      'Gather working examples of collaboration among school and community providers',
      'Describe the conditions that let a culture of collaboration last',
      'Help schools coordinate many initiatives instead of stacking them',
    ],
  },
  {
    slug: 'smh-and-pbs',
    name: 'Connecting School Mental Health and Positive Behavior Supports',
    led_by: 'none',
    mission:
      'A meeting place for families, researchers, administrators and practitioners who want school mental health and positive behavior support to work as one system. Both approaches stress prevention and a continuum of support for every student; the group clarifies how they fit together so practice on the ground is seamless.',
    priorities: [
      'Clarify how school mental health and tiered behavior support relate',
      'Share models that integrate the two at school and district level',
      'Bring families and practitioners into the design of integrated systems',
    ],
  },
  {
    slug: 'juvenile-justice',
    name: 'Connecting School Mental Health with Juvenile Justice and Dropout Prevention',
    led_by: 'none',
    mission:
      'Works across stakeholder groups so that school mental health, juvenile justice and dropout prevention are coordinated, and so that guidance on linking them is easy to find and use.',
    priorities: [
      'Reduce truancy, unnecessary suspensions and expulsions, dropout and delinquency',
      'Build school and community capacity to meet the needs of youth and families',
      'Support smooth transitions between systems',
      'Encourage joint professional development for school and justice staff',
      'Strengthen school connectedness and family partnership',
      'Promote diversion and early intervention for youth in or at risk of detention',
    ],
  },
  {
    slug: 'systems-of-care',
    name: 'Education: An Essential Component of Systems of Care',
    short_name: 'EESOC',
    led_by: 'none',
    mission:
      'Treats schools as full partners with child-serving agencies and families in community-based systems of care for children and youth with, or at risk of, emotional and behavioral challenges. Supports resource sharing, cross-agency training and joint professional development.',
    priorities: [
      'Make learning a recognized part of social and emotional health',
      'Share resources and training across agencies',
      'Look at the needs of children and families through a whole-system lens',
    ],
  },
  {
    slug: 'families-in-partnership',
    name: 'Families in Partnership with Schools and Communities',
    led_by: 'family',
    mission:
      'Led by family members and grounded in family-driven principles, this group helps families take part in school-community collaboratives and builds the capacity and structures a shared agenda needs.',
    priorities: [
      'Help families speak up for their needs with districts, communities, states and national bodies',
      'Champion family participation in every practice group',
      'Show schools, systems and policy groups why family voice belongs in policy work',
      'Give family leaders a place to work together on needs, priorities and opportunities',
      'Support the work of families',
    ],
  },
  {
    slug: 'youth-with-disabilities',
    name: 'Improving School Mental Health for Youth with Disabilities',
    led_by: 'none',
    mission:
      'Brings schools, mental health agencies, providers, youth and caregivers together so that students with disabilities get quality mental health services at school, coordinated with their learning, in the least restrictive environment.',
    priorities: [
      'Coordinate learning and mental health interventions for students with disabilities',
      'Build shared understanding of the challenges these students face',
      'Support appropriate services in the least restrictive environment',
    ],
  },
  {
    slug: 'learning-the-language',
    name: 'Learning the Language: Promoting Effective Ways for Interdisciplinary Collaboration',
    short_name: 'Learning the Language',
    led_by: 'none',
    mission:
      'Parents, educators, pupil-services staff and mental health providers often use the same words differently. This group builds a common vocabulary so people from each system can understand one another and work together for students.',
    priorities: [
      'Demystify the vocabulary each system uses',
      'Add value for state and local agencies expanding school mental health',
      'Improve how we communicate across systems and stakeholders',
      'Strengthen relationships across systems of care for families, students and professionals',
    ],
  },
  {
    slug: 'psychiatry-and-schools',
    name: 'Psychiatry and Schools',
    led_by: 'none',
    mission:
      'For psychiatrists who work with schools and the educators, school health staff and others who work with them: how psychiatric services can be used well in schools despite a severe shortage of child and adolescent psychiatrists.',
    priorities: [
      'Define the roles of psychiatrists who work in schools',
      'Improve collaboration among psychiatrists and other school professionals, including primary care',
      'Train psychiatrists to consult to and serve schools effectively',
      'Develop guidance on appropriate medication prescribing in schools',
      'Make the best use of scarce psychiatric time',
    ],
  },
  {
    slug: 'quality-and-ebp',
    name: 'Quality and Evidence-Based Practice',
    led_by: 'none',
    mission:
      'Shares what improves the quality of school mental health programs, spreads evidence-based practices, and works on the gap between research and everyday practice, including how to evaluate students’ progress and whole programs.',
    priorities: [
      'Share information on improving program quality',
      'Promote and disseminate evidence-based practices',
      'Identify the best student- and program-level evaluation strategies',
    ],
  },
  {
    slug: 'culturally-diverse-youth',
    name: 'School Mental Health for Culturally Diverse Youth',
    led_by: 'none',
    mission:
      'Focuses on practice, theory and research for culturally diverse students, including stigma, cultural adaptation of interventions, health disparities, disproportionality, family engagement and cultural responsiveness.',
    priorities: [
      'Understand what helps culturally diverse youth succeed in school',
      'Address stigma, disparities and disproportionality',
      'Share effective, culturally adapted treatment approaches',
    ],
  },
  {
    slug: 'military-families',
    name: 'Mental Health for Military Families',
    led_by: 'family',
    mission: 'Works toward a full range of school programs and services that support military-connected students, their families and their communities.',
    priorities: [
      'Promote a continuum from prevention and early identification to treatment',
      'Remove barriers to learning and improve academic success',
      'Build strengths and protective factors in students, families and schools',
      'Promote wellness and quality of life for military families',
      'Provide training, staff development and research opportunities',
    ],
  },
  {
    slug: 'youth-leadership',
    name: 'Youth Involvement and Leadership',
    led_by: 'youth',
    mission: 'Advances youth involvement and leadership in school mental health, at local, state and national levels and in every part of the systems that serve young people.',
    priorities: [
      'Expand youth leadership, participation and input at every level',
      'Develop strategies that put youth in leadership roles within service systems',
      'Help the whole community of practice involve youth meaningfully',
      'Lead a dialogue on including youth in all parts of school mental health',
      'Develop and promote best practices for youth involvement',
      'Be a resource for educators and practitioners teaching youth leadership skills',
    ],
  },
];

/** Fictional people covering every stakeholder perspective. */
const BASE_PEOPLE = [
  { key: 'admin', email: 'admin@demo.convene.test', name: 'Avery Admin', role: 'admin', perspectives: ['other'], state: null, org: null, bio: 'Keeps this demo instance running.' },
  { key: 'facilitator', email: 'facilitator@demo.convene.test', name: 'Dana Whitfield', role: 'facilitator', perspectives: ['administrator', 'policymaker'], state: 'VA', org: 'idea-partnership', bio: 'Facilitates the national community and its practice group leads.' },
  { key: 'facilitator2', email: 'cofacilitator@demo.convene.test', name: 'Marcus Oyelaran', role: 'facilitator', perspectives: ['researcher', 'school_mh'], state: 'MD', org: 'csmh', bio: 'Researcher and trainer focused on school mental health quality.' },
  { key: 'family', email: 'family@demo.convene.test', name: 'Rosa Delgado', role: 'member', perspectives: ['family'], state: 'OH', org: 'ffcmh', bio: 'Parent of two and a family leader in Ohio, working on school discipline and juvenile justice.' },
  { key: 'youth', email: 'youth@demo.convene.test', name: 'Jordan Reyes', role: 'member', perspectives: ['youth'], state: 'MO', org: 'youth-move', bio: 'Youth advocate helping students shape the supports they receive.', youth: true },
  { key: 'educator', email: 'educator@demo.convene.test', name: 'Priya Natarajan', role: 'member', perspectives: ['educator'], state: 'IL', org: null, bio: 'Middle-school teacher and team lead for a school climate committee.' },
  { key: 'schoolmh', email: 'schoolpsych@demo.convene.test', name: 'Samuel Okafor', role: 'member', perspectives: ['school_mh'], state: 'SC', org: 'nasp', bio: 'School psychologist supporting three elementary schools.' },
  { key: 'communitymh', email: 'clinician@demo.convene.test', name: 'Lena Fischer', role: 'member', perspectives: ['community_mh'], state: 'SC', org: null, bio: 'Clinician from a community mental health center placed in a high school.' },
  { key: 'administrator', email: 'principal@demo.convene.test', name: 'Grace Holloway', role: 'member', perspectives: ['administrator'], state: 'KY', org: null, bio: 'District director of student services.' },
  { key: 'researcher', email: 'researcher@demo.convene.test', name: 'Tomás Aguilar', role: 'member', perspectives: ['researcher'], state: 'MD', org: 'csmh', bio: 'Studies how schools measure the quality of their mental health services.' },
  { key: 'physician', email: 'psychiatrist@demo.convene.test', name: 'Dr. Helen Park', role: 'member', perspectives: ['physician'], state: 'MD', org: 'aacap', bio: 'Child and adolescent psychiatrist who consults to two school districts.' },
  { key: 'justice', email: 'justice@demo.convene.test', name: 'Curtis Bell', role: 'member', perspectives: ['juvenile_justice'], state: 'OH', org: null, bio: 'Juvenile court liaison who works on diversion programs with schools.' },
  { key: 'military', email: 'military@demo.convene.test', name: 'Beth Lindqvist', role: 'member', perspectives: ['military_family'], state: 'VA', org: 'mcec', bio: 'Military spouse and parent; supports students who move between schools.' },
  { key: 'policy', email: 'policy@demo.convene.test', name: 'Andre Whitaker', role: 'member', perspectives: ['policymaker'], state: 'MO', org: 'mo-dmh', bio: 'Policy advisor at a state mental health agency.' },
] as const;

/** Group slug → [person key, role] for demo memberships. */
const BASE_MEMBERSHIPS: Record<string, [string, 'lead' | 'co_lead' | 'member'][]> = {
  'collaborative-culture': [['schoolmh', 'lead'], ['communitymh', 'co_lead'], ['educator', 'member'], ['family', 'member']],
  'smh-and-pbs': [['researcher', 'lead'], ['educator', 'member'], ['administrator', 'member']],
  'juvenile-justice': [['justice', 'lead'], ['family', 'co_lead'], ['policy', 'member']],
  'systems-of-care': [['policy', 'lead'], ['communitymh', 'member']],
  'families-in-partnership': [['family', 'lead'], ['military', 'member']],
  'youth-with-disabilities': [['administrator', 'lead'], ['schoolmh', 'member']],
  'learning-the-language': [['facilitator', 'lead'], ['family', 'member'], ['physician', 'member'], ['educator', 'member']],
  'psychiatry-and-schools': [['physician', 'lead'], ['facilitator2', 'member']],
  'quality-and-ebp': [['facilitator2', 'lead'], ['researcher', 'co_lead']],
  'culturally-diverse-youth': [['communitymh', 'lead'], ['youth', 'member']],
  'military-families': [['military', 'lead']],
  'youth-leadership': [['youth', 'lead'], ['facilitator', 'co_lead']],
};

/** The password every demo account shares. Demo data is for trying Convene, never for production. */
export const DEMO_PASSWORD = 'convene-demo-2026';

export interface DemoThread {
  group: string | null;
  author: string;
  title: string;
  body: string;
  /** The opening's language (replies are told apart by their words); English when not given. */
  language?: 'en' | 'es';
  replies: [string, string][];
  guide?: DemoGuide;
}

/** Demo discussions: [space (group slug or null for community-wide), author key, title, body, replies [author key, body]]. */
export interface DemoGuide {
  source_title: string;
  source_url?: string;
  reactions: string[];
  applications: string[];
  /** [author, 'r' or 'a' and the question's number, text] */
  answers: [string, string, string][];
  summary?: { common_ground: string; actions: string };
}

const BASE_THREADS: DemoThread[] = [
  {
    group: null,
    author: 'facilitator',
    title: 'Welcome! Tell us who you are and what brought you here',
    body: 'This space is open to every member of the community. Say hello, name the system you work in (or the family or youth perspective you bring), and share one thing you hope to learn from people outside your own field.\n\nA reminder we repeat often: **never post information that could identify a student**.',
    replies: [
      ['family', 'Hi everyone, I am a parent and family leader in Ohio. I hope to understand how school teams decide who gets which support, so I can explain it to other families.'],
      ['educator', 'Middle-school teacher from Illinois here. I would love to learn how community clinicians see our classrooms.'],
    ],
  },
  {
    group: 'families-in-partnership',
    author: 'family',
    title: 'Helping families prepare for meetings where mental health comes up',
    body: 'Several parents in our network said they felt lost when a school meeting turned to behavior and mental health. What has helped families you work with prepare?\n\n- a one-page summary of what is going well\n- questions written down in advance\n- bringing a support person',
    replies: [['military', 'For military families who move often, a short folder of past plans and contacts saves a lot of repeated explaining at each new school.']],
  },
  {
    group: 'learning-the-language',
    author: 'facilitator',
    title: 'Words that mean different things in our different systems',
    body: 'Let us collect terms that cause confusion because each system uses them differently. To start: **"assessment"** in a school often means an academic or eligibility evaluation, while a clinician may mean a diagnostic interview. Which words trip you up?',
    replies: [
      ['physician', '"Intervention" is one for me. In medicine it often implies treatment; in schools it can mean a short, tiered support that is not treatment at all.'],
      ['family', 'As a parent, "placement" used to scare me. It sounded like my child was being sent away, when it meant the classroom setting.'],
    ],
  },
  {
    group: 'leads-circle',
    author: 'facilitator',
    title: 'Planning the annual meeting sessions',
    body: 'Draft ideas for the annual meeting are in progress. Please add which practice group sessions you would like to co-host.',
    replies: [['schoolmh', 'Our group would like a joint session with the PBS group on integrated teams.']],
  },
  {
    group: 'families-in-partnership',
    author: 'facilitator',
    title: 'Dialogue Guide: what "family engagement" should mean in school mental health',
    body: 'Before we respond, read the short brief below. It argues that families should help *design* school mental health supports, not only be informed about them.\n\nAnswer the reaction questions from where you sit, then the application question. Your perspective is recorded with your answer so we can see which voices we have heard and which we have not.',
    replies: [],
    guide: {
      source_title: 'Families as partners in school mental health: a two-page brief',
      reactions: ['What in the brief matches your own experience?', 'What would make this hard where you work or live?'],
      applications: ['What is one step your school, agency or family network could take this season?'],
      answers: [
        ['family', 'r1', 'It matches what @priyanatarajan described last month: families are asked for feedback once the plan is already written. Being in the room earlier changes everything.'],
        ['educator', 'r1', 'Our climate committee has one parent seat, and it is often empty because meetings are at 3 pm.'],
        ['schoolmh', 'r2', 'Staff time. Planning with families takes longer, and nobody schedules that time for us.'],
        ['military', 'r2', 'Families who move every two or three years are never around long enough to be on a design team.'],
        ['administrator', 'a1', 'Move our student-support planning meeting to the evening twice a year and invite the family council.'],
      ],
      summary: {
        common_ground: 'Everyone who answered wants families involved before plans are written, not after. Timing of meetings and staff time are the barriers named most often.',
        actions: '1. Hold two evening planning meetings a year with the family council.\n2. Share a one-page plan draft with families two weeks before decisions.\n3. Ask the military family group how to include families who move often.',
      },
    },
  },
];

// ---- the whole demo: the first members and spaces above, and the rest of the community (demo-more.ts) ----
export const ORGANIZATIONS: DemoOrg[] = [...BASE_ORGANIZATIONS, ...MORE_ORGANIZATIONS];
export const STATE_INITIATIVES = [...BASE_STATE_INITIATIVES, ...MORE_STATES.map((s) => ({ ...s, education: null, mental_health: null }))];
export const PEOPLE = [...BASE_PEOPLE, ...MORE_PEOPLE];
export const MEMBERSHIPS: Record<string, [string, 'lead' | 'co_lead' | 'member'][]> = Object.fromEntries(
  [...new Set([...Object.keys(BASE_MEMBERSHIPS), ...Object.keys(MORE_MEMBERSHIPS)])].map((slug) => [slug, [...(BASE_MEMBERSHIPS[slug] ?? []), ...(MORE_MEMBERSHIPS[slug] ?? [])]]),
);
export const THREADS: DemoThread[] = [...BASE_THREADS, ...MORE_THREADS];
