import { loadSample } from '../support/sample.js';
import { describe, expect, it } from 'vitest';
import { errorFromResponse, TRANSPORT_DATA_PLATFORM_APP_ID } from '../../src/graph/errors.js';

const sample = loadSample();

describe('errorFromResponse', () => {
  it('recognises the missing service principal as 401 and as 403, with both fixes and the propagation caveat', () => {
    for (const status of [401, 403]) {
      const e = errorFromResponse({ status, body: sample.servicePrincipalMissingError.body, requestId: 'rid-1', what: 'listing' });
      expect(e.kind).toBe('servicePrincipal');
      const text = e.describe();
      expect(text).toContain(TRANSPORT_DATA_PLATFORM_APP_ID);
      expect(text).toContain('POST https://graph.microsoft.com/v1.0/servicePrincipals');
      expect(text).toContain('New-MgServicePrincipal');
      expect(text).toMatch(/several hours/);
      expect(text).toContain('rid-1');
    }
  });

  it('tells missing consent from a bad token', () => {
    const consent = errorFromResponse({ status: 403, body: { error: { code: 'Forbidden', message: "Missing role permissions on the request. API requires one of 'ExchangeMessageTrace.Read.All'." } }, requestId: undefined, what: 'x' });
    expect(consent.kind).toBe('consent');
    expect(consent.fix).toMatch(/Grant admin consent/);
    const bad = errorFromResponse({ status: 401, body: { error: { code: 'InvalidAuthenticationToken', message: 'Lifetime validation failed, the token is expired.' } }, requestId: undefined, what: 'x' });
    expect(bad.kind).toBe('auth');
  });

  it('says what Graph rejected on 400, bounded and on one line', () => {
    const e = errorFromResponse({ status: 400, body: { error: { code: 'BadRequest', message: 'Invalid filter clause: or is not supported.\nMore' } }, requestId: 'r', what: 'x' });
    expect(e.kind).toBe('badRequest');
    expect(e.message).toContain('Invalid filter clause: or is not supported. More');
  });

  it('maps 5xx and unknown statuses, and never echoes a bearer token', () => {
    expect(errorFromResponse({ status: 500, body: undefined, requestId: undefined, what: 'x' }).kind).toBe('server');
    const e = errorFromResponse({ status: 418, body: { error: { code: 'Teapot', message: 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc leaked' } }, requestId: undefined, what: 'x' });
    expect(e.describe()).not.toContain('eyJhbGciOiJIUzI1NiJ9');
  });
});
