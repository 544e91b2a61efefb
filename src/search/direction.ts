/**
 * Mail direction of a message trace row, from the tenant's point of view: `inbound`, `outbound`
 * or `internal`. Graph's message trace has no direction field, so it is derived here.
 *
 * How:
 * - A domain is the tenant's own ("internal") when it is listed in MESSAGE_TRACE_DOMAINS
 *   (`config.tenantDomains`; a listed domain also covers its subdomains). That list is then the
 *   only source, and every row is classified the moment it arrives.
 * - Without that list the tenant's domains are learned from evidence in the rows themselves:
 *   1. the domain of the tenant's system mailbox `MicrosoftExchange<32 hex>@…` (the sender of
 *      non-delivery reports) is the tenant's (its `*.onmicrosoft.com` domain);
 *   2. a recipient domain is the tenant's when more rows were handed to a mailbox or group here
 *      (status `delivered` or `expanded` with a blank `toIP`: nothing left for another server)
 *      than left Exchange Online for it (a `toIP` is set). Weighing both matters: a dropped
 *      automatic reply to an outside address also reads "delivered" with a blank toIP.
 *   Rows are held back until the first `WARMUP_ROWS` have been seen (or the search ends), so a
 *   search of up to that many rows is classified with everything it contains, whatever the order.
 *   After that, rows are classified as they arrive with what is known by then; `finish()` counts
 *   the rows whose domains were judged otherwise than the final evidence says.
 * - Then: sender internal and recipient internal → `internal`; sender internal and recipient
 *   external → `outbound`; anything else (an external sender) → `inbound`.
 *
 * Limits (say so when answering from it):
 * - Inferred domains cover only what the rows show: a tenant domain that only sends, or that
 *   only receives mail which failed, was quarantined or is pending, is not recognised, so its
 *   outbound mail reads as inbound; an outside domain whose only rows in the search are
 *   "delivered" without a toIP (a dropped automatic reply) is taken for the tenant's. Set
 *   MESSAGE_TRACE_DOMAINS (every accepted domain, including the onmicrosoft.com ones) for exact
 *   answers.
 * - Not every `*.onmicrosoft.com` domain is the tenant's: phishing from other (trial) tenants
 *   comes from such domains, so only the rules above admit one.
 * - A sender with a `toIP` (mail that left the tenant) is not taken as internal: forwarded mail
 *   keeps its outside sender. External mail forwarded outside therefore counts as inbound.
 * - The sender address is what Graph reports (the envelope sender): mail from outside that spoofs
 *   one of the tenant's domains counts as internal (or outbound).
 * - Mail to a hybrid (on-premises) mailbox leaves Exchange Online (it has a toIP): with
 *   MESSAGE_TRACE_DOMAINS it counts as internal; inferred, a domain mostly served on premises
 *   reads as external.
 */
import type { MessageTraceRow } from '../graph/types.js';
import { domainOf } from '../output/addresses.js';

export const DIRECTIONS = ['inbound', 'outbound', 'internal'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** Rows held back while the tenant's domains are being learned. */
export const WARMUP_ROWS = 2000;
/** Distinct domains tracked (evidence, judgements); further ones count as external. */
const MAX_TRACKED_DOMAINS = 10_000;

const SYSTEM_SENDER = /^MicrosoftExchange[0-9a-f]{32}@/i;
const LOCAL_DELIVERY = new Set(['delivered', 'expanded']);

interface Evidence {
  system: boolean;
  /** Rows handed to a mailbox or group here (blank toIP). */
  local: number;
  /** Rows that left Exchange Online for this domain (toIP set). */
  remote: number;
}

/** The tenant's own domains: configured, or learned from rows (see the module comment). */
export class TenantDomains {
  private readonly configured: string[];
  private readonly evidence = new Map<string, Evidence>();

  constructor(configured: readonly string[]) {
    this.configured = [...new Set(configured.map((d) => d.trim().toLowerCase().replace(/^\.+|\.+$/g, '')).filter(Boolean))];
  }

  /** True when the domains come from the rows, not from MESSAGE_TRACE_DOMAINS. */
  get inferred(): boolean {
    return this.configured.length === 0;
  }

  isInternal(domain: string): boolean {
    if (!domain) return false;
    const d = domain.toLowerCase();
    if (!this.inferred) return this.configured.some((c) => d === c || d.endsWith(`.${c}`));
    const e = this.evidence.get(d);
    return e !== undefined && (e.system || e.local > e.remote);
  }

  /** Weigh one row's evidence (only when inferring); `recipientDomain` saves working it out again. */
  learn(row: MessageTraceRow, recipientDomain?: string): void {
    if (!this.inferred) return;
    const of = (domain: string): Evidence | undefined => {
      let e = this.evidence.get(domain);
      if (!e && domain && this.evidence.size < MAX_TRACKED_DOMAINS) {
        e = { system: false, local: 0, remote: 0 };
        this.evidence.set(domain, e);
      }
      return e;
    };
    if (SYSTEM_SENDER.test(row.senderAddress)) {
      const e = of(domainOf(row.senderAddress));
      if (e) e.system = true;
    }
    const left = row.toIP.trim() !== '';
    if (!left && !LOCAL_DELIVERY.has(row.status.toLowerCase())) return;
    const e = of(recipientDomain ?? domainOf(row.recipientAddress));
    if (e && left) e.remote++;
    else if (e) e.local++;
  }

  /** The domains in use, sorted. */
  list(): string[] {
    return this.inferred ? [...this.evidence.keys()].filter((d) => this.isInternal(d)).sort() : [...this.configured];
  }
}

/** The direction of one row, given the tenant's domains. */
export function directionOf(row: Pick<MessageTraceRow, 'senderAddress' | 'recipientAddress'>, domains: TenantDomains): Direction {
  return directionOfDomains(domainOf(row.senderAddress), domainOf(row.recipientAddress), domains);
}

function directionOfDomains(senderDomain: string, recipientDomain: string, domains: TenantDomains): Direction {
  if (!domains.isInternal(senderDomain)) return 'inbound';
  return domains.isInternal(recipientDomain) ? 'internal' : 'outbound';
}

export interface DirectionOutcome {
  /** True when the domains were learned from the rows. */
  inferred: boolean;
  domains: string[];
  /** Rows classified with a domain judged otherwise than the final evidence says (at most). */
  lateRows: number;
}

/**
 * Streams rows to `emit` with their direction. With configured domains every row goes straight
 * through; when inferring, the first WARMUP_ROWS are held back until their evidence is in.
 * `extra` rides along with its row (the search passes where the row's JSON lies).
 */
export class DirectionClassifier<X = undefined> {
  private buffer: Array<[MessageTraceRow, X | undefined]> | undefined;
  /** Per domain that decided a direction: rows that judged it internal, and external. */
  private readonly judged = new Map<string, [number, number]>();

  constructor(
    private readonly domains: TenantDomains,
    private readonly emit: (row: MessageTraceRow, direction: Direction, extra: X | undefined) => void,
    private readonly warmupRows = WARMUP_ROWS,
  ) {
    this.buffer = domains.inferred ? [] : undefined;
  }

  push(row: MessageTraceRow, extra?: X): void {
    // Work each row's domains out once (this runs for every row of a search).
    const recipientDomain = domainOf(row.recipientAddress);
    this.domains.learn(row, recipientDomain);
    if (this.buffer) {
      this.buffer.push([row, extra]);
      if (this.buffer.length >= this.warmupRows) this.flush();
      return;
    }
    this.classify(row, extra, recipientDomain);
  }

  /** Emit what is held back; returns what the classification rests on. */
  finish(): DirectionOutcome {
    this.flush();
    let lateRows = 0;
    for (const [domain, [asInternal, asExternal]] of this.judged) lateRows += this.domains.isInternal(domain) ? asExternal : asInternal;
    return { inferred: this.domains.inferred, domains: this.domains.list(), lateRows };
  }

  private flush(): void {
    const held = this.buffer;
    this.buffer = undefined;
    for (const [row, extra] of held ?? []) this.classify(row, extra);
  }

  private judge(domain: string, internal: boolean): void {
    let j = this.judged.get(domain);
    if (!j && this.judged.size < MAX_TRACKED_DOMAINS) this.judged.set(domain, (j = [0, 0]));
    if (j) j[internal ? 0 : 1]++;
  }

  private classify(row: MessageTraceRow, extra: X | undefined, recipientDomain = domainOf(row.recipientAddress)): void {
    const senderDomain = domainOf(row.senderAddress);
    const direction = directionOfDomains(senderDomain, recipientDomain, this.domains);
    if (this.domains.inferred) {
      // Remember what each deciding domain was taken for, to count rows the final evidence contradicts.
      this.judge(senderDomain, direction !== 'inbound');
      if (direction !== 'inbound') this.judge(recipientDomain, direction === 'internal');
    }
    this.emit(row, direction, extra);
  }
}
