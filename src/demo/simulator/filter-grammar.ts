/**
 * The `$filter` language of `GET /admin/exchange/tracing/messageTraces`, exactly as Graph documents
 * it (https://learn.microsoft.com/en-us/graph/api/messagetracingroot-list-messagetraces and the
 * resource page, https://learn.microsoft.com/en-us/graph/api/resources/exchangemessagetrace) and nothing more:
 *
 *   filter   := group ( 'and' group )*
 *   group    := '(' filter ')' | clause
 *   clause   := eqProp 'eq' STRING
 *             | 'receivedDateTime' ( 'ge' | 'le' ) DATETIMEOFFSET
 *             | ( 'contains' | 'startsWith' | 'endsWith' ) '(' 'subject' ',' STRING ')'
 *   eqProp   := id | messageId | senderAddress | recipientAddress | status | fromIP | toIP
 *
 * STRING is single-quoted with `''` for a quote. DATETIMEOFFSET is unquoted:
 * `YYYY-MM-DDThh:mm[:ss[.fffffff]](Z|±hh:mm)`. Keywords, operators, function and property names
 * are matched case-insensitively (Graph resolves them that way). Every other construct — `or`,
 * `not`, `in`, `ne`, `lt`, `gt`, `eq` on dates or subject, functions on addresses, unknown
 * properties, a property given twice — is rejected with a FilterSyntaxError naming it.
 */
import { TRACE_STATUSES } from '../../graph/types.js';

export type EqProperty = 'id' | 'messageId' | 'senderAddress' | 'recipientAddress' | 'status' | 'fromIP' | 'toIP';
export type SubjectFunction = 'contains' | 'startsWith' | 'endsWith';

export type FilterClause =
  | { kind: 'eq'; property: EqProperty; value: string }
  | { kind: 'receivedDateTime'; operator: 'ge' | 'le'; value: Date; literal: string }
  | { kind: 'subject'; fn: SubjectFunction; value: string };

export class FilterSyntaxError extends Error {
  /** 1-based character position in the filter text the message refers to (0 = whole filter). */
  readonly position: number;

  constructor(message: string, position = 0) {
    super(message);
    this.name = 'FilterSyntaxError';
    this.position = position;
  }
}

const EQ_PROPERTIES: readonly EqProperty[] = ['id', 'messageId', 'senderAddress', 'recipientAddress', 'status', 'fromIP', 'toIP'];
const SUBJECT_FUNCTIONS: readonly SubjectFunction[] = ['contains', 'startsWith', 'endsWith'];
/** Properties of exchangeMessageTrace that exist but cannot be filtered. */
const UNFILTERABLE = ['size'];
/** Every OData comparison/membership operator, so a wrong one gets a precise message. */
const OPERATORS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in', 'has'];
/** Status values a filter may name: the enum members, including the evolvable-enum sentinel. */
const STATUS_VALUES = [...TRACE_STATUSES, 'unknownFutureValue'];

type TokenKind = 'ident' | 'string' | 'bare' | 'lparen' | 'rparen' | 'comma' | 'eof';
interface Token {
  kind: TokenKind;
  /** ident/bare: the text; string: the unescaped value. */
  value: string;
  /** 1-based start position. */
  pos: number;
  /** Source text of the token. */
  raw: string;
}

function describe(tok: Token): string {
  switch (tok.kind) {
    case 'eof':
      return 'the end of the filter';
    case 'string':
      return `the string ${tok.raw}`;
    default:
      return `'${tok.raw}'`;
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    const pos = i + 1;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: ch === '(' ? 'lparen' : ch === ')' ? 'rparen' : 'comma', value: ch, pos, raw: ch });
      i++;
      continue;
    }
    if (ch === "'") {
      let value = '';
      let j = i + 1;
      let closed = false;
      while (j < text.length) {
        const c = text[j] as string;
        if (c === "'") {
          if (text[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          closed = true;
          j++;
          break;
        }
        value += c;
        j++;
      }
      if (!closed) {
        throw new FilterSyntaxError(
          `Invalid filter clause: unterminated string literal starting at position ${pos} (a quote inside a string must be doubled: '')`,
          pos,
        );
      }
      tokens.push({ kind: 'string', value, pos, raw: text.slice(i, j) });
      i = j;
      continue;
    }
    if (ch === '"') {
      throw new FilterSyntaxError(
        `Invalid filter clause: double quote at position ${pos}; string literals use single quotes ('…')`,
        pos,
      );
    }
    if (/[A-Za-z_]/.test(ch)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_]/.test(text[j] as string)) j++;
      const word = text.slice(i, j);
      tokens.push({ kind: 'ident', value: word, pos, raw: word });
      i = j;
      continue;
    }
    if (/[0-9]/.test(ch) || ((ch === '-' || ch === '+') && /[0-9]/.test(text[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < text.length && /[0-9A-Za-z:.+-]/.test(text[j] as string)) j++;
      const word = text.slice(i, j);
      tokens.push({ kind: 'bare', value: word, pos, raw: word });
      i = j;
      continue;
    }
    throw new FilterSyntaxError(`Invalid filter clause: unexpected character '${ch}' at position ${pos}`, pos);
  }
  tokens.push({ kind: 'eof', value: '', pos: text.length + 1, raw: '' });
  return tokens;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:\d{2})?$/i;

/** Parse an OData DateTimeOffset literal; throws FilterSyntaxError with the reason. */
export function parseDateTimeOffset(literal: string, pos = 0): Date {
  const m = DATE_RE.exec(literal);
  if (!m) {
    throw new FilterSyntaxError(
      `Invalid filter clause: '${literal}' at position ${pos} is not a DateTimeOffset literal; use ISO 8601 such as 2026-01-20T00:00:00Z`,
      pos,
    );
  }
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (zone === undefined) {
    throw new FilterSyntaxError(
      `Invalid filter clause: DateTimeOffset literal '${literal}' at position ${pos} has no time-zone designator; end it with Z or ±hh:mm (a '+' in a URL must be sent as %2B)`,
      pos,
    );
  }
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 14 || om > 59) {
      throw new FilterSyntaxError(`Invalid filter clause: time-zone offset '${zone}' in '${literal}' is out of range`, pos);
    }
    offsetMinutes = sign * (oh * 60 + om);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(Date.UTC(year, month - 1, day));
  if (
    month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 ||
    check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day
  ) {
    throw new FilterSyntaxError(`Invalid filter clause: '${literal}' at position ${pos} is not a valid date and time`, pos);
  }
  return new Date(utc - offsetMinutes * 60_000);
}

class Parser {
  private i = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)] as Token;
  }

  private take(): Token {
    const tok = this.peek();
    if (tok.kind !== 'eof') this.i++;
    return tok;
  }

  parseAll(): FilterClause[] {
    const clauses = this.parseAnd(0);
    const tok = this.peek();
    if (tok.kind === 'rparen') {
      throw new FilterSyntaxError(`Invalid filter clause: unbalanced parenthesis: unexpected ')' at position ${tok.pos}`, tok.pos);
    }
    if (tok.kind !== 'eof') this.junk(tok);
    return clauses;
  }

  private junk(tok: Token): never {
    if (tok.kind === 'ident') {
      const word = tok.value.toLowerCase();
      if (word === 'or') {
        throw new FilterSyntaxError(
          `Invalid filter clause: 'or' at position ${tok.pos} is not supported; the message trace API combines clauses with 'and' only (run one query per value)`,
          tok.pos,
        );
      }
    }
    throw new FilterSyntaxError(
      `Invalid filter clause: unexpected ${describe(tok)} at position ${tok.pos}; expected 'and' or the end of the filter`,
      tok.pos,
    );
  }

  private parseAnd(depth: number): FilterClause[] {
    const out: FilterClause[] = [...this.parseGroup(depth)];
    for (;;) {
      const tok = this.peek();
      if (tok.kind === 'ident' && tok.value.toLowerCase() === 'and') {
        this.take();
        out.push(...this.parseGroup(depth));
        continue;
      }
      if (tok.kind === 'eof' || (tok.kind === 'rparen' && depth > 0)) return out;
      if (tok.kind === 'rparen') return out; // reported by parseAll
      this.junk(tok);
    }
  }

  private parseGroup(depth: number): FilterClause[] {
    const tok = this.peek();
    if (tok.kind === 'lparen') {
      this.take();
      const inner = this.parseAnd(depth + 1);
      const close = this.peek();
      if (close.kind !== 'rparen') {
        throw new FilterSyntaxError(
          `Invalid filter clause: unbalanced parenthesis: '(' at position ${tok.pos} is never closed`,
          tok.pos,
        );
      }
      this.take();
      return inner;
    }
    return [this.parseClause()];
  }

  private parseClause(): FilterClause {
    const tok = this.take();
    if (tok.kind === 'eof') {
      throw new FilterSyntaxError(`Invalid filter clause: unexpected end of the filter at position ${tok.pos}; expected a clause`, tok.pos);
    }
    if (tok.kind === 'rparen') {
      throw new FilterSyntaxError(`Invalid filter clause: unexpected ')' at position ${tok.pos}; expected a clause`, tok.pos);
    }
    if (tok.kind !== 'ident') {
      throw new FilterSyntaxError(
        `Invalid filter clause: unexpected ${describe(tok)} at position ${tok.pos}; expected a property name or contains/startsWith/endsWith`,
        tok.pos,
      );
    }
    const word = tok.value.toLowerCase();
    if (word === 'not') {
      throw new FilterSyntaxError(`Invalid filter clause: 'not' at position ${tok.pos} is not supported by the message trace API`, tok.pos);
    }
    if (word === 'and' || word === 'or') {
      throw new FilterSyntaxError(`Invalid filter clause: unexpected '${tok.value}' at position ${tok.pos}; expected a clause`, tok.pos);
    }
    if (this.peek().kind === 'lparen') return this.parseFunction(tok);
    return this.parseComparison(tok);
  }

  private parseFunction(name: Token): FilterClause {
    const fn = SUBJECT_FUNCTIONS.find((f) => f.toLowerCase() === name.value.toLowerCase());
    if (!fn) {
      throw new FilterSyntaxError(
        `Invalid filter clause: function '${name.value}' at position ${name.pos} is not supported; only contains, startsWith and endsWith on subject are`,
        name.pos,
      );
    }
    const open = this.take(); // '('
    const prop = this.take();
    if (prop.kind !== 'ident') {
      throw new FilterSyntaxError(
        `Invalid filter clause: ${fn}() at position ${name.pos} must name the property first, as in ${fn}(subject,'text'); found ${describe(prop)}`,
        prop.pos,
      );
    }
    if (prop.value.toLowerCase() !== 'subject') {
      const known = EQ_PROPERTIES.find((p) => p.toLowerCase() === prop.value.toLowerCase()) ??
        (prop.value.toLowerCase() === 'receiveddatetime' ? 'receivedDateTime' : undefined);
      if (known) {
        throw new FilterSyntaxError(
          `Invalid filter clause: ${fn}() is supported only on subject, not on '${known}'${known === 'receivedDateTime' ? '' : ` (use ${known} eq '…')`}`,
          prop.pos,
        );
      }
      throw new FilterSyntaxError(
        `Invalid filter clause: ${fn}() is supported only on subject; '${prop.value}' at position ${prop.pos} is not a filterable property`,
        prop.pos,
      );
    }
    const comma = this.take();
    if (comma.kind !== 'comma') {
      throw new FilterSyntaxError(
        `Invalid filter clause: expected ',' after ${fn}(subject at position ${comma.pos}; found ${describe(comma)}`,
        comma.pos,
      );
    }
    const lit = this.take();
    if (lit.kind !== 'string') {
      throw new FilterSyntaxError(
        `Invalid filter clause: ${fn}(subject, …) needs a quoted string at position ${lit.pos}; found ${describe(lit)}`,
        lit.pos,
      );
    }
    const close = this.take();
    if (close.kind !== 'rparen') {
      if (close.kind === 'eof') {
        throw new FilterSyntaxError(
          `Invalid filter clause: unbalanced parenthesis: '(' at position ${open.pos} of ${fn}() is never closed`,
          open.pos,
        );
      }
      throw new FilterSyntaxError(
        `Invalid filter clause: ${fn}() takes two arguments; expected ')' at position ${close.pos}, found ${describe(close)}`,
        close.pos,
      );
    }
    return { kind: 'subject', fn, value: lit.value };
  }

  private parseComparison(propTok: Token): FilterClause {
    const lower = propTok.value.toLowerCase();
    const opTok = this.take();
    const op = opTok.kind === 'ident' ? opTok.value.toLowerCase() : '';
    const isOperator = OPERATORS.includes(op);

    if (lower === 'subject') {
      throw new FilterSyntaxError(
        `Invalid filter clause: '${opTok.kind === 'ident' ? opTok.value : describe(opTok)}' is not supported on subject; use contains(subject,'…'), startsWith(subject,'…') or endsWith(subject,'…')`,
        opTok.pos,
      );
    }
    if (lower === 'receiveddatetime') {
      if (!isOperator) this.expectedOperator(propTok, opTok);
      if (op !== 'ge' && op !== 'le') {
        throw new FilterSyntaxError(
          `Invalid filter clause: operator '${opTok.value}' is not supported on receivedDateTime; use 'receivedDateTime ge <start> and receivedDateTime le <end>'`,
          opTok.pos,
        );
      }
      const lit = this.take();
      if (lit.kind === 'string') {
        throw new FilterSyntaxError(
          `Invalid filter clause: receivedDateTime ${op} takes an unquoted DateTimeOffset literal (e.g. 2026-01-20T00:00:00Z), not the string ${lit.raw}`,
          lit.pos,
        );
      }
      if (lit.kind !== 'bare') {
        throw new FilterSyntaxError(
          `Invalid filter clause: expected a DateTimeOffset literal after 'receivedDateTime ${op}' at position ${lit.pos}; found ${describe(lit)}`,
          lit.pos,
        );
      }
      const value = parseDateTimeOffset(lit.value, lit.pos);
      return { kind: 'receivedDateTime', operator: op, value, literal: lit.value };
    }
    const prop = EQ_PROPERTIES.find((p) => p.toLowerCase() === lower);
    if (!prop) {
      if (UNFILTERABLE.includes(lower)) {
        throw new FilterSyntaxError(`Invalid filter clause: property '${propTok.value}' at position ${propTok.pos} cannot be used in $filter`, propTok.pos);
      }
      throw new FilterSyntaxError(
        `Invalid filter clause: unknown property '${propTok.value}' at position ${propTok.pos}; filterable properties are ${[...EQ_PROPERTIES, 'receivedDateTime', 'subject'].join(', ')}`,
        propTok.pos,
      );
    }
    if (!isOperator) this.expectedOperator(propTok, opTok);
    if (op !== 'eq') {
      const hint = op === 'in' ? ' (one value per property: run one query per value)' : op === 'ne' ? ' (there is no negation)' : '';
      throw new FilterSyntaxError(
        `Invalid filter clause: operator '${opTok.value}' is not supported on ${prop}; only 'eq' is${hint}`,
        opTok.pos,
      );
    }
    const lit = this.take();
    if (lit.kind !== 'string') {
      throw new FilterSyntaxError(
        `Invalid filter clause: expected a quoted string after '${prop} eq' at position ${lit.pos}; found ${describe(lit)}`,
        lit.pos,
      );
    }
    if (prop === 'status' && !STATUS_VALUES.some((s) => s.toLowerCase() === lit.value.toLowerCase())) {
      throw new FilterSyntaxError(
        `Invalid filter clause: '${lit.value}' is not a valid exchangeMessageTraceStatus value; use one of ${STATUS_VALUES.join(', ')}`,
        lit.pos,
      );
    }
    return { kind: 'eq', property: prop, value: lit.value };
  }

  private expectedOperator(propTok: Token, opTok: Token): never {
    throw new FilterSyntaxError(
      `Invalid filter clause: expected an operator after '${propTok.value}' at position ${opTok.pos}; found ${describe(opTok)}`,
      opTok.pos,
    );
  }
}

function clauseKey(c: FilterClause): string {
  switch (c.kind) {
    case 'eq':
      return c.property;
    case 'subject':
      return 'subject';
    case 'receivedDateTime':
      return `receivedDateTime ${c.operator}`;
  }
}

/**
 * Parse a `$filter` value (already URL-decoded). Returns the clauses (implicitly and-ed).
 * Throws FilterSyntaxError with a message naming what was rejected.
 */
export function parseFilter(text: string): FilterClause[] {
  if (text.trim() === '') throw new FilterSyntaxError('Invalid filter clause: $filter is empty', 0);
  const clauses = new Parser(tokenize(text)).parseAll();
  const seen = new Set<string>();
  for (const c of clauses) {
    const key = clauseKey(c);
    if (seen.has(key)) {
      throw new FilterSyntaxError(
        key === 'subject'
          ? 'Invalid filter clause: subject is given twice; the message trace API accepts one subject condition (contains, startsWith or endsWith)'
          : `Invalid filter clause: '${key}' is given twice; the message trace API accepts one value per property`,
      );
    }
    seen.add(key);
  }
  return clauses;
}

