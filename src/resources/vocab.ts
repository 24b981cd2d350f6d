/** The resource library's fixed vocabularies (stored codes; labels come from i18n). */
export const RESOURCE_KINDS = ['brief', 'toolkit', 'guide', 'dialogue_guide', 'webinar', 'research_article', 'infographic', 'video', 'website'] as const;
export const EVIDENCE_LEVELS = ['evidence_based', 'promising', 'emerging', 'practice_informed', 'not_applicable'] as const;
export const REVIEW_STATUSES = ['unreviewed', 'in_review', 'reviewed'] as const;
export const RESOURCE_VISIBILITIES = ['public', 'members', 'group'] as const;
export const ACCESSIBILITY_FACTS = ['tagged_pdf', 'alt_text', 'captions', 'plain_language'] as const;
export const CHANNELS = ['newsletter', 'social', 'conference', 'email_list', 'website', 'training', 'other'] as const;
export const USE_SETTINGS = ['school', 'district', 'state_agency', 'family', 'community', 'clinic', 'other'] as const;
export const RESOURCE_SORTS = ['relevance', 'newest', 'title', 'most_used'] as const;

/** Audiences for whom a plain-language summary is required. */
export const PLAIN_LANGUAGE_AUDIENCES = ['family', 'youth'];

/** What may be uploaded, decided from the bytes (never the name). Nothing here is ever served inline. */
export const UPLOAD_TYPES: Record<string, string> = {
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'audio/mpeg': 'mp3',
  'text/plain': 'txt',
  'text/csv': 'csv',
};
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
