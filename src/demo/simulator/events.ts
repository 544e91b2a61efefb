/**
 * Builders for `getDetailsByRecipient` events that look like Exchange Online's: event names,
 * descriptions and `data` MEP XML follow the published samples (test/fixtures/sample-responses.json) and the
 * event shapes documented for message trace details (the pages in src/details/knowledge/sources.ts). Strings marked "synthetic" have no public sample;
 * they are built from the documented parts (codes, components, agent keys).
 */
import type { MessageTraceDetailEvent } from '../../graph/types.js';
import type { Rng } from './prng.js';

// ---------------------------------------------------------------------------------------------
// Formatting helpers

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function escapeXmlAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export type MepType = 'String' | 'Integer' | 'Long' | 'Blob' | 'DateTime';
export type Mep = readonly [name: string, type: MepType, value: string | number];

/** `<root><MEP Name="…" Type="…" />…</root>`, spaced exactly like the published sample. */
export function mepXml(meps: readonly Mep[]): string {
  let out = '<root>';
  for (const [name, type, value] of meps) {
    out += `<MEP Name="${escapeXmlAttr(name)}" ${type}="${escapeXmlAttr(String(value))}" />`;
  }
  return `${out}</root>`;
}

/** Last-retry-time format used in LED blocks: `1/25/2026 9:49:29 AM` (UTC). */
export function lrt(ms: number): string {
  const d = new Date(ms);
  const h24 = d.getUTCHours();
  const h12 = h24 % 12 === 0 ? 12 : h24 % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h12}:${mm}:${ss} ${h24 < 12 ? 'AM' : 'PM'}`;
}

/** `[{LED=…};{MSG=…};{FQDN=…};{IP=…};{LRT=…}]` */
export function ledBlock(led: string, parts: { msg?: string; fqdn?: string; ip?: string; lrt?: string } = {}): string {
  return `[{LED=${led}};{MSG=${parts.msg ?? ''}};{FQDN=${parts.fqdn ?? ''}};{IP=${parts.ip ?? ''}};{LRT=${parts.lrt ?? ''}}]`;
}

// ---------------------------------------------------------------------------------------------
// Host names, ids

const MAILBOX_PREFIXES = ['BN8PR', 'MN2PR', 'SA1PR', 'CH3PR', 'DM6PR', 'PH0PR', 'SJ0PR', 'CO6PR', 'BL1PR', 'DS7PR'];
const FRONTEND_PREFIXES = ['SN1PEPF', 'CO1PEPF', 'BY2PEPF', 'DS1PEPF', 'CH2PEPF', 'MW2PEPF'];
const EOP_PREFIXES = ['BN2NAM', 'DM6NAM', 'CO1NAM', 'BN1NAM', 'MWH0EPF'];

/** e.g. `BN8PR12MB3456.namprd12.prod.outlook.com` */
export function mailboxHost(rng: Rng): string {
  const n = rng.int(10, 19);
  return `${rng.pick(MAILBOX_PREFIXES)}${n}MB${rng.int(1000, 9999)}.namprd${n}.prod.outlook.com`;
}

/** e.g. `SN1PEPF0002F3A1.namprd05.prod.outlook.com` */
export function frontEndHost(rng: Rng): string {
  return `${rng.pick(FRONTEND_PREFIXES)}000${rng.hex(5).toUpperCase()}.namprd0${rng.int(2, 9)}.prod.outlook.com`;
}

/** e.g. `BN2NAM12FT054.eop-nam12.prod.protection.outlook.com` */
export function eopHost(rng: Rng): string {
  const n = rng.int(10, 14);
  return `${rng.pick(EOP_PREFIXES)}${n}FT0${rng.int(10, 99)}.eop-nam${n}.prod.protection.outlook.com`;
}

/** The first label of a host, as used in connector ids (`VI6P2F83A8\Default VI6F83A8`). */
function shortHost(host: string): string {
  return (host.split('.')[0] ?? host).toUpperCase();
}

/** `[<EXO server> <ISO time> <session id>]` stamp that Exchange appends to remote errors. */
export function serverStamp(rng: Rng, ms: number): string {
  return `[${eopHost(rng)} ${iso(ms)} 08DE${rng.hex(12).toUpperCase()}]`;
}

// ---------------------------------------------------------------------------------------------
// Anti-spam CustomData

export interface SfaVerdict {
  sfv: 'NSPM' | 'SPM' | 'SKA' | 'SKN' | 'SKS' | 'BLK' | 'SKB';
  scl: number;
  /** DI=… delivery information; omitted when undefined. */
  di?: 'SB' | 'SQ' | 'SD' | 'SJ' | 'SN' | 'SO';
  cat?: string;
  pcl?: number;
  srv?: string;
  ipv?: string;
}

/** `S:SFA=SUM|SFV=…|…|SCL=…|…;` as in the EAC documentation's example (SRC.T1 in src/details/knowledge/sources.ts). */
export function sfaBlob(v: SfaVerdict, sender: { host: string; ip: string; country: string; lang: string }, rng: Rng): string {
  const sfs = v.sfv === 'SPM' ? `SFS=${rng.int(100000000, 999999999)}|SFS=${rng.int(100000, 999999)}` : 'SFS=';
  const parts = [
    'S:SFA=SUM',
    `SFV=${v.sfv}`,
    `IPV=${v.ipv ?? 'NLI'}`,
    `SRV=${v.srv ?? ''}`,
    sfs,
    `SCL=${v.scl}`,
    'SCORE=-1',
    'LIST=0',
  ];
  if (v.di) parts.push(`DI=${v.di}`);
  if (v.cat) parts.push(`CAT=${v.cat}`);
  if (v.pcl !== undefined) parts.push(`PCL=${v.pcl}`);
  parts.push(
    `RD=${sender.host}`,
    `H=${sender.host}`,
    `CIP=${sender.ip}`,
    'SFP=1501',
    'ASF=1',
    `CTRY=${sender.country}`,
    'CLTCTRY=',
    `LANG=${sender.lang}`,
    `LAT=${rng.int(0, 400)}`,
    `LAT=${rng.int(0, 300)}`,
    `LAT=${rng.int(0, 40)}`,
  );
  return `${parts.join('|')};`;
}

// ---------------------------------------------------------------------------------------------
// The event list

export interface EventContext {
  traceId: string;
  messageId: string;
  sender: string;
  recipient: string;
}

/** Collects events for one (trace id, recipient). */
export class EventList {
  readonly events: MessageTraceDetailEvent[] = [];

  constructor(
    readonly ctx: EventContext,
    readonly rng: Rng,
  ) {}

  add(atMs: number, event: string, description: string | null, data: string | null, action = ''): this {
    this.events.push({
      id: this.ctx.traceId,
      messageId: this.ctx.messageId,
      dateTime: iso(atMs),
      event,
      action,
      description,
      data,
    });
    return this;
  }

  /** Mail arriving from the internet at a frontend. */
  receiveInbound(atMs: number, from: { ip: string; host: string }, tls = true): this {
    const host = frontEndHost(this.rng);
    return this.receive(atMs, host, `${shortHost(host)}\\Default Frontend ${shortHost(host)}`, from, tls, 'S:tlsversion=SP_PROT_TLS1_2_SERVER;S:tlscipher=CALG_AES_256');
  }

  /** Mailbox Transport Submission handing a mailbox's message to transport. */
  submit(atMs: number, rcptCount = 1): this {
    const host = mailboxHost(this.rng);
    return this.add(
      atMs,
      'Submit',
      'The message was submitted.',
      mepXml([
        ['RcptCount', 'Integer', rcptCount],
        ['ServerHostName', 'String', host],
        ['ClientName', 'String', shortHost(host)],
        ['SequenceNumber', 'Long', 0],
      ]),
    );
  }

  /** Transport receiving a message submitted from a mailbox in the tenant. */
  receiveInternal(atMs: number, clientIp: string, tls = false): this {
    const host = mailboxHost(this.rng);
    return this.receive(atMs, host, `${shortHost(host)}\\Default ${shortHost(host)}`, { ip: clientIp }, tls, 'S:tlsversion=SP_PROT_TLS1_2_SERVER');
  }

  /** A Receive event at `host`, as both paths record it (ClientName only when the sending host is known). */
  private receive(atMs: number, host: string, connector: string, client: { ip: string; host?: string }, tls: boolean, tlsData: string): this {
    return this.add(
      atMs,
      'Receive',
      tls ? `Message received by: ${host} using TLS1.2 with AES256` : `Message received by: ${host}`,
      mepXml([
        ['ConnectorId', 'String', connector],
        ['ClientIP', 'String', client.ip],
        ...(client.host !== undefined ? [['ClientName', 'String', client.host] as const] : []),
        ['ServerHostName', 'String', host],
        ['FirstForestHop', 'String', host],
        ['DeliveryPriority', 'String', 'Normal'],
        ['ReturnPath', 'String', this.ctx.sender],
        ['CustomData', 'Blob', tls ? tlsData : 'S:tlsversion=NONE'],
        ['SequenceNumber', 'Long', 0],
      ]),
    );
  }

  /** AGENTINFO of the spam filter: event "Spam Diagnostics" with `S:SFA=…` CustomData. */
  spamDiagnostics(atMs: number, verdict: SfaVerdict, sender: { host: string; ip: string; country?: string; lang?: string }): this {
    const blob = sfaBlob(verdict, { host: sender.host, ip: sender.ip, country: sender.country ?? 'US', lang: sender.lang ?? 'en' }, this.rng);
    return this.add(
      atMs,
      'Spam Diagnostics',
      null,
      mepXml([
        ['CustomData', 'Blob', blob],
        ['SequenceNumber', 'Long', 0],
      ]),
    );
  }

  /** Observed EAC row: `Spam` with `Spam confidence level: N`. */
  spamVerdict(atMs: number, scl: number, sfv: string, cat: string, di: string): this {
    return this.add(
      atMs,
      'Spam',
      `Spam confidence level: ${scl}`,
      mepXml([
        ['SCL', 'Integer', scl],
        ['SFV', 'String', sfv],
        ['CAT', 'String', cat],
        ['DI', 'String', di],
        ['SequenceNumber', 'Long', 0],
      ]),
    );
  }

  /** Delivery to a mailbox; `folder` decides the description text. */
  deliver(atMs: number, folder: 'Inbox' | 'InboxExplicit' | 'Junk Email' | 'Quarantine', extra: Mep[] = []): this {
    const host = mailboxHost(this.rng);
    const description =
      folder === 'Inbox'
        ? 'The message was successfully delivered.'
        : folder === 'InboxExplicit'
          ? 'The message was successfully delivered to the Inbox folder.'
          : folder === 'Junk Email'
            ? 'The message was delivered to the Junk Email folder.'
            : 'Message quarantined in: DefaultFolderType:QuarantinedEmailSecured';
    return this.add(
      atMs,
      'Deliver',
      description,
      mepXml([
        ['RcptCount', 'Integer', 1],
        ['ServerHostName', 'String', host],
        ['DeliveryPriority', 'String', 'Normal'],
        ['TotalLatency', 'Integer', this.rng.int(1, 6)],
        ['ReturnPath', 'String', this.ctx.sender],
        ['ClientName', 'String', shortHost(host)],
        [
          'CustomData',
          'Blob',
          `S:MailboxDatabaseGuid=${this.rng.guid()};S:Mailbox=${this.rng.guid()};S:DeliveryLatency=${(this.rng.next() * 3).toFixed(3)};S:AccountForest=NAMPR${this.rng.int(10, 19)}A00${this.rng.int(1, 9)}.PROD.OUTLOOK.COM`,
        ],
        ...extra,
        ['SequenceNumber', 'Long', 0],
      ]),
    );
  }

  /** Handed to an external server (event name as in the extended report: SENDEXTERNAL). */
  sendExternal(atMs: number, mx: { host: string; ip: string }): this {
    return this.add(
      atMs,
      'Send external',
      `Message sent to ${mx.host} at ${mx.ip} using TLS1.2 with AES256`,
      mepXml([
        ['RcptCount', 'Integer', 1],
        ['ConnectorId', 'String', 'Outbound Proxy External Send Connector'],
        ['ServerHostName', 'String', mx.host],
        ['DeliveryPriority', 'String', 'Normal'],
        ['TotalLatency', 'Integer', this.rng.int(1, 9)],
        ['OutboundProxyTargetIPAddress', 'String', mx.ip],
        ['OutboundProxyTargetHostName', 'String', mx.host],
        ['ReturnPath', 'String', this.ctx.sender],
        [
          'CustomData',
          'Blob',
          `S:OutboundProxyFrontEndName=nam.internal.map.protection.eop.outlook.com;S:IsSmtpResponseFromExternalServer=True;S:ExternalSendLatency=${(this.rng.next() * 2).toFixed(3)};S:OutboundIpPool=1102;S:OutboundIpPoolName=RegularOutboundPool`,
        ],
        ['SequenceNumber', 'Long', 0],
        ['RecipientStatus', 'String', `250 2.6.0 ${this.ctx.messageId} [InternalId=${this.rng.int(10000000, 99999999)}] Queued mail for delivery`],
      ]),
    );
  }

  /** `Fail` with a `Reason: [{LED=…};…]` description and the same block as RecipientStatus. */
  fail(atMs: number, block: string, opts: { outbound?: { host: string; ip?: string }; sourceContext?: string; connector?: string } = {}): this {
    const target = opts.outbound;
    const description = target
      ? target.ip
        ? `Reason: ${block}. OutboundProxyTargetIP: ${target.ip}. OutboundProxyTargetHostName: ${target.host}`
        : `Reason: ${block}. OutboundProxyTargetHostName: ${target.host}`
      : `Reason: ${block}`;
    const meps: Mep[] = [['RcptCount', 'Integer', 1]];
    if (opts.connector || opts.outbound) meps.push(['ConnectorId', 'String', opts.connector ?? 'Outbound Proxy External Send Connector']);
    meps.push(
      ['ServerHostName', 'String', opts.outbound?.host ?? mailboxHost(this.rng)],
      ['DeliveryPriority', 'String', 'Normal'],
      ['TotalLatency', 'Integer', this.rng.int(1, 12)],
    );
    if (opts.outbound) meps.push(['OutboundProxyTargetHostName', 'String', opts.outbound.host]);
    meps.push(['ReturnPath', 'String', this.ctx.sender]);
    if (opts.sourceContext) meps.push(['SourceContext', 'String', opts.sourceContext]);
    meps.push(
      ['SequenceNumber', 'Long', 0],
      ['RecipientStatus', 'String', block],
      ['RecipientReference', 'String', `<${this.rng.guid()}@${mailboxHost(this.rng).toUpperCase()}>`],
    );
    return this.add(atMs, 'Fail', description, mepXml(meps));
  }

  /** `Defer` with the LED block, followed by the outbound proxy target like the real samples. */
  defer(atMs: number, block: string, target?: { host: string; ip: string }): this {
    const description = target
      ? `Reason: ${block}. OutboundProxyTargetIP: ${target.ip}. OutboundProxyTargetHostName: ${target.host}`
      : `Reason: ${block}`;
    const meps: Mep[] = [['RcptCount', 'Integer', 1]];
    if (target) {
      meps.push(
        ['ConnectorId', 'String', 'Outbound Proxy External Send Connector'],
        ['ServerHostName', 'String', target.host],
        ['OutboundProxyTargetIPAddress', 'String', target.ip],
        ['OutboundProxyTargetHostName', 'String', target.host],
      );
    } else {
      meps.push(['ServerHostName', 'String', mailboxHost(this.rng)]);
    }
    meps.push(
      ['DeliveryPriority', 'String', 'Normal'],
      ['ReturnPath', 'String', this.ctx.sender],
      ['SequenceNumber', 'Long', 0],
      ['RecipientStatus', 'String', block],
    );
    return this.add(atMs, 'Defer', description, mepXml(meps));
  }

  /** Distribution group expansion (synthetic description; the event name is documented). */
  expand(atMs: number, memberCount: number): this {
    return this.add(
      atMs,
      'Expand',
      `The distribution group was expanded to ${memberCount} recipients.`,
      mepXml([
        ['RcptCount', 'Integer', memberCount],
        ['ServerHostName', 'String', mailboxHost(this.rng)],
        ['RelatedRecipientAddress', 'String', this.ctx.recipient],
        ['SequenceNumber', 'Long', 0],
        ['RecipientReference', 'String', String(this.rng.int(10000000, 99999999))],
      ]),
    );
  }

  /** `Drop` with a reason block (`250 2.1.5 …` = handled, not a failure). */
  drop(atMs: number, block: string, sourceContext?: string): this {
    const meps: Mep[] = [
      ['ServerHostName', 'String', mailboxHost(this.rng)],
      ['DeliveryPriority', 'String', 'Normal'],
      ['ReturnPath', 'String', this.ctx.sender],
    ];
    if (sourceContext) meps.push(['SourceContext', 'String', sourceContext]);
    meps.push(['SequenceNumber', 'Long', 0], ['RecipientStatus', 'String', block]);
    return this.add(atMs, 'Drop', `Reason: ${block}`, mepXml(meps));
  }

  /** A mail flow rule match: `Transport rule: '<name>', ID: ('<guid>'), DLP policy: '', ID: (…).` */
  transportRule(atMs: number, rule: { name: string; id: string; action: string; since: number }): this {
    return this.add(
      atMs,
      'Transport rule',
      `Transport rule: '${rule.name}', ID: ('${rule.id}'), DLP policy: '', ID: (00000000-0000-0000-0000-000000000000).`,
      mepXml([
        ['CustomData', 'Blob', `S:TRA=ETR|ruleId=${rule.id}|st=${lrt(rule.since)}|action=${rule.action}|sev=1|mode=Enforce`],
        ['SequenceNumber', 'Long', 0],
      ]),
    );
  }

  /** Bifurcation as in the published sample. */
  transfer(atMs: number): this {
    return this.add(
      atMs,
      'TRANSFER',
      null,
      mepXml([
        ['DeliveryPriority', 'String', 'Normal'],
        ['ReturnPath', 'String', this.ctx.sender],
        ['SequenceNumber', 'Long', 0],
        ['RecipientReference', 'String', String(this.rng.int(10000000, 99999999))],
      ]),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Ready-made reason blocks

export function ledRecipientNotFound(address: string): string {
  return ledBlock(`550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient ${address} not found by SMTP address lookup`);
}

export function ledDnsDomain(rng: Rng, domain: string, atMs: number): string {
  return ledBlock(
    `550 5.4.310 DNS domain ${domain} does not exist [Message=InfoDomainNonexistent] [LastAttemptedServerName=${domain}] ${serverStamp(rng, atMs - rng.int(20, 60))}`,
    { msg: 'InfoDomainNonexistent', fqdn: domain, ip: '0.0.0.0', lrt: lrt(atMs) },
  );
}

export function ledConnectionRefused(rng: Rng, mx: { host: string; ip: string }, atMs: number): string {
  return ledBlock(
    `451 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=${mx.host}] [LastAttemptedIP=${mx.ip}:25] ${serverStamp(rng, atMs - rng.int(20, 900))}`,
    { msg: 'Socket error code 10061', fqdn: mx.host, ip: mx.ip, lrt: lrt(atMs) },
  );
}

export function ledPrimaryTargetDropped(rng: Rng, mx: { host: string; ip: string }, atMs: number): string {
  return ledBlock(
    `451 4.4.0 Primary target IP address responded with: "421 4.4.2 Connection dropped due to SocketError." Attempted failover to alternate host, but that did not succeed. Either there are no alternate hosts, or delivery failed to all alternate hosts. The last endpoint attempted was ${mx.ip}:25 ${serverStamp(rng, atMs - rng.int(20, 900))}`,
    { msg: '421 4.4.2 Connection dropped due to SocketError.', fqdn: mx.host, ip: mx.ip, lrt: lrt(atMs) },
  );
}

export function ledQueueExpired(rng: Rng, mx: { host: string; ip: string }, atMs: number): string {
  return ledBlock(
    `550 4.4.7 QUEUE.Expired; message expired [Message=451 4.4.316 Connection refused] [LastAttemptedServerName=${mx.host}] [LastAttemptedIP=${mx.ip}:25] ${serverStamp(rng, atMs - rng.int(20, 900))}`,
    { msg: 'Socket error code 10061', fqdn: mx.host, ip: mx.ip, lrt: lrt(atMs) },
  );
}

export function ledThreadLimit(): string {
  return ledBlock('432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded');
}

export function ledTransportRuleReject(): string {
  return ledBlock('550 5.7.1 TRANSPORT.RULES.RejectMessage; the message was rejected by organization policy');
}

export function ledDmarcReject(rng: Rng, domain: string, atMs: number): string {
  return ledBlock(
    `550 5.7.509 Access denied, sending domain ${domain.toUpperCase()} does not pass DMARC verification and has a DMARC policy of reject. ${serverStamp(rng, atMs - rng.int(5, 60))}`,
  );
}

export function ledMailboxFull(): string {
  return ledBlock(
    '554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot open mailbox.[EndDiagnosticData]',
  );
}

export function ledRemoteUserUnknown(address: string, mx: { host: string; ip: string }, atMs: number): string {
  return ledBlock(`550 5.1.1 <${address}>: Recipient address rejected: User unknown in virtual mailbox table`, {
    msg: '550 5.1.1 Recipient address rejected',
    fqdn: mx.host,
    ip: mx.ip,
    lrt: lrt(atMs),
  });
}

export const LED_GROUP_EXPANDED = ledBlock('250 2.1.5 RESOLVER.GRP.Expanded; distribution list expanded');
export const LED_OOF_INT_TO_EXT = ledBlock('250 2.1.5 RESOLVER.OOF.IntToExt; handled internal OOF addressed to external recipient');
/** Synthetic: spam filtered and deleted (DI=SD) — no public sample of the exact text. */
export const LED_SPAM_DELETED = ledBlock('550 5.2.1 Message deleted by the content filter agent; SFV:SPM');
