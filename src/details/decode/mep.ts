/**
 * Parser for the `data` field of a message trace detail event:
 * `<root><MEP Name="…" String|Integer|Long|Blob|DateTime|…="…" />…</root>`.
 *
 * The field is mail-service data that can carry text written by strangers (remote server
 * replies, addresses), so the parser is defensive:
 * - the input is bounded ({@link MEP_MAX_INPUT_CHARS});
 * - DOCTYPE / ENTITY declarations are refused outright (the service never sends them, and they
 *   are the vehicle of entity-expansion bombs and external entities);
 * - the XML is validated with `XMLValidator` before parsing (the parser alone is lenient);
 * - the parser runs with entity-expansion limits and a small `maxNestedTags`;
 * - nothing throws: any failure comes back as `{ facts: [], error }`.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** One `<MEP>` element: its Name, the name of its single typed attribute, and its value. */
export interface MepFact {
  name: string;
  /** 'String' | 'Integer' | 'Long' | 'Blob' | 'DateTime' | … as the service wrote it. */
  type: string;
  /** Integer/Long values become numbers when they are safe integers; everything else stays a string. */
  value: string | number;
}

export interface MepParseResult {
  facts: MepFact[];
  /** Why nothing could be read (malformed, oversized, not `<root>`…). Absent on success. */
  error?: string;
  /** How many `<MEP>` elements were skipped because they were malformed (no Name, not exactly one value…). */
  skipped?: number;
}

/** Inputs longer than this (in UTF-16 code units) are refused without parsing. */
export const MEP_MAX_INPUT_CHARS = 64 * 1024;
/** At most this many MEP elements are read from one event (the service sends about a dozen). */
export const MEP_MAX_FACTS = 500;

const ATTR_PREFIX = '@_';
const INTEGER_TYPES = new Set(['integer', 'long']);

let parserInstance: XMLParser | undefined;

function parser(): XMLParser {
  parserInstance ??= new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: ATTR_PREFIX,
    // A single <MEP> must still give an array.
    isArray: (_tagName: string, jPath: unknown) => jPath === 'root.MEP',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    // Entities: the five XML ones always; numeric character references (&#65; &#x42;) need
    // htmlEntities. DOCTYPE entities are refused before parsing, so only those references remain,
    // each expanding to one character: the limits are a second line against a bomb. The number of
    // references is bounded by the input size, not by a small count (ordinary data escapes every
    // quote and ampersand: 150 MEPs with a quoted value are already 300 references).
    processEntities: {
      enabled: true,
      maxEntitySize: 1000,
      maxExpansionDepth: 2,
      maxTotalExpansions: MEP_MAX_INPUT_CHARS,
      maxExpandedLength: MEP_MAX_INPUT_CHARS,
      maxEntityCount: 10,
    },
    htmlEntities: true,
    // root > MEP is depth 2; anything deeper is not MEP data.
    maxNestedTags: 8,
  });
  return parserInstance;
}

function sanitizeCode(code: unknown): string {
  return typeof code === 'string' && /^[A-Za-z]{1,40}$/.test(code) ? code : 'error';
}

function fail(error: string): MepParseResult {
  return { facts: [], error };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toValue(type: string, raw: string): string | number {
  if (INTEGER_TYPES.has(type.toLowerCase()) && /^-?\d{1,20}$/.test(raw.trim())) {
    const n = Number(raw.trim());
    if (Number.isSafeInteger(n)) return n;
  }
  return raw;
}

/** Read one parsed `<MEP>` node; undefined when it is malformed. */
function readMep(node: unknown): MepFact | undefined {
  if (!isRecord(node)) return undefined; // e.g. <MEP/> without attributes parses to ''
  let name: string | undefined;
  const typed: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(node)) {
    if (!key.startsWith(ATTR_PREFIX)) {
      // Child elements or text inside <MEP>: not the documented shape.
      if (key === '#text' && typeof value === 'string' && value.trim() === '') continue;
      return undefined;
    }
    const attr = key.slice(ATTR_PREFIX.length);
    if (typeof value !== 'string') return undefined;
    if (attr === 'Name') name = value;
    else typed.push([attr, value]);
  }
  if (name === undefined || name.trim() === '' || typed.length !== 1) return undefined;
  const [type, raw] = typed[0]!;
  return { name: name.trim(), type, value: toValue(type, raw) };
}

/**
 * Parse the MEP XML of one event. `null`/`undefined`/blank input gives `{ facts: [] }` (no data is
 * not an error). Never throws.
 */
export function parseMepData(xml: string | null | undefined): MepParseResult {
  if (xml === null || xml === undefined) return { facts: [] };
  if (typeof xml !== 'string') return fail('data is not a string');
  if (xml.trim() === '') return { facts: [] };
  if (xml.length > MEP_MAX_INPUT_CHARS) {
    return fail(`data too large (${xml.length} characters; the limit is ${MEP_MAX_INPUT_CHARS})`);
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) return fail('DOCTYPE and ENTITY declarations are not allowed');

  // Error texts are our own words (plus codes and positions): never parts of the input.
  let parsed: unknown;
  try {
    const valid = XMLValidator.validate(xml);
    if (valid !== true) {
      const err = valid.err;
      return fail(`malformed XML (${sanitizeCode(err.code)} at line ${Number(err.line) || 0}, column ${Number(err.col) || 0})`);
    }
    parsed = parser().parse(xml);
  } catch (e) {
    const message = e instanceof Error ? e.message : '';
    if (/nested tags/i.test(message)) return fail('XML nested too deeply');
    if (/entit|expan/i.test(message)) return fail('entity expansion limit exceeded');
    if (/invalid name|security/i.test(message)) return fail('XML uses a reserved element or attribute name');
    return fail('unreadable XML');
  }

  if (!isRecord(parsed)) return fail('unreadable XML');
  const elements = Object.keys(parsed).filter((k) => !k.startsWith('?'));
  if (elements.length !== 1 || elements[0] !== 'root') {
    return fail(elements.length === 0 ? 'no XML element found' : 'the XML does not have a single <root> element');
  }
  const root = parsed['root'];
  if (Array.isArray(root)) return fail('the XML does not have a single <root> element');
  if (!isRecord(root)) return { facts: [] }; // <root/> or <root>text</root>: no MEPs

  const facts: MepFact[] = [];
  let skipped = 0;
  for (const [key, value] of Object.entries(root)) {
    if (key === 'MEP') {
      const nodes = Array.isArray(value) ? value : [value];
      for (const node of nodes) {
        const fact = readMep(node);
        if (fact && facts.length < MEP_MAX_FACTS) facts.push(fact);
        else skipped += 1;
      }
    } else if (key.startsWith(ATTR_PREFIX) || key === '#text') {
      continue; // attributes or text on <root>: harmless, ignored
    } else {
      skipped += Array.isArray(value) ? value.length : 1; // unknown child elements
    }
  }
  return skipped > 0 ? { facts, skipped } : { facts };
}

/**
 * Facts as a name → string record. When a Name repeats, the first value wins. Keys are own
 * properties even for names like `__proto__`.
 */
export function factsToRecord(facts: readonly MepFact[]): Record<string, string> {
  const map = new Map<string, string>();
  for (const fact of facts) {
    if (!map.has(fact.name)) map.set(fact.name, String(fact.value));
  }
  return Object.fromEntries(map);
}
