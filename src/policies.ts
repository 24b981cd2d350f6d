/**
 * Loads every capability's policy, so each action has its rule registered
 * before the first request (the app imports this; so do tests that call
 * `can()` without building the app). Add a capability's policy here.
 */
import './groups/policy.js';
import './discussions/policy.js';
import './resources/policy.js';
import './reach/policy.js';
import './events/policy.js';
import './agenda/policy.js';
import './glossary/policy.js';
import './community/policy.js';
import './admin/policy.js';
import './trust/policy.js';
import './analytics/policy.js';
import './conversations/policy.js';
import './email/policy.js';
import './webhooks/policy.js';
import './value/policy.js';
import './translations/policy.js';
