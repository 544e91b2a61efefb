import { describe, expect, it } from 'vitest';
import { decodeRecipientStatus, parseLastRetryTime, statusClass } from '../../../src/details/decode/recipient-status.js';

// The published sample (test/fixtures/sample-responses.json, Fail event): MEP value and description.
const SAMPLE_MEP =
  '[{LED=550 5.4.310 DNS domain bbb.ccccccc does not exist [Message=InfoDomainNonexistent] [LastAttemptedServerName=bbb.ccccccc] [AM4PEPF0002BAA6.EURPRD83.prod.outlook.com 2026-01-25T09:49:29.944Z 08DE5AB03F707551]};{MSG=InfoDomainNonexistent};{FQDN=bbb.ccccccc};{IP=0.0.0.0};{LRT=1/25/2026 9:49:29 AM}]';
const SAMPLE_DESCRIPTION = `Reason: ${SAMPLE_MEP}. OutboundProxyTargetHostName: bbb.ccccccc`;

describe('decodeRecipientStatus: the published sample', () => {
  it.each([
    ['MEP value', SAMPLE_MEP],
    ['description', SAMPLE_DESCRIPTION],
  ])('%s', (_label, text) => {
    const s = decodeRecipientStatus(text);
    expect(s).toMatchObject({
      smtpCode: '550',
      enhancedCode: '5.4.310',
      text: 'DNS domain bbb.ccccccc does not exist',
      message: 'InfoDomainNonexistent',
      remoteHost: 'bbb.ccccccc',
      lastRetry: '1/25/2026 9:49:29 AM',
      lastRetryIso: '2026-01-25T09:49:29.000Z',
      reportingServer: 'AM4PEPF0002BAA6.EURPRD83.prod.outlook.com',
    });
    expect(s!.remoteIp).toBeUndefined(); // 0.0.0.0 = none
    expect(s!.component).toBeUndefined();
    expect(s!.attributes).toMatchObject({ Message: 'InfoDomainNonexistent', LastAttemptedServerName: 'bbb.ccccccc' });
    expect(statusClass(s)).toBe(5);
  });

  it('the description trailer is kept as an attribute', () => {
    expect(decodeRecipientStatus(SAMPLE_DESCRIPTION)!.attributes['OutboundProxyTargetHostName']).toBe('bbb.ccccccc');
  });
});

describe('decodeRecipientStatus: real strings from published NDRs and Microsoft pages', () => {
  it('5.1.10 RecipientNotFound (Q1)', () => {
    const s = decodeRecipientStatus(
      '[{LED=550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient ******@xxx.com not found by SMTP address lookup};{MSG=};{FQDN=};{IP=};{LRT=}]',
    );
    expect(s).toEqual({
      smtpCode: '550',
      enhancedCode: '5.1.10',
      component: 'RESOLVER.ADR.RecipientNotFound',
      text: 'Recipient ******@xxx.com not found by SMTP address lookup',
      attributes: {},
    });
  });

  it('Defer 4.7.23 with braces inside the LED and the OutboundProxyTarget trailer (Q2)', () => {
    const s = decodeRecipientStatus(
      'Defer:Reason: [{LED=451-4.7.23 Message deferred - unable to verify SPF policy for 451 4.7.23 chromaderm.com.au. IB305 i{2b0c499b-…}};{MSG=};{FQDN=extmail.bigpond.com};{IP=203.42.22.10};{LRT=1/21/2025 3:45:12 AM}]. OutboundProxyTargetIP: 203.42.22.10. OutboundProxyTargetHostName: extmail.bigpond.com',
    );
    expect(s).toMatchObject({
      smtpCode: '451',
      enhancedCode: '4.7.23',
      text: 'Message deferred - unable to verify SPF policy for chromaderm.com.au. IB305 i{2b0c499b-…}',
      remoteHost: 'extmail.bigpond.com',
      remoteIp: '203.42.22.10',
      lastRetry: '1/21/2025 3:45:12 AM',
      lastRetryIso: '2025-01-21T03:45:12.000Z',
      attributes: { OutboundProxyTargetIP: '203.42.22.10', OutboundProxyTargetHostName: 'extmail.bigpond.com' },
    });
    expect(s!.message).toBeUndefined();
    expect(statusClass(s)).toBe(4);
  });

  it('Defer 4.4.317 TLS, cut off mid-way, with [Key=Value] pairs containing ";" (Q3)', () => {
    const s = decodeRecipientStatus(
      'Reason: [{LED=450 4.4.317 Cannot connect to remote server [Message=451 4.4.0 TLS negotiation failed with error SocketError] [LastAttemptedServerName=xxx] [LastAttemptedIP=xxx] [SmtpSecurity=-2;-2] [DM6NAM12FT012.eop-nam12.prod.protection.outlook.com 2023-03-07T18:46:06.378Z 08DB1DF24DB12D84]};{MSG=4. OutboundProxyTargetIP: xxx. OutboundProxyTargetHostName: xxx',
    );
    expect(s).toMatchObject({
      smtpCode: '450',
      enhancedCode: '4.4.317',
      text: 'Cannot connect to remote server',
      message: '4. OutboundProxyTargetIP: xxx. OutboundProxyTargetHostName: xxx',
      remoteHost: 'xxx',
      remoteIp: 'xxx',
      reportingServer: 'DM6NAM12FT012.eop-nam12.prod.protection.outlook.com',
      attributes: {
        Message: '451 4.4.0 TLS negotiation failed with error SocketError',
        LastAttemptedServerName: 'xxx',
        LastAttemptedIP: 'xxx',
        SmtpSecurity: '-2;-2',
      },
    });
  });

  it('OOF drop 250 2.1.5 (Q4)', () => {
    const s = decodeRecipientStatus(
      'Reason: [{LED=250 2.1.5 RESOLVER.OOF.IntToExt; handled internal OOF addressed to external recipient};{MSG=};{FQDN=};{IP=};{LRT=}]',
    );
    expect(s).toMatchObject({ smtpCode: '250', enhancedCode: '2.1.5', component: 'RESOLVER.OOF.IntToExt', text: 'handled internal OOF addressed to external recipient' });
    expect(statusClass(s)).toBe(2);
  });

  it.each([
    [
      'group expansion with only an LED group',
      'Reason: [{LED=250 2.1.5 RESOLVER.GRP.Expanded; distribution list expanded}]',
      { smtpCode: '250', enhancedCode: '2.1.5', component: 'RESOLVER.GRP.Expanded', text: 'distribution list expanded' },
    ],
    [
      'transport rule reject in the on-premises {[…]} wrapping (Q5)',
      '{[{LED=550 5.7.1 TRANSPORT.RULES.RejectMessage; the message was rejected by organization policy};{MSG=};{FQDN=};{IP=};{LRT=}]}',
      { smtpCode: '550', enhancedCode: '5.7.1', component: 'TRANSPORT.RULES.RejectMessage', text: 'the message was rejected by organization policy' },
    ],
    ['message tracking form 550 4.4.7 QUEUE.Expired;<ErrorText> (T4)', '550 4.4.7 QUEUE.Expired;Remote host said no', { component: 'QUEUE.Expired', text: 'Remote host said no' }],
    ['250 2.1.5 Recipient OK', '250 2.1.5 Recipient OK', { smtpCode: '250', enhancedCode: '2.1.5', text: 'Recipient OK' }],
  ])('%s', (_label, written, expected) => {
    expect(decodeRecipientStatus(written)).toMatchObject(expected);
  });

  it('transport rule delete without a component (Q6)', () => {
    const s = decodeRecipientStatus('{[{LED=550 5.2.1 Message deleted by the transport rules agent};{MSG=};{FQDN=};{IP=};{LRT=}]}');
    expect(s).toMatchObject({ smtpCode: '550', enhancedCode: '5.2.1', text: 'Message deleted by the transport rules agent' });
    expect(s!.component).toBeUndefined();
  });

  it('agent drop 550 4.3.2 counts as permanent by its SMTP code (Q7)', () => {
    const s = decodeRecipientStatus('{[{LED=550 4.3.2 QUEUE.TransportAgent; message deleted by transport agent};{MSG=};{FQDN=};{IP=};{LRT=}]}');
    expect(s).toMatchObject({ enhancedCode: '4.3.2', component: 'QUEUE.TransportAgent', text: 'message deleted by transport agent' });
    expect(statusClass(s)).toBe(5);
  });

  it('NDR form #550 4.4.7 QUEUE.Expired; message expired ## (N4)', () => {
    expect(decodeRecipientStatus('#550 4.4.7 QUEUE.Expired; message expired ##')).toEqual({
      smtpCode: '550',
      enhancedCode: '4.4.7',
      component: 'QUEUE.Expired',
      text: 'message expired',
      attributes: {},
    });
  });

  it("NDR quoting the remote server: Remote Server returned '550 5.7.705 …' (P1)", () => {
    const s = decodeRecipientStatus(
      "Remote Server returned '550 5.7.705 Access denied, tenant has exceeded threshold. For more information please go to http://go.microsoft.com/fwlink/?LinkId=524931 AS831'",
    );
    expect(s).toMatchObject({ smtpCode: '550', enhancedCode: '5.7.705' });
    expect(s!.text).toMatch(/^Access denied, tenant has exceeded threshold\..*AS831$/);
  });

  it('STOREDRV component after the text (mailbox full)', () => {
    const s = decodeRecipientStatus('[{LED=554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded};{MSG=};{FQDN=};{IP=};{LRT=}]');
    expect(s).toMatchObject({ smtpCode: '554', enhancedCode: '5.2.2', component: 'STOREDRV.Deliver.Exception' });
    expect(s!.text).toMatch(/^mailbox full/);
  });
});

describe('decodeRecipientStatus: robustness', () => {
  it('returns undefined for text without a status', () => {
    expect(decodeRecipientStatus('The message was successfully delivered.')).toBeUndefined();
    expect(decodeRecipientStatus('Message received by: MN2PR00MB0670.namprd00.prod.outlook.com using TLS1.2 with AES256')).toBeUndefined();
    expect(decodeRecipientStatus('')).toBeUndefined();
    expect(decodeRecipientStatus(null)).toBeUndefined();
  });

  it('missing parts: LED without codes, empty groups, unknown groups', () => {
    const s = decodeRecipientStatus('[{LED=something odd happened};{MSG=};{XYZ=abc};{IP=::}]');
    expect(s).toMatchObject({ text: 'something odd happened', attributes: { XYZ: 'abc' } });
    expect(s!.smtpCode).toBeUndefined();
    expect(s!.remoteIp).toBeUndefined();
  });

  it('a forged group inside the remote text does not override the genuine one', () => {
    const s = decodeRecipientStatus('[{LED=550 5.7.1 rejected};{FQDN=evil.example};{MSG=};{FQDN=mx.real.example};{IP=192.0.2.1};{LRT=}]');
    expect(s!.remoteHost).toBe('mx.real.example');
  });

  it('never throws on junk', () => {
    const junk = ['[{', '{LED=', '}]', '[{LED=550 5.1.1 [[[[ ]]] }}}};{', '#', '#####', '[{LED=550 5.1.1 x [Key=unterminated', '\u0000\u202e{LED=1}'];
    for (const j of junk) expect(() => decodeRecipientStatus(j)).not.toThrow();
    expect(() => decodeRecipientStatus(`[{LED=550 5.1.1 ${'['.repeat(20000)}`)).not.toThrow();
  });

  it('parseLastRetryTime', () => {
    expect(parseLastRetryTime('1/25/2026 12:05:00 AM')).toBe('2026-01-25T00:05:00.000Z');
    expect(parseLastRetryTime('1/25/2026 12:05:00 PM')).toBe('2026-01-25T12:05:00.000Z');
    expect(parseLastRetryTime('13/45/2026 9:00:00 AM')).toBeUndefined();
    expect(parseLastRetryTime('yesterday')).toBeUndefined();
  });
});
