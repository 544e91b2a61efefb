/**
 * Decoder for the RecipientStatus / `Reason:` block of Fail, Defer and Drop events:
 *
 *   [{LED=550 5.4.310 DNS domain x does not exist [Message=…] [LastAttemptedServerName=…] [<server> <time> <session>]};
 *    {MSG=…};{FQDN=<remote host>};{IP=<remote ip>};{LRT=<last retry, M/D/YYYY h:mm:ss AM>}]
 *
 * also inside event descriptions as `Reason: [ … ]. OutboundProxyTargetIP: x. OutboundProxyTargetHostName: y`,
 * the on-premises `{[{LED=…}]}` wrapping, the NDR form `#550 4.4.7 QUEUE.Expired; message expired ##`
 * and the plain message-tracking form `550 4.4.7 QUEUE.Expired;<ErrorText>`.
 *
 * The LED text is written by the remote server (it can hold braces, brackets and semicolons, and
 * can be cut off), so the decoder never assumes balanced delimiters and never throws. The values
 * it returns are still untrusted text: fence them before output.
 */

export interface RecipientStatus {
  /** Basic SMTP reply code, e.g. '550', '451', '250'. */
  smtpCode?: string;
  /** Enhanced status code (RFC 3463), e.g. '5.4.310'. */
  enhancedCode?: string;
  /** The human text, with codes, component, `[Key=Value]` pairs and the server stamp removed. */
  text: string;
  /** The Exchange component that decided, e.g. 'RESOLVER.ADR.RecipientNotFound', 'QUEUE.Expired'. */
  component?: string;
  /** `{MSG=…}`, or the `[Message=…]` attribute when MSG is empty. */
  message?: string;
  /** The remote server that answered: `{FQDN=…}`, else `[LastAttemptedServerName=…]`, else OutboundProxyTargetHostName. */
  remoteHost?: string;
  /** Its IP: `{IP=…}`, else `[LastAttemptedIP=…]`, else OutboundProxyTargetIP. 0.0.0.0 / :: mean none and are omitted. */
  remoteIp?: string;
  /** `{LRT=…}` as written, e.g. '1/25/2026 9:49:29 AM'. */
  lastRetry?: string;
  /** `lastRetry` as ISO 8601 (the service writes it in UTC), when it could be read. */
  lastRetryIso?: string;
  /** The Exchange server stamp at the end of the LED (`[AM4P… 2026-01-25T09:49:29.944Z 08DE…]`): server name. */
  reportingServer?: string;
  /**
   * The `[Key=Value]` pairs of the LED text (Message, LastAttemptedServerName, LastAttemptedIP,
   * SmtpSecurity, …), any `{KEY=…}` group other than LED/MSG/FQDN/IP/LRT, and the
   * `OutboundProxyTargetIP` / `OutboundProxyTargetHostName` that follow a `Reason: […]` block.
   */
  attributes: Record<string, string>;
}

/** Bound on the text we look at; real blocks are well under 2 KB. */
const MAX_INPUT = 16 * 1024;

const KNOWN_GROUPS = new Set(['LED', 'MSG', 'FQDN', 'IP', 'LRT']);
// Component prefixes that may appear anywhere in the text (a bare uppercase dotted token at the
// start is accepted without this list).
const COMPONENT_ANYWHERE =
  /\b((?:RESOLVER|QUEUE|TRANSPORT|STOREDRV|SMTPSEND|SMTPSUBMIT|SMTPRECEIVE|ROUTING|CATEGORIZER|AGENT)\.[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)/;
const CODES_AT_START = /^\s*#?\s*(\d{3})(?:[ -]+([245]\.\d{1,3}\.\d{1,3}))?(?=[\s;,.:#]|$)/;
const ENHANCED_ALONE_AT_START = /^\s*#?\s*([245]\.\d{1,3}\.\d{1,3})(?=[\s;,.:#]|$)/;
const CODES_ANYWHERE = /(?<![\d.])(\d{3})[ -]+([245]\.\d{1,3}\.\d{1,3})(?![\d.])/;
const ENHANCED_ANYWHERE = /(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])/;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function emptyToUndefined(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function isNoIp(ip: string): boolean {
  return /^(?:0\.0\.0\.0|::|0:0:0:0:0:0:0:0|\[?::\]?)$/.test(ip);
}

/** `1/25/2026 9:49:29 AM` (UTC) → ISO 8601. */
export function parseLastRetryTime(text: string): string | undefined {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\s*([AaPp])[Mm])?\s*$/.exec(text);
  if (!m) return undefined;
  const [, mo, d, y, h, mi, s, ampm] = m;
  let hour = Number(h);
  if (ampm) {
    const pm = ampm.toLowerCase() === 'p';
    if (hour < 1 || hour > 12) return undefined;
    if (hour === 12) hour = pm ? 12 : 0;
    else if (pm) hour += 12;
  }
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), hour, Number(mi), Number(s));
  const date = new Date(ms);
  if (Number.isNaN(ms) || date.getUTCDate() !== Number(d) || date.getUTCMonth() !== Number(mo) - 1) return undefined;
  return date.toISOString();
}

/**
 * Split the inside of a `[{…};{…}]` block into KEY → value groups. Groups are separated by `};{`
 * followed by `KEY=` (uppercase key), so braces inside the LED text (`i{2b0c…}`) survive.
 */
function splitGroups(inner: string): Array<[string, string]> {
  const groups: Array<[string, string]> = [];
  const parts = inner.split(/\};?\s*\{(?=[A-Z][A-Za-z0-9]{0,15}=)/);
  for (const part of parts) {
    const m = /^\{?([A-Z][A-Za-z0-9]{0,15})=([\s\S]*)$/.exec(part);
    if (!m) continue;
    groups.push([m[1]!, m[2]!]);
  }
  return groups;
}

interface LedParts {
  smtpCode?: string;
  enhancedCode?: string;
  component?: string;
  text: string;
  attributes: Map<string, string>;
  reportingServer?: string;
}

/** Remove the `[…]` bracket groups of an LED text, collecting `[Key=Value]` pairs and the server stamp. */
function stripBrackets(text: string, attributes: Map<string, string>): { rest: string; reportingServer?: string } {
  let rest = '';
  let reportingServer: string | undefined;
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('[', i);
    if (open < 0) {
      rest += text.slice(i);
      break;
    }
    rest += text.slice(i, open);
    // Find the matching ']' (nesting-aware); unmatched → to the end.
    let depth = 0;
    let close = -1;
    for (let j = open; j < text.length; j++) {
      const c = text[j];
      if (c === '[') depth++;
      else if (c === ']') {
        depth--;
        if (depth === 0) {
          close = j;
          break;
        }
      }
    }
    const inner = text.slice(open + 1, close < 0 ? text.length : close);
    const kv = /^([A-Za-z][A-Za-z0-9_]{0,40})=([\s\S]*)$/.exec(inner);
    const stamp = /^([A-Za-z0-9][A-Za-z0-9.-]{2,}\.[A-Za-z]{2,})\s+\d{4}-\d{2}-\d{2}T[\d:.]+Z?(?:\s+[0-9A-Fa-f]+)?$/.exec(inner.trim());
    if (kv) {
      if (!attributes.has(kv[1]!)) attributes.set(kv[1]!, kv[2]!.trim());
      rest += ' ';
    } else if (stamp) {
      reportingServer ??= stamp[1];
      rest += ' ';
    } else {
      rest += text.slice(open, close < 0 ? text.length : close + 1); // ordinary bracketed text: keep
    }
    if (close < 0) break;
    i = close + 1;
  }
  return reportingServer === undefined ? { rest } : { rest, reportingServer };
}

/** Decode one LED / status line: `550 5.4.310 COMPONENT.X; text [K=V] [stamp]`. */
function decodeLed(raw: string): LedParts {
  const attributes = new Map<string, string>();
  let text = raw.trim();
  // NDR form: '#550 4.4.7 QUEUE.Expired; message expired ##'
  text = text.replace(/^#+\s*/, '').replace(/\s*#+\s*$/, '');

  let smtpCode: string | undefined;
  let enhancedCode: string | undefined;
  const start = CODES_AT_START.exec(text);
  if (start) {
    smtpCode = start[1];
    enhancedCode = start[2];
    text = text.slice(start[0].length);
  } else {
    const alone = ENHANCED_ALONE_AT_START.exec(text);
    if (alone) {
      enhancedCode = alone[1];
      text = text.slice(alone[0].length);
    }
  }
  if (smtpCode && !enhancedCode) {
    // '550 Remote said 5.7.1 …' is rare; accept an enhanced code right after more text only if it is the first one.
    const later = ENHANCED_ANYWHERE.exec(text);
    if (later && later.index < 40) enhancedCode = later[1];
  }
  // Multi-line replies joined into one: '451-4.7.23 Message deferred … for 451 4.7.23 domain'.
  if (smtpCode && enhancedCode) {
    text = text.replace(new RegExp(`(?<![\\d.])${smtpCode}[ -]${escapeRegExp(enhancedCode)}\\s+`, 'g'), '');
  }

  const stripped = stripBrackets(text, attributes);
  text = stripped.rest;

  let component: string | undefined;
  const lead = /^\s*[;:,]?\s*([A-Z][A-Z0-9]+(?:\.[A-Za-z0-9]+)+)(?=[;:\s]|$)\s*[;:]?/.exec(text);
  if (lead && /[a-z]/.test(lead[1]!.slice(lead[1]!.lastIndexOf('.')))) {
    component = lead[1];
    text = text.slice(lead[0].length);
  } else {
    const anywhere = COMPONENT_ANYWHERE.exec(text);
    if (anywhere) component = anywhere[1];
  }

  text = text
    .replace(/\s{2,}/g, ' ')
    .replace(/^[\s;:,.-]+/, '')
    .replace(/[\s;,]+$/, '')
    .trim();

  const result: LedParts = { text, attributes };
  if (smtpCode) result.smtpCode = smtpCode;
  if (enhancedCode) result.enhancedCode = enhancedCode;
  if (component) result.component = component;
  if (stripped.reportingServer) result.reportingServer = stripped.reportingServer;
  return result;
}

/** `OutboundProxyTargetIP: 1.2.3.4. OutboundProxyTargetHostName: mx.example.com` after the block. */
function readTrailer(trailer: string, attributes: Map<string, string>): void {
  const ip = /OutboundProxyTargetIP:\s*([^\s]+)/.exec(trailer);
  const host = /OutboundProxyTargetHostName:\s*([^\s]+)/.exec(trailer);
  const clean = (v: string) => v.replace(/[.,;]+$/, '');
  if (ip && clean(ip[1]!) !== '' && !attributes.has('OutboundProxyTargetIP')) attributes.set('OutboundProxyTargetIP', clean(ip[1]!));
  if (host && clean(host[1]!) !== '' && !attributes.has('OutboundProxyTargetHostName')) {
    attributes.set('OutboundProxyTargetHostName', clean(host[1]!));
  }
}

/**
 * Decode a RecipientStatus value or an event description that carries one. Returns undefined when
 * the text holds neither a `{LED=…}` block nor an SMTP/enhanced status code.
 */
export function decodeRecipientStatus(input: string | null | undefined): RecipientStatus | undefined {
  if (typeof input !== 'string') return undefined;
  const text = input.length > MAX_INPUT ? input.slice(0, MAX_INPUT) : input;
  if (text.trim() === '') return undefined;

  const attributes = new Map<string, string>();
  let led: LedParts | undefined;
  let message: string | undefined;
  let fqdn: string | undefined;
  let ip: string | undefined;
  let lrt: string | undefined;

  const blockStart = /\{(?:LED|MSG|FQDN|IP|LRT)=/.exec(text);
  if (blockStart) {
    const innerStart = blockStart.index;
    // The block ends at the last '}]' after the last group start; a block cut off in transit
    // (no closing) runs to the end of the text.
    let lastGroupStart = innerStart;
    for (const m of text.matchAll(/\{(?:LED|MSG|FQDN|IP|LRT)=/g)) lastGroupStart = m.index;
    const closeBracket = text.lastIndexOf('}]');
    const closeBrace = text.lastIndexOf('}');
    let innerEnd = text.length;
    let trailer = '';
    if (closeBracket > lastGroupStart) {
      innerEnd = closeBracket;
      trailer = text.slice(closeBracket + 2);
    } else if (closeBrace > lastGroupStart) {
      innerEnd = closeBrace;
      trailer = text.slice(closeBrace + 1);
    }
    const inner = text.slice(innerStart, innerEnd);
    for (const [key, value] of splitGroups(inner)) {
      // The real groups follow the LED in a fixed order; if the remote text forged a group, the
      // later (genuine) one wins for MSG/FQDN/IP/LRT, the first LED wins.
      switch (key) {
        case 'LED':
          led ??= decodeLed(value);
          break;
        case 'MSG':
          message = value;
          break;
        case 'FQDN':
          fqdn = value;
          break;
        case 'IP':
          ip = value;
          break;
        case 'LRT':
          lrt = value;
          break;
        default:
          if (!KNOWN_GROUPS.has(key) && !attributes.has(key)) attributes.set(key, value.trim());
      }
    }
    readTrailer(trailer, attributes);
  } else {
    // No block: a plain status line, possibly after 'Reason:' or inside 'Remote Server returned '…''.
    const body = text.replace(/^\s*(?:[A-Za-z]+\s*:\s*)?Reason:\s*/i, '');
    if (CODES_AT_START.test(body) || ENHANCED_ALONE_AT_START.test(body)) {
      led = decodeLed(body);
    } else {
      const anywhere = CODES_ANYWHERE.exec(body) ?? ENHANCED_ANYWHERE.exec(body);
      if (!anywhere) return undefined;
      led = decodeLed(body.slice(anywhere.index).replace(/['"]+\s*$/, ''));
    }
    readTrailer(text, attributes);
  }

  if (led) for (const [k, v] of led.attributes) if (!attributes.has(k)) attributes.set(k, v);

  const result: RecipientStatus = { text: led?.text ?? '', attributes: Object.fromEntries(attributes) };
  if (led?.smtpCode) result.smtpCode = led.smtpCode;
  if (led?.enhancedCode) result.enhancedCode = led.enhancedCode;
  if (led?.component) result.component = led.component;
  if (led?.reportingServer) result.reportingServer = led.reportingServer;

  const msg = emptyToUndefined(message) ?? emptyToUndefined(attributes.get('Message'));
  if (msg) result.message = msg;
  const host =
    emptyToUndefined(fqdn) ?? emptyToUndefined(attributes.get('LastAttemptedServerName')) ?? emptyToUndefined(attributes.get('OutboundProxyTargetHostName'));
  if (host) result.remoteHost = host;
  const ipCandidates = [ip, attributes.get('LastAttemptedIP'), attributes.get('OutboundProxyTargetIP')]
    .map(emptyToUndefined)
    .filter((v): v is string => v !== undefined && !isNoIp(v));
  if (ipCandidates[0]) result.remoteIp = ipCandidates[0];
  const retry = emptyToUndefined(lrt);
  if (retry) {
    result.lastRetry = retry;
    const iso = parseLastRetryTime(retry);
    if (iso) result.lastRetryIso = iso;
  }
  return result;
}

/**
 * The status class: 2 success, 4 temporary, 5 permanent. The SMTP code decides when present, so
 * `550 4.4.7 QUEUE.Expired` (the final give-up after retries) counts as permanent.
 */
export function statusClass(status: RecipientStatus | undefined): 2 | 4 | 5 | undefined {
  const first = status?.smtpCode?.[0] ?? status?.enhancedCode?.[0];
  if (first === '2') return 2;
  if (first === '4') return 4;
  if (first === '5') return 5;
  return undefined;
}
