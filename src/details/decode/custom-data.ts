/**
 * Decoder for the CustomData blob of a trace event (`<MEP Name="CustomData" Blob="…"/>`):
 *
 *   S:tlsversion=NONE;S:ExternalSendLatency=10.297;S:OutboundIpPoolName=RegularOutboundPool
 *
 * and the agent blobs documented for the extended report:
 *
 *   S:SFA=SUM|SFV=SPM|IPV=CAL|SRV=BULK|SFS=470454002|SFS=349001|SCL=9|…     spam filter
 *   S:AMA=SUM|v=1|action=b|error=|atch=1;S:AMA=EV|engine=M|…|name=…|file=…  anti-malware
 *   S:TRA=ETR|ruleId=…|st=7/17/2017 12:31:25 AM|action=ApplyHtmlDisclaimer|sev=1|mode=Enforce  transport rule
 *
 * Entries are split on `;`, then on the first `=`; agent values are split on `|`, then on the first
 * `=`. A first token without `=` (SUM, EV, ETR) is kept as `kind`. Junk is skipped, never thrown
 * on. Values are untrusted text (they can echo HELO names, file names…): fence them before output.
 */

export type AgentFields = Record<string, string>;

export interface CustomData {
  /** Plain `S:key=value` entries (agent blobs are not repeated here). The first value of a key wins. */
  values: Record<string, string>;
  /** The first blob of each agent (for AMA that is the SUM summary). */
  agents: { SFA?: AgentFields; AMA?: AgentFields; TRA?: AgentFields; [agent: string]: AgentFields | undefined };
  /** Every agent blob in order, including repeats (e.g. S:AMA=SUM… then S:AMA=EV… per engine). */
  agentEntries: Array<{ agent: string; fields: AgentFields }>;
}

/** Keys whose value is an agent blob even without a `|` in it. */
const KNOWN_AGENTS = new Set(['SFA', 'AMA', 'TRA', 'DPA', 'ETR', 'MWA', 'SAA', 'SLA']);
const MAX_INPUT = 32 * 1024;
const MAX_ENTRIES = 500;

/** `SFS=1|SFS=2` keeps both values as `1,2`. */
function decodeAgent(value: string): AgentFields {
  const fields = new Map<string, string>();
  const tokens = value.split('|');
  tokens.forEach((token, index) => {
    const t = token.trim();
    if (t === '') return;
    const eq = t.indexOf('=');
    if (eq < 0) {
      if (index === 0) fields.set('kind', t);
      else if (!fields.has(t)) fields.set(t, '');
      return;
    }
    const key = t.slice(0, eq).trim();
    const val = t.slice(eq + 1).trim();
    if (key === '') return;
    const previous = fields.get(key);
    fields.set(key, previous === undefined || previous === '' ? val : val === '' ? previous : `${previous},${val}`);
  });
  return Object.fromEntries(fields);
}

function looksLikeAgent(key: string, value: string): boolean {
  return KNOWN_AGENTS.has(key) || (/^[A-Z]{2,5}$/.test(key) && value.includes('|'));
}

export function decodeCustomData(blob: string | null | undefined): CustomData {
  const values = new Map<string, string>();
  const agents: CustomData['agents'] = {};
  const agentEntries: CustomData['agentEntries'] = [];
  if (typeof blob !== 'string' || blob.trim() === '') return { values: {}, agents, agentEntries };
  const text = blob.length > MAX_INPUT ? blob.slice(0, MAX_INPUT) : blob;

  // Segments that do not start a new `key=` entry belong to the previous value (a value with ';').
  const entries: Array<[string, string]> = [];
  for (const segment of text.split(';')) {
    const m = /^\s*(?:[A-Za-z]:)?([^=|\s][^=|]*?)\s*=([\s\S]*)$/.exec(segment);
    if (m) {
      entries.push([m[1]!, m[2]!]);
    } else if (segment.trim() !== '' && entries.length > 0) {
      const last = entries[entries.length - 1]!;
      last[1] = `${last[1]};${segment}`;
    }
    if (entries.length >= MAX_ENTRIES) break;
  }

  for (const [key, rawValue] of entries) {
    const value = rawValue.trim();
    if (looksLikeAgent(key, value)) {
      const fields = decodeAgent(value);
      agentEntries.push({ agent: key, fields });
      if (!Object.hasOwn(agents, key)) {
        Object.defineProperty(agents, key, { value: fields, enumerable: true, writable: true, configurable: true });
      }
    } else if (!values.has(key)) {
      values.set(key, value);
    }
  }
  return { values: Object.fromEntries(values), agents, agentEntries };
}
