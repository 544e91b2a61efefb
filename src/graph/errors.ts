/**
 * Graph's failures mapped to TraceErrors: the service-principal trap, consent, bad tokens, 4xx
 * and 5xx with their request id. Nothing here ever includes a token, secret, certificate content
 * or a raw Graph body.
 */
import { TraceError } from '../errors.js';
import { graphText, shownErrorCode } from '../output/plain-values.js';

export const TRANSPORT_DATA_PLATFORM_APP_ID = '8bd644d1-64a1-4d4b-ae52-2e0cbf64e373';

const SERVICE_PRINCIPAL_FIX =
  `Create the service principal once per tenant (needs Application Administrator or Cloud Application Administrator), either in Graph Explorer: POST https://graph.microsoft.com/v1.0/servicePrincipals with body {"appId":"${TRANSPORT_DATA_PLATFORM_APP_ID}"}, or in PowerShell: Connect-MgGraph -Scopes "Application.ReadWrite.All"; New-MgServicePrincipal -AppId ${TRANSPORT_DATA_PLATFORM_APP_ID}. ` +
  'Then wait: provisioning can take several hours (reports say up to 24), and calls keep failing with 401 or 403 until it completes. ' +
  `Check it exists with GET https://graph.microsoft.com/v1.0/servicePrincipals?$filter=appId eq '${TRANSPORT_DATA_PLATFORM_APP_ID}'.`;

export function servicePrincipalError(status: number, requestId?: string): TraceError {
  return new TraceError({
    kind: 'servicePrincipal',
    what: `Graph refused the message trace call (HTTP ${status}): the tenant has no service principal for Microsoft's "Transport Data Platform" app (${TRANSPORT_DATA_PLATFORM_APP_ID}).`,
    why: 'The message trace API only works after that Microsoft app has a service principal in your tenant. This is a one-time tenant setup step, not a problem with your credentials or permissions.',
    fix: SERVICE_PRINCIPAL_FIX,
    status,
    requestId,
  });
}

export function consentError(status: number, requestId?: string, delegated = false): TraceError {
  return new TraceError({
    kind: 'consent',
    what: `Graph refused the message trace call (HTTP ${status}): the token does not carry the ExchangeMessageTrace.Read.All permission.`,
    why: delegated
      ? 'You signed in as a user: the app needs the delegated ExchangeMessageTrace.Read.All permission with admin consent, and your account needs an Exchange admin role that can run message traces.'
      : 'The app registration has not been granted the application permission ExchangeMessageTrace.Read.All, or admin consent for it is missing.',
    fix: 'In the Entra admin center open App registrations → your app → API permissions → Add a permission → Microsoft Graph → Application permissions → ExchangeMessageTrace.Read.All, then "Grant admin consent". A new token is needed afterwards (restart the server or wait for the old token to expire).',
    status,
    requestId,
  });
}

/** Best-effort text out of a Graph error body, for matching only; never shown raw. */
export function graphErrorText(body: unknown): { code: string; message: string } {
  if (body && typeof body === 'object' && 'error' in body) {
    const err = (body as { error: unknown }).error;
    if (err && typeof err === 'object') {
      const code = (err as { code?: unknown }).code;
      const message = (err as { message?: unknown }).message;
      return { code: typeof code === 'string' ? code : '', message: typeof message === 'string' ? message : '' };
    }
  }
  return { code: '', message: '' };
}

/**
 * Map a non-2xx Graph response to a TraceError. Matched on Graph's error text as well as the
 * status: the service-principal error arrives as 401 or 403.
 */
export function errorFromResponse(input: {
  status: number;
  body: unknown;
  requestId: string | undefined;
  retryAfterSeconds?: number | undefined;
  what: string;
  delegated?: boolean;
}): TraceError {
  const { status, body, requestId } = input;
  const { code: rawCode, message } = graphErrorText(body);
  const text = `${rawCode} ${message}`;
  // Graph's words are data: the code shown plain only in its identifier shape, the message fenced.
  const code = rawCode ? shownErrorCode(rawCode) : '';
  if (/service principal/i.test(text) || text.includes(TRANSPORT_DATA_PLATFORM_APP_ID)) {
    return servicePrincipalError(status, requestId);
  }
  if (status === 403 || /ExchangeMessageTrace\.Read\.All|Authorization_RequestDenied|insufficient privileges|missing role/i.test(text)) {
    if (status === 401 || status === 403) return consentError(status, requestId, input.delegated);
  }
  if (status === 401) {
    return new TraceError({
      kind: 'auth',
      what: `Graph rejected the access token (HTTP 401${code ? `, ${code}` : ''}).`,
      why: 'The token is expired, malformed, or issued for another tenant or resource (it must be for https://graph.microsoft.com).',
      fix: 'If you set MESSAGE_TRACE_ACCESS_TOKEN, get a fresh Graph token (they last about an hour). Otherwise check AZURE_TENANT_ID names the tenant whose mail you trace, then restart the server.',
      status,
      requestId,
    });
  }
  if (status === 400) {
    const detail = message ? graphText(message) : 'no detail given';
    return new TraceError({
      kind: 'badRequest',
      what: `Graph rejected the query (HTTP 400): ${detail}`,
      why: 'Graph only accepts a narrow query form: a window of at most 10 days within the last 90 days, and eq filters on addresses, ids, status and IPs.',
      fix: 'Check the dates (ISO 8601 with a time zone, start before end, not older than 90 days) and the filter values, then call again.',
      status,
      requestId,
    });
  }
  if (status === 404) {
    return new TraceError({
      kind: 'notFound',
      what: 'Graph answered 404: the message trace endpoint was not found.',
      why: 'The configured Graph URL or API version does not serve the message trace API (it exists on the global cloud only, not on US Government or China clouds).',
      fix: 'Remove MESSAGE_TRACE_GRAPH_URL or set it to https://graph.microsoft.com, and MESSAGE_TRACE_API_VERSION to v1.0 or beta.',
      status,
      requestId,
    });
  }
  if (status === 429) {
    return throttledError(input.retryAfterSeconds, requestId);
  }
  if (status >= 500) {
    return new TraceError({
      kind: 'server',
      what: `Microsoft Graph had a server error (HTTP ${status}${code ? `, ${code}` : ''}) and retries did not get past it.`,
      why: 'The message trace service is temporarily unavailable or overloaded; this is on Microsoft\'s side.',
      fix: 'Try again in a few minutes. If it persists, check the Microsoft 365 service health dashboard for Exchange Online.',
      status,
      requestId,
    });
  }
  return new TraceError({
    kind: 'protocol',
    what: `Graph answered HTTP ${status}${code ? ` (${code})` : ''}${message ? `: ${graphText(message)}` : ''}.`,
    why: 'This is not a response the server expected from the message trace API.',
    fix: 'Check MESSAGE_TRACE_GRAPH_URL points at Microsoft Graph, then try again.',
    status,
    requestId,
  });
}

/**
 * Graph answered 429. `capped`: it asked for longer than the 5 minutes this server waits at most
 * (MAX_RETRY_AFTER_MS), so `retryAfterSeconds` is those 5 minutes, not Graph's figure.
 */
export function throttledError(retryAfterSeconds: number | undefined, requestId?: string, capped = false): TraceError {
  const wait = retryAfterSeconds !== undefined ? Math.max(1, Math.ceil(retryAfterSeconds)) : undefined;
  const asks = capped
    ? '; it asks to wait longer than 5 minutes, and this server holds back for at most 5 minutes'
    : wait !== undefined
      ? `; it asks to wait ${wait} s`
      : '';
  return new TraceError({
    kind: 'throttled',
    what: `The message trace API is throttling this tenant${asks}.`,
    why: 'Graph allows each tenant 100 message trace requests per rolling 5 minutes, shared by every app, script and admin center session in the tenant.',
    fix: `Wait ${wait !== undefined ? `${wait} seconds` : 'a minute or two'} and call again, and narrow the search (shorter time range, a sender or recipient) so it needs fewer pages.`,
    status: 429,
    requestId,
    retryAfterSeconds: wait,
  });
}

/** This server's own pacing (MESSAGE_TRACE_REQUEST_BUDGET) is used up; Graph has not throttled. */
export function budgetSpentError(waitSeconds: number, budget: number): TraceError {
  const wait = Math.max(1, Math.ceil(waitSeconds));
  return new TraceError({
    kind: 'throttled',
    what: `This server has used its own request budget (${budget} Graph requests per rolling 5 minutes, MESSAGE_TRACE_REQUEST_BUDGET); the next request fits in ${wait} s. Graph itself has not throttled.`,
    why: 'Graph allows each tenant 100 message trace requests per rolling 5 minutes, shared by every app and admin; the server keeps below that on purpose.',
    fix: `Wait ${wait} seconds and call again, and narrow the search (shorter time range, a sender or recipient) so it needs fewer pages.`,
    retryAfterSeconds: wait,
  });
}

export function cancelledError(): TraceError {
  return new TraceError({
    kind: 'cancelled',
    what: 'The request was cancelled.',
    why: 'The client cancelled the tool call or it timed out.',
    fix: 'Call again; narrow the search if it was slow.',
  });
}
