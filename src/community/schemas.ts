import { TranslationsOutput } from '../platform/http/schema-helpers.js';
import { Type } from '@sinclair/typebox';

/**
 * Response schemas of the community API. Fastify serializes through them, so
 * a field not listed here can never leak into a response.
 */
export const PersonSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  handle: Type.String({ description: 'For @mentions' }),
  photo: Type.Union([Type.Integer(), Type.Null()], { description: 'Photo version: the image is at /people/{id}/photo/{photo}; null when they have none' }),
  role: Type.String(),
  pronouns: Type.Optional(Type.String()),
  bio: Type.Optional(Type.String()),
  state_code: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  perspectives: Type.Optional(Type.Array(Type.String())),
  expertise: Type.Optional(Type.Array(Type.String())),
  organizations: Type.Optional(Type.Array(Type.Object({ slug: Type.String(), name: Type.String(), title: Type.String() }))),
});

export const OrganizationSchema = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  partner: Type.String({ description: 'How to name this organization as a partner (tracked links, dissemination reports): org:<slug>' }),
  name: Type.String(),
  short_name: Type.String(),
  kind: Type.String(),
  level: Type.String(),
  website: Type.Union([Type.String(), Type.Null()]),
  states: Type.Array(Type.String()),
  description: Type.String(),
});

export const StateSchema = Type.Object({
  id: Type.Integer(),
  state_code: Type.String(),
  partner: Type.String({ description: 'How to name this state initiative as a partner: state:<code>' }),
  scope: Type.String({ description: 'How to place a convening in this state: state:<code>' }),
  name: Type.String(),
  status: Type.String(),
  description: Type.String(),
  education_agency: Type.Union([Type.String(), Type.Null()]),
  mental_health_agency: Type.Union([Type.String(), Type.Null()]),
});

export const CommunitySchema = Type.Object({
  name: Type.String(),
  short_name: Type.String(),
  tagline: Type.String(),
  mission: Type.String(),
  language: Type.String({ description: 'The language name, tagline, mission and shared agenda are written in' }),
  translations: TranslationsOutput,
  shared_agenda: Type.String(),
  reach_goal: Type.Integer(),
  followup_delay_days: Type.Integer(),
  website: Type.Union([Type.String(), Type.Null()]),
  facilitators: Type.Array(
    Type.Object({
      slug: Type.String(),
      name: Type.String(),
      short_name: Type.String(),
      funders: Type.Array(Type.Object({ slug: Type.String(), name: Type.String(), short_name: Type.String() })),
    }),
  ),
  counts: Type.Object({ states: Type.Integer(), organizations: Type.Integer(), members: Type.Integer(), groups: Type.Integer() }),
});
