import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('prompts and instructions', () => {
  it('gives the model instructions on how the tools fit together', () => {
    const instructions = h.client.getInstructions() ?? '';
    expect(instructions).toMatch(/search_traces[\s\S]*get_trace_details/);
    expect(instructions).toMatch(/5-10 minutes/);
    expect(instructions).toMatch(/untrusted/);
  });

  it('lists the admin prompts with their arguments', async () => {
    const { prompts } = await h.client.listPrompts();
    const byName = Object.fromEntries(prompts.map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(['check_message_delivery', 'daily_mail_flow_report', 'investigate_undelivered_mail', 'triage_mail_flow']);
    expect(byName.investigate_undelivered_mail!.arguments!.map((a) => [a.name, a.required])).toEqual([
      ['senderAddress', true],
      ['recipientAddress', true],
      ['since', false],
    ]);
    expect(byName.daily_mail_flow_report!.arguments!.map((a) => a.required)).toEqual([false]);
  });

  it('renders each prompt into a plan that uses both tools with the given values', async () => {
    const inv = await h.client.getPrompt({ name: 'investigate_undelivered_mail', arguments: { senderAddress: 'ann@contoso.com', recipientAddress: 'alex@fabrikam.com' } });
    const t = (inv.messages[0]!.content as { text: string }).text;
    expect(t).toContain('search_traces with senderAddress "ann@contoso.com", recipientAddress "alex@fabrikam.com" and explain 3');
    expect(t).toContain('get_trace_details');
    const report = await h.client.getPrompt({ name: 'daily_mail_flow_report', arguments: {} });
    expect((report.messages[0]!.content as { text: string }).text).toMatch(/last 24 hours[\s\S]*status "failed"[\s\S]*get_trace_details/);
    expect(t).toMatch(/explain 3/);
    const triage = await h.client.getPrompt({ name: 'triage_mail_flow', arguments: {} });
    expect((triage.messages[0]!.content as { text: string }).text).toMatch(/groupBy \["hour", "status"\][\s\S]*explain 5[\s\S]*who must act/);
    const forDomain = await h.client.getPrompt({ name: 'daily_mail_flow_report', arguments: { domain: 'fabrikam.com' } });
    expect((forDomain.messages[0]!.content as { text: string }).text).toMatch(/senderDomain "fabrikam\.com"[\s\S]*recipientDomain "fabrikam\.com"/);
    const check = await h.client.getPrompt({ name: 'check_message_delivery', arguments: { messageId: '<abc@contoso.com>' } });
    expect((check.messages[0]!.content as { text: string }).text).toContain('messageId "<abc@contoso.com>"');
  });

  it('rejects a prompt call missing a required argument', async () => {
    await expect(h.client.getPrompt({ name: 'check_message_delivery', arguments: {} })).rejects.toThrow(/messageId|Invalid/);
  });
});
