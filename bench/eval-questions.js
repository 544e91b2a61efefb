#!/usr/bin/env node
/**
 * `npm run eval:questions` (builds first): twelve everyday Exchange-admin questions put to the demo
 * tenant the way a host model puts them. The built server (dist/index.js) runs as an MCP host runs
 * it, over stdio, driven by the SDK's own Client; the Graph simulator runs in this process with the
 * demo tenant (the data `--demo` serves), so that every Graph request is counted and every answer's
 * key facts can be checked against the simulator's own rows and detail events.
 *
 *   node bench/eval-questions.js [--json FILE] [--show]
 *
 * --json FILE: also write the results (questions, calls, facts, summary, targets) as JSON.
 * --show: print every answer's content text to stderr, as the model reads it.
 *
 * Each question has the minimal call sequence a model would make (a later call uses ids read from
 * an earlier answer's structuredContent). The facts are computed here from the tenant's rows, never
 * copied from an answer: a fact holds when the structured answer and the content text (what the
 * model reads) both say it. Exit code 1 when a fact or a target fails.
 *
 * "Today" is the last 24 hours, "yesterday" the last 48, "this week" the last 7 days: the demo
 * tenant is generated relative to now, so rolling windows keep the questions and their answers the
 * same whatever the time of day.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { startGraphSimulator } from '../dist/demo/simulator/server.js';
import { generateTenant } from '../dist/demo/simulator/tenant.js';
import { SERVER_ENTRY, hostEnv, median } from './lib.js';

const TOKEN = 'eval-token-not-a-secret';
const HOUR = 3_600_000;
const PROBLEM_STATUSES = ['failed', 'quarantined', 'filteredAsSpam', 'pending'];
export const TARGETS = { medianCalls: 2, maxCalls: 3, contentCharsPerCall: 6000 };

// ---------------------------------------------------------------------------------------------
// The simulator's own view: facts computed from the tenant's rows and detail events

/** Graph's PascalCase/lowercase status → the camelCase name the answers use. */
const statusOf = (row) => row.status.charAt(0).toLowerCase() + row.status.slice(1);
const lower = (s) => s.toLowerCase();
const domainOf = (address) => lower(address.slice(address.lastIndexOf('@') + 1));
const keyOf = (traceId, recipient) => `${lower(traceId)}|${lower(recipient)}`;

function countBy(items, key) {
  const out = {};
  for (const x of items) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

/** The tenant's truth for one question window (start inclusive; every row is older than now). */
function truthOf(tenant) {
  const rows = tenant.rows;
  const inTenant = (address) => tenant.domains.includes(domainOf(address));
  return {
    rows(startIso, pred = () => true) {
      const start = Date.parse(startIso);
      return rows.filter((r) => Date.parse(r.receivedDateTime) >= start && pred(r));
    },
    // A message is a trace id: Graph gives every recipient row of one message the same one. (Not the
    // Message-ID: the published sample's two rows of one trace carry two differently redacted ones.)
    messages: (list) => new Set(list.map((r) => lower(r.id))).size,
    byStatus: (list) => countBy(list, statusOf),
    direction(row) {
      if (!inTenant(row.senderAddress)) return 'inbound';
      return inTenant(row.recipientAddress) ? 'internal' : 'outbound';
    },
    events: (row) => tenant.details(row.id, row.recipientAddress) ?? [],
    /** The enhanced status code of the last event named `name` (`Fail`, `Defer`), from its LED text. */
    codeOf(row, name) {
      const last = this.events(row).filter((e) => e.event === name).at(-1);
      return /\{LED=\d{3} (\d\.\d{1,3}\.\d{1,3})\b/.exec(last?.description ?? '')?.[1];
    },
    /** The cause a diagnosis should name for a problem row: the final failure code, or the last deferral's. */
    causeOf(row) {
      const status = statusOf(row);
      if (status === 'failed') return this.codeOf(row, 'Fail');
      if (status === 'pending') return `deferred:${this.codeOf(row, 'Defer')}`;
      return undefined;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Checks: a fact holds when the answer equals the truth; the truth must itself say something

function sortedJson(v) {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${sortedJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

class Facts {
  list = [];
  /** `got` (from the answer) equals `expected` (from the tenant). */
  equal(fact, expected, got) {
    const ok = expected !== undefined && sortedJson(expected) === sortedJson(got);
    this.list.push({ fact, ok, expected, got });
    return ok;
  }
  /** The content text (what the model reads) carries `needle`. */
  says(fact, text, needle) {
    const ok = typeof needle === 'string' && needle !== '' && text.includes(needle);
    this.list.push({ fact, ok, expected: `content mentions ${JSON.stringify(needle)}`, got: ok ? 'yes' : 'no' });
    return ok;
  }
  /** A precondition on the tenant: without it the question would check nothing. */
  tenantHas(fact, holds) {
    this.list.push({ fact: `tenant: ${fact}`, ok: Boolean(holds), expected: true, got: Boolean(holds) });
  }
  get ok() {
    return this.list.length > 0 && this.list.every((f) => f.ok);
  }
}

const n = (v) => v.toLocaleString('en-US');

// ---------------------------------------------------------------------------------------------
// The questions: minimal call sequences and their facts

/**
 * Each `run(ask, t)`: `ask(name, args)` calls a tool and returns { s: structuredContent, text };
 * `t` is the tenant's truth plus the windows and stories. Returns the Facts.
 */
const QUESTIONS = [
  {
    question: `Why didn't info@litwareinc.com get Johanna's mail yesterday?`,
    async run(ask, t) {
      const story = t.stories.deferredThenExpired;
      const search = await ask('search_traces', { senderAddress: story.senderAddress, recipientAddress: story.recipientAddress, startDateTime: t.since(48) });
      const row = search.s.rows.find((r) => lower(r.recipientAddress) === lower(story.recipientAddress));
      const d = await ask('get_trace_details', { traceId: row.traceId, recipientAddress: row.recipientAddress });
      const f = new Facts();
      const truth = t.rows(t.since(48), (r) => lower(r.senderAddress) === lower(story.senderAddress) && lower(r.recipientAddress) === lower(story.recipientAddress));
      f.tenantHas('one failed row for the pair', truth.length === 1 && statusOf(truth[0]) === 'failed');
      // The search's "Next" hint names the very call that answers the follow-up, so a model can follow it.
      f.says('search hints the details call', search.text, `get_trace_details ${JSON.stringify({ traceId: truth[0].id, recipientAddress: truth[0].recipientAddress })}`);
      const code = t.codeOf(truth[0], 'Fail');
      const defers = t.events(truth[0]).filter((e) => e.event === 'Defer').length;
      f.equal('status', statusOf(truth[0]), d.s.outcome.state);
      f.equal('cause (final status code)', code, d.s.diagnosis?.code);
      f.says('content names the code', d.text, code);
      f.equal('deferrals before the failure (timeline)', defers, d.s.events.filter((e) => e.event === 'Defer').reduce((k, e) => k + (e.repeated ?? 1), 0));
      f.says('content counts the deferrals', d.text, `${defers} deferrals`);
      return f;
    },
  },
  {
    question: 'Which messages failed today?',
    async run(ask, t) {
      // "Which": the model asks for the whole list at once (the default lists 20).
      const a = await ask('search_traces', { status: 'failed', startDateTime: t.since(24), limit: 50 });
      const f = new Facts();
      const truth = t.rows(t.since(24), (r) => statusOf(r) === 'failed');
      f.tenantHas('failed rows today, more than the default 20 listed', truth.length > 20);
      f.equal('failed recipient rows', truth.length, a.s.totals.traces);
      f.equal('failed messages', t.messages(truth), a.s.totals.messages);
      f.says('content gives the count', a.text, `${n(truth.length)} failed`);
      const keys = (list, id, addr) => list.map((r) => keyOf(id(r), addr(r))).sort();
      f.equal('the rows listed are exactly the failed rows', keys(truth, (r) => r.id, (r) => r.recipientAddress), keys(a.s.rows, (r) => r.traceId, (r) => r.recipientAddress));
      f.equal('content names every failed message (trace id)', [], truth.filter((r) => !a.text.includes(r.id)).map((r) => r.id));
      return f;
    },
  },
  {
    question: `Give me today's delivery report.`,
    async run(ask, t) {
      const a = await ask('search_traces', { startDateTime: t.since(24), groupBy: 'direction' });
      const f = new Facts();
      const truth = t.rows(t.since(24));
      f.tenantHas('mail today', truth.length > 0);
      f.equal('rows by status', t.byStatus(truth), a.s.totals.byStatus);
      f.equal('messages', t.messages(truth), a.s.totals.messages);
      const report = a.s.report;
      const got = {};
      for (const g of report.groups) got[g.key[0]] = Object.fromEntries(report.statuses.map((s, i) => [s, g.counts[i]]).filter(([, v]) => v > 0));
      const expected = {};
      for (const [dir, list] of Object.entries(Object.groupBy(truth, (r) => t.direction(r)))) expected[dir] = t.byStatus(list);
      f.equal('rows by direction × status', expected, got);
      const delivered = t.byStatus(truth).delivered ?? 0;
      f.says('content gives the delivered count', a.text, `${n(delivered)} delivered`);
      return f;
    },
  },
  {
    question: 'How much mail did we get from gmail.com this week?',
    async run(ask, t) {
      const a = await ask('search_traces', { senderDomain: 'gmail.com', startDateTime: t.since(24 * 7) });
      const f = new Facts();
      const truth = t.rows(t.since(24 * 7), (r) => domainOf(r.senderAddress) === 'gmail.com');
      f.tenantHas('mail from gmail.com this week', truth.length > 0);
      f.equal('messages from gmail.com', t.messages(truth), a.s.totals.messages);
      f.equal('recipient rows from gmail.com', truth.length, a.s.totals.traces);
      f.equal('rows by status', t.byStatus(truth), a.s.totals.byStatus);
      f.says('content gives the message count', a.text, `${n(t.messages(truth))} messages`);
      return f;
    },
  },
  {
    question: 'Was the message with Message-ID `<CH3PR14MB3082…>` delivered to everyone?',
    async run(ask, t) {
      const story = t.stories.groupExpansion;
      const a = await ask('get_trace_details', { messageId: story.messageId });
      const f = new Facts();
      const truth = t.rows(t.since(24 * 10), (r) => r.messageId === story.messageId);
      f.tenantHas('a message with several recipients and a failure', truth.length > 2 && truth.some((r) => statusOf(r) === 'failed'));
      const statuses = (list, addr, status) => Object.fromEntries(list.map((r) => [lower(addr(r)), status(r)]));
      f.equal('every recipient and its status', statuses(truth, (r) => r.recipientAddress, statusOf), statuses(a.s.recipients, (r) => r.recipientAddress, (r) => r.status));
      for (const r of truth.filter((x) => statusOf(x) === 'failed')) {
        const code = t.codeOf(r, 'Fail');
        const got = a.s.recipients.find((x) => lower(x.recipientAddress) === lower(r.recipientAddress));
        f.equal(`cause for ${r.recipientAddress}`, code, got?.diagnosis?.code);
        f.says(`content names ${r.recipientAddress} and the code`, a.text, `failed → ${lower(r.recipientAddress)} (traceId ${r.id}) [${code}`);
      }
      return f;
    },
  },
  {
    question: 'Did the recall of "Salary bands 2027" work?',
    async run(ask, t) {
      const a = await ask('search_traces', { subject: 'Salary bands 2027', startDateTime: t.since(48) });
      const f = new Facts();
      const truth = t.rows(t.since(48), (r) => lower(r.subject).includes('salary bands 2027'));
      f.tenantHas('the message was recalled', truth.length > 0 && truth.every((r) => statusOf(r) === 'recalled'));
      const byRecipient = (list, addr, status) => Object.fromEntries(list.map((r) => [lower(addr(r)), status(r)]));
      f.equal('each recipient and its status', byRecipient(truth, (r) => r.recipientAddress, statusOf), byRecipient(a.s.rows, (r) => r.recipientAddress, (r) => r.status));
      f.says('content says recalled', a.text, `${n(truth.length)} recalled`);
      f.says('content says what recalled means', a.text, 'recalled = the sender recalled the message');
      return f;
    },
  },
  {
    question: `What's stuck in quarantine?`,
    async run(ask, t) {
      const a = await ask('search_traces', { status: 'quarantined', startDateTime: t.since(24 * 7) });
      const f = new Facts();
      const truth = t.rows(t.since(24 * 7), (r) => statusOf(r) === 'quarantined');
      f.tenantHas('quarantined mail this week', truth.length > 0);
      f.equal('quarantined recipient rows', truth.length, a.s.totals.traces);
      f.equal('quarantined messages', t.messages(truth), a.s.totals.messages);
      f.says('content gives the count', a.text, `${n(truth.length)} quarantined`);
      const newest = truth[0];
      f.equal('newest quarantined message listed first', keyOf(newest.id, newest.recipientAddress), keyOf(a.s.rows[0]?.traceId ?? '', a.s.rows[0]?.recipientAddress ?? ''));
      return f;
    },
  },
  {
    question: 'Which sender had the most problems this week?',
    async run(ask, t) {
      const a = await ask('search_traces', { startDateTime: t.since(24 * 7) });
      const f = new Facts();
      const problems = t.rows(t.since(24 * 7), (r) => PROBLEM_STATUSES.includes(statusOf(r)));
      f.tenantHas('problem rows this week', problems.length > 0);
      const perSender = countBy(problems, (r) => lower(r.senderAddress));
      const most = Math.max(...Object.values(perSender));
      const leaders = Object.keys(perSender).filter((s) => perSender[s] === most);
      const top = a.s.highlights.problemSenders[0];
      f.equal('the sender named has the most problem rows', true, leaders.includes(lower(top?.name ?? '')));
      f.equal('its problem rows', most, top?.count);
      f.says('content names it as most problems', a.text, `most problems from sender ${top?.name} (${most})`);
      f.equal('problem rows in all', problems.length, PROBLEM_STATUSES.reduce((k, s) => k + (a.s.totals.byStatus[s] ?? 0), 0));
      return f;
    },
  },
  {
    question: 'Hourly report for today.',
    async run(ask, t) {
      const a = await ask('search_traces', { startDateTime: t.since(24), groupBy: 'hour' });
      const f = new Facts();
      const truth = t.rows(t.since(24));
      f.tenantHas('mail today', truth.length > 0);
      const hourOf = (iso) => `${iso.slice(0, 10)} ${iso.slice(11, 13)}:00`;
      const expected = countBy(truth, (r) => hourOf(r.receivedDateTime));
      const got = Object.fromEntries(a.s.report.groups.filter((g) => g.total > 0).map((g) => [g.key[0], g.total]));
      f.equal('rows per hour', expected, got);
      f.equal('hours listed (every hour of the window, empty ones too)', 25, a.s.report.groups.length);
      const current = hourOf(t.now.toISOString());
      const live = truth.some((r) => statusOf(r) === 'gettingStatus' && hourOf(r.receivedDateTime) === current);
      f.tenantHas('mail still in gettingStatus this hour', live);
      f.equal('the current hour is marked in progress', true, a.s.report.groups.find((g) => g.key[0] === current)?.inProgress === true);
      f.says('content marks it in progress', a.text, `| ${current} (in progress) | ${n(expected[current] ?? 0)} |`);
      return f;
    },
  },
  {
    question: `Export today's failures as CSV.`,
    async run(ask, t) {
      const a = await ask('search_traces', { status: 'failed', startDateTime: t.since(24), responseFormat: 'csv' });
      const f = new Facts();
      const truth = t.rows(t.since(24), (r) => statusOf(r) === 'failed');
      f.tenantHas('failed rows today', truth.length > 0);
      const csv = parseCsv(a.text.slice(a.text.indexOf('\n', a.text.indexOf('CSV, every row')) + 1));
      const [header, ...records] = csv;
      const col = (name) => header?.indexOf(name) ?? -1;
      const got = Object.fromEntries(records.map((r) => [keyOf(r[col('traceId')], r[col('recipientAddress')]), `${r[col('status')]} ${r[col('direction')]}`]));
      const expected = Object.fromEntries(truth.map((r) => [keyOf(r.id, r.recipientAddress), `failed ${t.direction(r)}`]));
      f.equal('every failed row in the CSV text, with its direction', expected, got);
      return f;
    },
  },
  {
    question: 'Is anything pending or being retried?',
    async run(ask, t) {
      const a = await ask('search_traces', { status: 'pending', startDateTime: t.since(48) });
      const f = new Facts();
      const truth = t.rows(t.since(48), (r) => statusOf(r) === 'pending');
      f.tenantHas('pending rows', truth.length > 0);
      f.equal('pending recipient rows', truth.length, a.s.totals.traces);
      f.equal('pending messages', t.messages(truth), a.s.totals.messages);
      const story = t.stories.pendingDeferred;
      f.equal(`${story.recipientAddress} is listed as pending`, 'pending', a.s.rows.find((r) => r.traceId === story.traceId)?.status);
      f.says('content gives the count', a.text, `${n(truth.length)} pending`);
      f.says('content says what pending means', a.text, 'still being retried');
      return f;
    },
  },
  {
    question: 'What happened to mail to northwindtraders.com today?',
    async run(ask, t) {
      const a = await ask('search_traces', { recipientDomain: 'northwindtraders.com', startDateTime: t.since(24), explain: 3 });
      const f = new Facts();
      const truth = t.rows(t.since(24), (r) => domainOf(r.recipientAddress) === 'northwindtraders.com');
      const problems = truth.filter((r) => PROBLEM_STATUSES.includes(statusOf(r)));
      f.tenantHas('mail to the domain with problems', truth.length > 0 && problems.length > 0);
      f.equal('rows by status', t.byStatus(truth), a.s.totals.byStatus);
      f.equal('messages', t.messages(truth), a.s.totals.messages);
      const byKey = new Map(truth.map((r) => [keyOf(r.id, r.recipientAddress), r]));
      const causes = a.s.causes ?? [];
      f.equal('causes found', true, causes.length > 0);
      for (const c of causes) {
        for (const e of c.examples ?? []) {
          const row = byKey.get(keyOf(e.traceId, e.recipientAddress));
          f.equal(`cause of ${e.recipientAddress}`, row && t.causeOf(row), c.code);
        }
        f.says(`content gives cause ${c.code}`, a.text, `- ${c.code}:`);
      }
      const named = new Set(causes.map((c) => c.code));
      f.equal(`every problem row's own cause is among those given`, [], problems.filter((r) => !named.has(t.causeOf(r))).map((r) => `${r.recipientAddress}: ${t.causeOf(r)}`));
      return f;
    },
  },
];

/** RFC 4180 rows: quoted fields, doubled quotes, commas and newlines inside quotes. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.length > 1);
}

// ---------------------------------------------------------------------------------------------
// Running them

const textOf = (result) => result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');

/**
 * Put every question to a fresh server on a fresh demo tenant. `onAnswer(question, call, text)` sees
 * each answer as the model reads it. Returns { questions, summary, targets }.
 */
export async function evalQuestions({ onAnswer } = {}) {
  const now = new Date();
  const tenant = generateTenant({ now });
  const sim = await startGraphSimulator({ tenant, now: () => new Date() });
  const client = new Client({ name: 'message-trace-eval', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  const questions = [];
  try {
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [SERVER_ENTRY],
        // What --demo configures: the simulated tenant's URL, a token, its accepted domains.
        env: hostEnv({ MESSAGE_TRACE_GRAPH_URL: sim.url, MESSAGE_TRACE_ACCESS_TOKEN: TOKEN, MESSAGE_TRACE_DOMAINS: tenant.domains.join(','), MESSAGE_TRACE_LOG: 'warn' }),
        stderr: 'inherit',
      }),
    );
    // Whole seconds: the server states its window in seconds, and a row in the dropped
    // milliseconds would be in the answer but not in the truth.
    const since = (hours) => new Date(Math.floor((now.getTime() - hours * HOUR) / 1000) * 1000).toISOString();
    const t = { ...truthOf(tenant), stories: tenant.stories, now, since };
    for (const q of QUESTIONS) {
      const calls = [];
      const ask = async (name, args) => {
        const before = sim.requests.length;
        const result = await client.callTool({ name, arguments: args });
        const text = textOf(result);
        const call = { tool: name, arguments: args, isError: result.isError === true, graphRequests: sim.requests.length - before, reportedGraphRequests: result.structuredContent?.graphRequests, contentChars: text.length };
        calls.push(call);
        onAnswer?.(q.question, call, text);
        if (call.isError) throw new Error(`${name} answered with an error: ${text.slice(0, 500)}`);
        return { s: result.structuredContent, text };
      };
      let facts;
      let error;
      try {
        facts = await q.run(ask, t);
        // The server's own count of its Graph requests must be what the simulator saw.
        for (const c of calls) facts.equal(`${c.tool}: Graph requests reported = requests made`, c.graphRequests, c.reportedGraphRequests);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      questions.push({
        question: q.question,
        calls,
        graphRequests: calls.reduce((k, c) => k + c.graphRequests, 0),
        contentChars: calls.reduce((k, c) => k + c.contentChars, 0),
        facts: facts?.list ?? [],
        answered: !error && facts !== undefined && facts.ok,
        ...(error ? { error } : {}),
      });
    }
  } finally {
    await client.close().catch(() => undefined);
    await sim.close();
  }
  return { questions, ...summarize(questions) };
}

function summarize(questions) {
  const calls = questions.map((q) => q.calls.length);
  const totalCalls = calls.reduce((a, b) => a + b, 0);
  const contentChars = questions.reduce((k, q) => k + q.contentChars, 0);
  const summary = {
    questions: questions.length,
    answered: questions.filter((q) => q.answered).length,
    callsMedian: median(calls),
    callsMax: Math.max(...calls),
    calls: totalCalls,
    graphRequests: questions.reduce((k, q) => k + q.graphRequests, 0),
    contentChars,
    contentCharsPerCall: Math.round(contentChars / Math.max(1, totalCalls)),
  };
  const targets = [
    { measure: 'questions answered (every fact checked)', value: `${summary.answered}/${summary.questions}`, target: 'all', holds: summary.answered === summary.questions },
    { measure: 'calls per question, median', value: summary.callsMedian, target: `≤ ${TARGETS.medianCalls}`, holds: summary.callsMedian <= TARGETS.medianCalls },
    { measure: 'calls per question, max', value: summary.callsMax, target: `≤ ${TARGETS.maxCalls}`, holds: summary.callsMax <= TARGETS.maxCalls },
    { measure: 'content characters per call, average', value: n(summary.contentCharsPerCall), target: `≤ ${n(TARGETS.contentCharsPerCall)}`, holds: summary.contentCharsPerCall <= TARGETS.contentCharsPerCall },
  ];
  return { summary, targets };
}

/** The Markdown table BENCHMARKS.md carries, and the summary line. */
export function formatResults({ questions, summary, targets }) {
  const lines = ['| # | question | calls | Graph requests | content chars | facts OK |', '| ---: | --- | ---: | ---: | ---: | --- |'];
  questions.forEach((q, i) => {
    const ok = q.facts.filter((f) => f.ok).length;
    lines.push(`| ${i + 1} | ${q.question} | ${q.calls.length} | ${q.graphRequests} | ${n(q.contentChars)} | ${q.answered ? 'yes' : 'NO'} (${ok}/${q.facts.length}) |`);
  });
  lines.push(
    '',
    `Answered (every fact checked): ${summary.answered}/${summary.questions}; calls median ${summary.callsMedian}, max ${summary.callsMax} (${summary.calls} in all); ` +
      `${n(summary.graphRequests)} Graph requests; ${n(summary.contentCharsPerCall)} content characters per call on average (${n(summary.contentChars)} in all).`,
    `Targets: ${targets.map((t) => `${t.measure} ${t.value} (${t.target}) ${t.holds ? 'holds' : 'MISSED'}`).join('; ')}.`,
  );
  for (const q of questions) {
    const cut = (v) => {
      const s = JSON.stringify(v) ?? 'undefined';
      return s.length > 400 ? `${s.slice(0, 400)}…` : s;
    };
    for (const f of q.facts.filter((x) => !x.ok)) lines.push(`FACT FAILED: ${q.question} — ${f.fact}: expected ${cut(f.expected)}, got ${cut(f.got)}`);
    if (q.error) lines.push(`ERROR: ${q.question} — ${q.error}`);
  }
  return lines.join('\n');
}

async function main() {
  const argv = process.argv.slice(2);
  const jsonAt = argv.indexOf('--json');
  const show = argv.includes('--show');
  const results = await evalQuestions({
    onAnswer: show ? (question, call, text) => process.stderr.write(`\n━━ ${question}\n→ ${call.tool} ${JSON.stringify(call.arguments)}\n${text}\n`) : undefined,
  });
  process.stdout.write(`${formatResults(results)}\n`);
  if (jsonAt >= 0) writeFileSync(argv[jsonAt + 1], `${JSON.stringify(results, null, 2)}\n`);
  if (!results.targets.every((t) => t.holds)) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    process.stderr.write(`eval:questions failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
