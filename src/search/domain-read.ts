/**
 * Reading the rows of a search with a domain filter. The exact baseline reads the window without
 * the address filter and keeps the rows at the domain(s) as they stream, counting every row
 * read. Graph is asked for `*@domain` only when (1) one domain is asked on that side and no
 * address (then the narrowed read can never cost more requests than the baseline: its rows are a
 * subset), and (2) this process has checked that Graph honours the wildcard (wildcard-check.ts).
 * A narrowed read that finds nothing is never trusted: the window is read again without it.
 */
import type { GraphClient } from '../graph/client.js';
import type { TraceQuery } from '../graph/filter.js';
import { listTraces, type ListOptions, type ListOutcome } from '../graph/message-traces.js';
import type { MessageTraceRow } from '../graph/types.js';
import type { AddressSide, DomainFilter } from './domain-filter.js';
import { NewestMatches, checkWildcard, distrustWildcard, wildcardVerdict } from './wildcard-check.js';

export interface DomainReadOutcome extends ListOutcome {
  /** Rows Graph returned (after de-duplication), matching or not. */
  rowsRead: number;
  /** Rows that passed the domain filter and went on to the answer. */
  rowsKept: number;
}

const SIDES: AddressSide[] = ['senderAddress', 'recipientAddress'];
const n = (v: number) => v.toLocaleString('en-US');

function timeOnly(q: TraceQuery): string {
  const { start: _s, end: _e, ...rest } = q;
  return JSON.stringify(rest);
}

/** "2 days", "9 hours": half the window, as a suggestion for a shorter one. */
function half(window: { start: Date; end: Date }): string {
  const hours = Math.max(1, Math.floor((window.end.getTime() - window.start.getTime()) / 7_200_000));
  return hours >= 48 ? `the last ${Math.floor(hours / 24)} days` : `the last ${hours} hours`;
}

export async function readWithDomainFilter(
  client: GraphClient,
  queries: TraceQuery[],
  filter: DomainFilter,
  opts: ListOptions & { window: { start: Date; end: Date }; now: () => Date },
): Promise<DomainReadOutcome> {
  if (!filter.active) {
    const outcome = await listTraces(client, queries, opts);
    return { ...outcome, rowsRead: outcome.rowsFetched, rowsKept: outcome.rowsFetched };
  }
  const narrowable = SIDES.filter((side) => filter.domains(side).length === 1 && queries.every((q) => q[side] === undefined));
  const narrowed = narrowable.filter((side) => wildcardVerdict(client, side)?.honoured);
  const samples = new Map<AddressSide, NewestMatches>();
  for (const side of narrowable) if (!wildcardVerdict(client, side)) samples.set(side, new NewestMatches());

  let rowsRead = 0;
  let rowsKept = 0;
  const read = (qs: TraceQuery[], sample: boolean): Promise<ListOutcome> =>
    listTraces(client, qs, {
      ...opts,
      onRow: (row: MessageTraceRow, json) => {
        rowsRead++;
        if (!filter.matches(row)) return;
        rowsKept++;
        if (sample) for (const s of samples.values()) s.add(row);
        opts.onRow(row, json);
      },
    });

  const notes: string[] = [];
  let outcome: ListOutcome;
  let requests = 0;
  if (narrowed.length > 0) {
    const wildcards = Object.fromEntries(narrowed.map((side) => [side, `*@${filter.domains(side)[0] as string}`]));
    outcome = await read(queries.map((q) => ({ ...q, ...wildcards })), false);
    requests += outcome.requests;
    const asked = narrowed.map((side) => `${side} eq '${wildcards[side]}'`).join(' and ');
    const checked = narrowed.map((side) => wildcardVerdict(client, side)?.checkedAt).join(', ');
    if (rowsKept === 0 && outcome.complete) {
      const firstRead = rowsRead;
      outcome = await read(queries, false);
      requests += outcome.requests;
      if (rowsKept > 0) {
        for (const side of narrowed) distrustWildcard(client, side, `${side} eq '${wildcards[side]}' returned none of the rows an unfiltered read then found`, opts.now());
      }
      notes.push(
        `Graph, asked for ${asked} (its domain wildcard, checked at ${checked}), returned ${n(firstRead)} rows and none at the domain; a wildcard's "none" is never trusted, so the window was read again without it: ${n(rowsRead - firstRead)} rows read, ${n(rowsKept)} kept, ${n(requests)} Graph requests in all.`,
      );
    } else {
      notes.push(
        `Graph was asked for ${asked} (its domain wildcard, which this server checked at ${checked} against an unfiltered read): ${n(rowsRead)} rows read to find the ${n(rowsKept)} with ${filter.describe()}, in ${n(requests)} Graph requests.`,
      );
    }
  } else {
    outcome = await read(queries, true);
    requests += outcome.requests;
    notes.push(
      `Graph has no documented domain filter, so the window was read without the address filter: ${n(rowsRead)} rows read to find the ${n(rowsKept)} with ${filter.describe()}, in ${n(requests)} Graph requests.`,
    );
    for (const side of narrowable) {
      const v = wildcardVerdict(client, side);
      if (v && !v.honoured) notes.push(`Graph does not honour '*@domain' on ${side} here (checked at ${v.checkedAt}: ${v.evidence}), so domain searches read the whole window.`);
    }
    // First domain search of the process: check the wildcard against what was just read.
    const variants = new Set(queries.map(timeOnly));
    if (outcome.complete && variants.size === 1) {
      for (const [side, sample] of samples) {
        const checked = await checkWildcard(client, side, filter.domains(side)[0] as string, queries[0] as TraceQuery, sample, opts.window, {
          signal: opts.signal,
          allowance: opts.allowance,
          now: opts.now,
          ...(opts.onWait ? { onWait: opts.onWait } : {}),
        });
        requests += checked.requests;
        if (checked.verdict) {
          notes.push(
            `This server checked once whether Graph honours ${side} eq '*@domain' (${checked.requests} request): ${checked.verdict.honoured ? 'it does' : 'it does not'} (${checked.verdict.evidence}). ${checked.verdict.honoured ? 'Later searches for one domain ask Graph for that domain only' : 'Domain searches keep reading the whole window'} until the server restarts.`,
          );
        }
      }
    }
  }
  if (!outcome.complete && outcome.rowsFetched >= opts.maxRows) {
    notes.push(
      `The domain filter is applied here after reading, and the read stopped at the row cap (${n(opts.maxRows)} rows read, MESSAGE_TRACE_MAX_ROWS) before the window was covered, so these totals are partial. Ask for a shorter window (e.g. ${half(opts.window)}) for exact totals.`,
    );
  }
  return { ...outcome, requests, notes: [...outcome.notes, ...notes], rowsRead, rowsKept };
}
