/**
 * senderDomain / recipientDomain: which rows a domain question keeps. Matching is exact and
 * case-insensitive on the part after the last @ (no subdomains); several domains on one side are
 * OR-ed, the two sides AND-ed with each other and with every other filter. Graph documents no
 * domain filter, so this test runs here on every row read, whatever Graph was asked.
 */
import { domainToASCII } from 'node:url';
import { TraceError } from '../errors.js';
import type { MessageTraceRow } from '../graph/types.js';
import { domainOf, isDomainName } from '../output/addresses.js';

/** `*@contoso.com`: the wildcard the EAC and Get-MessageTraceV2 take for "anyone at contoso.com". */
const DOMAIN_WILDCARD = /^\*@([^@*]+)$/;

/**
 * What a URL host parser acts on: domainToASCII would cut the text at a path, query, fragment or
 * backslash ("contoso.com/x" → contoso.com), decode a %-escape, or read a port or an IP literal.
 */
const NOT_IN_A_DOMAIN = /[\s/\\?#%@:[\]]/;
/** A last label of digits only: domainToASCII's IPv4 reading of a number (0 → 0.0.0.0, 0x7f.1 → 127.0.0.1); no top-level domain is numeric. */
const NUMERIC_LAST_LABEL = /\.\d+$/;

/** A domain as typed → lower-case ASCII (an IDN becomes punycode); '' when it is not a domain name. */
export function normaliseDomain(s: string): string {
  const text = s.trim().toLowerCase();
  if (NOT_IN_A_DOMAIN.test(text)) return '';
  const ascii = domainToASCII(text);
  return isDomainName(ascii) && !NUMERIC_LAST_LABEL.test(ascii) ? ascii : '';
}

/** The domain of a `*@domain` wildcard ('' when that domain is not valid), or undefined when `s` is no such wildcard. */
export function wildcardDomain(s: string): string | undefined {
  const m = DOMAIN_WILDCARD.exec(s.trim());
  return m ? normaliseDomain(m[1] as string) : undefined;
}

/** A senderDomain/recipientDomain value as given (contoso.com, @contoso.com or *@contoso.com) → the domain, or ''. */
export function domainFilterValue(s: string): string {
  return normaliseDomain(s.trim().replace(/^\*?@/, ''));
}

export type AddressSide = 'senderAddress' | 'recipientAddress';

/** The address and domain filters of a search, after `*@domain` addresses became domains. */
export interface AddressFilters {
  senderAddresses: string[];
  recipientAddresses: string[];
  senderDomains: string[];
  recipientDomains: string[];
  notes: string[];
}

const DOMAIN_FIELD: Record<AddressSide, 'senderDomain' | 'recipientDomain'> = {
  senderAddress: 'senderDomain',
  recipientAddress: 'recipientDomain',
};

/**
 * Split addresses from `*@domain` wildcards. A wildcard becomes the side's domain filter; mixing
 * the two on one side (an OR across an address and a domain) or giving a wildcard and the domain
 * field together is refused, since either would change what was asked.
 */
export function resolveAddressFilters(input: Record<AddressSide | 'senderDomain' | 'recipientDomain', string[]>): AddressFilters {
  const out: AddressFilters = { senderAddresses: [], recipientAddresses: [], senderDomains: [], recipientDomains: [], notes: [] };
  for (const side of ['senderAddress', 'recipientAddress'] as const) {
    const domainField = DOMAIN_FIELD[side];
    const given = input[side];
    const domains = input[domainField].map(domainFilterValue);
    const wildcards = given.filter((a) => wildcardDomain(a) !== undefined);
    const addresses = given.filter((a) => wildcardDomain(a) === undefined);
    if (wildcards.length > 0 && addresses.length > 0) {
      throw new TraceError({
        kind: 'input',
        what: `${side} mixes full addresses with a domain wildcard (${wildcards[0]}).`,
        why: 'A wildcard stands for a whole domain, and one search cannot ask for "this address or anyone at that domain".',
        fix: `Search the addresses and the domain in separate calls; for the domain use ${domainField}.`,
      });
    }
    if (wildcards.length > 0 && domains.length > 0) {
      throw new TraceError({
        kind: 'input',
        what: `${side} has a domain wildcard (${wildcards[0]}) and ${domainField} is given too.`,
        why: `Both filter by ${side === 'senderAddress' ? 'sender' : 'recipient'} domain; together they would be AND-ed.`,
        fix: `Give the domains once, in ${domainField}.`,
      });
    }
    const fromWildcards = wildcards.map((w) => wildcardDomain(w) as string);
    if (fromWildcards.length > 0) {
      out.notes.push(
        `${side} ${wildcards.join(', ')} was read as ${domainField} ${fromWildcards.join(', ')} (Graph documents no address wildcard, so it was not sent as an address).`,
      );
    }
    const allDomains = [...new Set([...domains, ...fromWildcards])];
    if (side === 'senderAddress') {
      out.senderAddresses = addresses;
      out.senderDomains = allDomains;
    } else {
      out.recipientAddresses = addresses;
      out.recipientDomains = allDomains;
    }
  }
  return out;
}

export class DomainFilter {
  private readonly senders: ReadonlySet<string>;
  private readonly recipients: ReadonlySet<string>;

  constructor(filters: Pick<AddressFilters, 'senderDomains' | 'recipientDomains'>) {
    this.senders = new Set(filters.senderDomains);
    this.recipients = new Set(filters.recipientDomains);
  }

  get active(): boolean {
    return this.senders.size > 0 || this.recipients.size > 0;
  }

  domains(side: AddressSide): string[] {
    return [...(side === 'senderAddress' ? this.senders : this.recipients)];
  }

  matches(row: Pick<MessageTraceRow, 'senderAddress' | 'recipientAddress'>): boolean {
    if (this.senders.size > 0 && !this.senders.has(domainOf(row.senderAddress))) return false;
    if (this.recipients.size > 0 && !this.recipients.has(domainOf(row.recipientAddress))) return false;
    return true;
  }

  /** "sender domain contoso.com and recipient domain gmail.com or yahoo.com" */
  describe(): string {
    const part = (name: string, set: ReadonlySet<string>) => (set.size === 0 ? [] : [`${name} ${[...set].join(' or ')}`]);
    return [...part('sender domain', this.senders), ...part('recipient domain', this.recipients)].join(' and ');
  }
}
