/**
 * Every capability's job handlers, registered in one place: the web process
 * (`buildApp`) and `convene worker` call this same function, so a job queued
 * by one is always understood by the other. Add a capability's jobs here.
 */
import type { Db } from './platform/db/db.js';
import type { Config } from './platform/config.js';
import type { Mailer } from './platform/mail/mailer.js';
import type { Jobs } from './platform/jobs/jobs.js';
import { registerNotificationJobs } from './notifications/notify.js';
import { registerResourceJobs } from './resources/jobs.js';
import { registerEventJobs } from './events/jobs.js';
import { registerBookmarkJobs } from './discussions/bookmarks.js';
import { registerConversationJobs } from './conversations/conversations.js';
import { registerListJobs } from './email/list-mode.js';
import { registerImportJobs } from './admin/member-import.js';
import { registerWebhookJobs } from './webhooks/deliver.js';
import { registerPushJobs } from './notifications/push.js';
import { registerTrustJobs } from './trust/data.js';
import { registerFollowupJobs } from './value/followups.js';
import { registerDecisionJobs } from './value/decisions.js';
import { registerStoryJobs } from './value/stories.js';
import { registerTranslationJobs } from './translations/translations.js';

export function registerJobs(deps: { db: Db; jobs: Jobs; mailer: Mailer; config: Config }): void {
  registerNotificationJobs(deps);
  registerResourceJobs(deps);
  registerEventJobs(deps);
  registerBookmarkJobs(deps);
  registerConversationJobs(deps);
  registerListJobs(deps);
  registerImportJobs(deps);
  registerWebhookJobs(deps);
  registerPushJobs(deps);
  registerTrustJobs(deps);
  registerFollowupJobs(deps);
  registerDecisionJobs(deps);
  registerStoryJobs(deps);
  registerTranslationJobs(deps);
}
