/**
 * Mail flow (transport) rule and DLP rule matches, explained.
 * Facts: the message trace FAQ (Transport rule / DLP rule events; rule ID -1 = deleted, SRC.T2)
 * and the detail documentation (S:TRA action and mode: SRC.T1; legacy Action values: SRC.G4);
 * wording is ours.
 */
import { fenceUntrusted, sanitizeText } from '../../output/untrusted.js';
import { SRC } from './sources.js';

export interface RuleMatchInput {
  ruleId?: string;
  ruleName?: string;
  kind: 'transport' | 'dlp';
  action?: string;
  /** S:TRA `mode`: Enforce, Test with Policy Tips, Test without Policy Tips. */
  mode?: string;
}

/** Where the rule explanations come from. */
export const RULE_SOURCE_URLS = { deletedRuleId: SRC.T2, transportRuleEvent: SRC.T2, dlpRuleEvent: SRC.T1, actions: SRC.G4, customData: SRC.T3 } as const;

const EMPTY_GUID = /^\{?0{8}-0{4}-0{4}-0{4}-0{12}\}?$/;

const ACTIONS: Record<string, string> = {
  rejectmessage: 'rejected the message, so the sender gets an NDR',
  deletemessage: 'deleted the message without telling the sender',
  redirectmessage: 'redirected the message to another recipient (trace that recipient to follow it)',
  setspamconfidencelevel: 'set the spam confidence level, which decides Inbox, Junk Email or quarantine',
  setscl: 'set the spam confidence level, which decides Inbox, Junk Email or quarantine',
  removemessageheader: 'removed a message header',
  removeheader: 'removed a message header',
  setmessageheader: 'set a message header',
  setheader: 'set a message header',
  applyhtmldisclaimer: 'added a disclaimer to the message',
  prependsubject: 'added text to the start of the subject',
  quarantine: 'sent the message to quarantine',
  moderatemessagebyuser: 'held the message for approval by a moderator',
  moderatemessagebymanager: "held the message for approval by the sender's manager",
  addtorecipient: 'added a recipient',
  copyto: 'added a Cc recipient',
  blindcopyto: 'added a Bcc recipient',
  applyrightsprotectiontemplate: 'applied rights protection (encryption) to the message',
  applyome: 'encrypted the message',
};

function describeAction(action: string): string {
  const key = action.toLowerCase().replace(/[^a-z]/g, '');
  const known = ACTIONS[key];
  const shown = sanitizeText(action).slice(0, 60);
  return known ? `it ${known} (${shown})` : `${fenceUntrusted(action, 60)}`;
}

/**
 * One plain sentence (or two) about a rule match. A rule ID of -1 means the rule has since been
 * deleted, so its settings can no longer be looked up.
 */
export function explainRuleMatch(input: RuleMatchInput): string {
  const kind = input?.kind === 'dlp' ? 'dlp' : 'transport';
  const label = kind === 'dlp' ? 'DLP rule' : 'Mail flow (transport) rule';
  const name = typeof input?.ruleName === 'string' && input.ruleName.trim() ? ` ${fenceUntrusted(input.ruleName, 120)}` : '';
  const rawId = typeof input?.ruleId === 'string' ? input.ruleId.trim().replace(/^\(|\)$/g, '').replace(/^'|'$/g, '') : '';
  const deleted = rawId === '-1';
  const idText = !rawId || deleted || EMPTY_GUID.test(rawId) ? '' : ` (ID ${fenceUntrusted(rawId, 60)})`;
  const unnamed = name || rawId ? '' : ' (no name or ID recorded)';

  const parts: string[] = [];
  let first = `${label}${name}${idText}${unnamed} matched this message`;
  if (deleted) first += ', but the rule has since been deleted (rule ID -1), so its current settings cannot be looked up';
  parts.push(`${first}.`);

  const action = typeof input?.action === 'string' ? input.action.trim() : '';
  if (action) parts.push(`Action: ${describeAction(action)}.`);
  else if (kind === 'dlp') parts.push('A DLP match is logged even when the rule took no action.');

  const mode = typeof input?.mode === 'string' ? input.mode.trim() : '';
  if (/test|audit/i.test(mode)) parts.push('The rule runs in test mode, so its actions were logged but not enforced.');

  return parts.join(' ');
}
