/** The explanation knowledge base: status codes, trace events, statuses, anti-spam stamps, rules. */
export type { FixOwner, StatusCodeExplanation, StatusCodeEntry, StatusCodeRange } from './status-codes.js';
export { parseEnhancedCode, explainStatusCode, STATUS_CODE_ENTRIES } from './status-codes.js';
export type { PipelineStage, EventExplanation, EventOutcome } from './events.js';
export { explainEvent, stageRank, isKnownEvent, normaliseEventName, KNOWN_EVENT_NAMES } from './events.js';
export type { TraceStatusExplanation } from './statuses.js';
export { explainTraceStatus } from './statuses.js';
export type { DeliveryFolder, SpamVerdict } from './spam.js';
export { explainScl, explainSfv, explainCat, explainDeliveryFolder, explainSpamVerdict, SPAM_SOURCE_URLS } from './spam.js';
export type { RuleMatchInput } from './rules.js';
export { explainRuleMatch, RULE_SOURCE_URLS } from './rules.js';
export { SRC as KNOWLEDGE_SOURCES } from './sources.js';
