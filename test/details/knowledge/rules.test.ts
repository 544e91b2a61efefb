import { describe, expect, it } from 'vitest';
import { explainRuleMatch } from '../../../src/details/knowledge/rules.js';

describe('explainRuleMatch', () => {
  it('says a rule with ID -1 has since been deleted', () => {
    const text = explainRuleMatch({ ruleId: '-1', ruleName: 'Old block rule', kind: 'transport' });
    expect(text).toMatch(/since been deleted/);
    expect(text).toContain('«Old block rule»');
    expect(text).not.toMatch(/ID «-1»/);
  });

  it('names the rule, its ID and a known action', () => {
    const text = explainRuleMatch({
      ruleId: '19a25eb2-3e43-4896-ad9e-47b6c359779d',
      ruleName: 'Accepted External Email Adress WhiteList',
      kind: 'transport',
      action: 'ApplyHtmlDisclaimer',
    });
    expect(text).toBe(
      'Mail flow (transport) rule «Accepted External Email Adress WhiteList» (ID «19a25eb2-3e43-4896-ad9e-47b6c359779d») matched this message. Action: it added a disclaimer to the message (ApplyHtmlDisclaimer).',
    );
  });

  it('explains the legacy action values', () => {
    expect(explainRuleMatch({ kind: 'transport', action: 'RejectMessage' })).toMatch(/NDR/);
    expect(explainRuleMatch({ kind: 'transport', action: 'RedirectMessage' })).toMatch(/trace that recipient/);
    expect(explainRuleMatch({ kind: 'transport', action: 'SetSpamConfidenceLevel' })).toMatch(/Junk Email or quarantine/);
    expect(explainRuleMatch({ kind: 'transport', action: 'RemoveMessageHeader' })).toMatch(/removed a message header/);
  });

  it('fences an unknown action and copes with no name or ID', () => {
    const text = explainRuleMatch({ kind: 'transport', action: 'DoSomethingNew' });
    expect(text).toMatch(/no name or ID recorded/);
    expect(text).toContain('Action: «DoSomethingNew».');
  });

  it('notes that a DLP match may have had no action, and ignores the empty GUID', () => {
    const text = explainRuleMatch({ kind: 'dlp', ruleName: 'PII', ruleId: '00000000-0000-0000-0000-000000000000' });
    expect(text).toMatch(/^DLP rule «PII» matched this message\./);
    expect(text).toMatch(/even when the rule took no action/);
  });

  it('mentions test mode', () => {
    expect(explainRuleMatch({ kind: 'transport', ruleName: 'x', mode: 'Test without Policy Tips' })).toMatch(/test mode/);
    expect(explainRuleMatch({ kind: 'transport', ruleName: 'x', mode: 'Enforce' })).not.toMatch(/test mode/);
  });

  it('strips control characters from rule names', () => {
    expect(explainRuleMatch({ kind: 'transport', ruleName: 'a\u202eb\nc' })).toContain('«ab c»');
  });
});

describe('explainRuleMatch without a name', () => {
  it('does not claim the ID is missing when it is -1', () => {
    const text = explainRuleMatch({ kind: 'transport', ruleId: '-1', action: 'RejectMessage' });
    expect(text).not.toMatch(/no name or ID/);
    expect(text).toMatch(/since been deleted/);
  });
});
