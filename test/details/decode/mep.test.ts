import { sampleEvents } from '../../support/sample.js';
import { describe, expect, it } from 'vitest';
import { factsToRecord, MEP_MAX_INPUT_CHARS, parseMepData } from '../../../src/details/decode/mep.js';


describe('parseMepData: the published sample (verbatim)', () => {
  const events = sampleEvents();

  it('reads every MEP of every event without error', () => {
    expect(events).toHaveLength(4);
    for (const e of events) {
      const result = parseMepData(e.data);
      expect(result.error).toBeUndefined();
      expect(result.skipped).toBeUndefined();
      expect(result.facts.length).toBeGreaterThan(0);
    }
  });

  it('Submit: Integer and Long become numbers, Strings stay strings', () => {
    const { facts } = parseMepData(events[0]!.data);
    expect(facts).toEqual([
      { name: 'RcptCount', type: 'Integer', value: 2 },
      { name: 'ServerHostName', type: 'String', value: 'VI6PPFE7A2F83A8.EURP250.PROD.OUTLOOK.COM' },
      { name: 'ClientName', type: 'String', value: 'AMBP250MB1492' },
      { name: 'SequenceNumber', type: 'Long', value: 0 },
    ]);
  });

  it('Receive: backslashes and the CustomData Blob survive', () => {
    const record = factsToRecord(parseMepData(events[1]!.data).facts);
    expect(record['ConnectorId']).toBe('VI6P2F83A8\\Default VI6F83A8');
    expect(record['ClientIP']).toBe('2603:10a6:20b:764::22');
    expect(record['CustomData']).toBe('S:tlsversion=NONE');
    expect(parseMepData(events[1]!.data).facts.find((f) => f.name === 'CustomData')?.type).toBe('Blob');
  });

  it('Fail: RecipientStatus keeps its brackets and braces, &lt;/&gt; are decoded', () => {
    const { facts } = parseMepData(events[3]!.data);
    const record = factsToRecord(facts);
    expect(facts).toHaveLength(12);
    expect(record['RecipientStatus']).toBe(
      '[{LED=550 5.4.310 DNS domain bbb.ccccccc does not exist [Message=InfoDomainNonexistent] [LastAttemptedServerName=bbb.ccccccc] [AM4PEPF0002BAA6.EURPRD83.prod.outlook.com 2026-01-25T09:49:29.944Z 08DE5AB03F707551]};{MSG=InfoDomainNonexistent};{FQDN=bbb.ccccccc};{IP=0.0.0.0};{LRT=1/25/2026 9:49:29 AM}]',
    );
    expect(record['RecipientReference']).toBe('<a5cf7e42-ad2f-4f81-89c5-97dda6f@VI6PP3A8.EURP250.PROD.OUTLOOK.COM>');
    expect(facts.find((f) => f.name === 'TotalLatency')).toEqual({ name: 'TotalLatency', type: 'Integer', value: 10 });
  });
});

describe('parseMepData: shapes', () => {
  it('a single MEP still gives an array of one fact', () => {
    expect(parseMepData('<root><MEP Name="ServerHostName" String="mx.contoso.com" /></root>')).toEqual({
      facts: [{ name: 'ServerHostName', type: 'String', value: 'mx.contoso.com' }],
    });
  });

  it('null, undefined and blank data are "no facts", not errors', () => {
    expect(parseMepData(null)).toEqual({ facts: [] });
    expect(parseMepData(undefined)).toEqual({ facts: [] });
    expect(parseMepData('  ')).toEqual({ facts: [] });
    expect(parseMepData('<root/>')).toEqual({ facts: [] });
  });

  it('decodes the XML entities and numeric character references', () => {
    const { facts, error } = parseMepData(
      '<root><MEP Name="X" String="&lt;a&gt; &amp; &quot;q&quot; &apos;s&apos; &#65;&#x42;&#x43; &amp;lt;" /></root>',
    );
    expect(error).toBeUndefined();
    expect(facts[0]!.value).toBe('<a> & "q" \'s\' ABC &lt;');
  });

  it('types: DateTime/Blob stay strings; unsafe or non-numeric Integer/Long stay strings', () => {
    const { facts } = parseMepData(
      '<root><MEP Name="A" Long="12345678901234567890" /><MEP Name="B" Integer="abc" /><MEP Name="C" DateTime="2026-01-25T09:49:29Z" /><MEP Name="D" Integer="-7" /><MEP Name="E" Double="1.5" /></root>',
    );
    expect(facts).toEqual([
      { name: 'A', type: 'Long', value: '12345678901234567890' },
      { name: 'B', type: 'Integer', value: 'abc' },
      { name: 'C', type: 'DateTime', value: '2026-01-25T09:49:29Z' },
      { name: 'D', type: 'Integer', value: -7 },
      { name: 'E', type: 'Double', value: '1.5' },
    ]);
  });

  it('skips and counts malformed MEPs (no Name, no value, two values, children)', () => {
    const result = parseMepData(
      '<root><MEP String="x" /><MEP Name="NoValue" /><MEP Name="Two" String="a" Integer="1" /><MEP Name="Kid"><x/></MEP><MEP Name="Ok" String="y" /><Other a="1"/></root>',
    );
    expect(result.facts).toEqual([{ name: 'Ok', type: 'String', value: 'y' }]);
    expect(result.skipped).toBe(5);
    expect(result.error).toBeUndefined();
  });

  it('factsToRecord: first value wins, dangerous names stay own properties', () => {
    const { facts } = parseMepData('<root><MEP Name="__proto__" String="p" /><MEP Name="A" String="1" /><MEP Name="A" String="2" /></root>');
    const record = factsToRecord(facts);
    expect(Object.hasOwn(record, '__proto__')).toBe(true);
    expect(record['A']).toBe('1');
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
  });
});

describe('parseMepData: hostile or broken input returns an error and never throws', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['unclosed element', '<root><MEP Name="a" String="x"></root>', /malformed XML/],
    ['not XML', 'Reason: [{LED=550 5.1.10}]', /malformed XML|root/],
    ['wrong root', '<data><MEP Name="a" String="x"/></data>', /single <root>/],
    ['two roots', '<root><MEP Name="a" String="x"/></root><root/>', /single <root>|malformed/],
    ['duplicate attribute', '<root><MEP Name="a" Name="b" String="x"/></root>', /malformed XML/],
    ['reserved element name', '<root><__proto__ a="1"/></root>', /reserved|root|malformed/],
    [
      'billion laughs',
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><root><MEP Name="a" String="&lol3;"/></root>',
      /DOCTYPE/,
    ],
    [
      'quadratic blow-up',
      `<!DOCTYPE r [<!ENTITY a "${'x'.repeat(5000)}">]><root><MEP Name="a" String="${'&a;'.repeat(30)}"/></root>`,
      /DOCTYPE/,
    ],
    ['external entity', '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><root><MEP Name="a" String="&x;"/></root>', /DOCTYPE/],
  ];
  it.each(cases)('%s', (_name, xml, pattern) => {
    let result: ReturnType<typeof parseMepData> | undefined;
    expect(() => (result = parseMepData(xml))).not.toThrow();
    expect(result!.facts).toEqual([]);
    expect(result!.error).toMatch(pattern);
  });

  it('deep nesting (within the size bound)', () => {
    const depth = 5000;
    const xml = `<root>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</root>`;
    expect(xml.length).toBeLessThan(MEP_MAX_INPUT_CHARS);
    const result = parseMepData(xml);
    expect(result.facts).toEqual([]);
    expect(result.error).toMatch(/nested too deeply/);
    expect(parseMepData(`<root>${'<a>'.repeat(9)}${'</a>'.repeat(9)}</root>`).error).toMatch(/nested too deeply/);
  });

  it('oversized input is refused before parsing', () => {
    const big = `<root>${'<MEP Name="a" String="x"/>'.repeat(3000)}</root>`;
    expect(big.length).toBeGreaterThan(MEP_MAX_INPUT_CHARS);
    const result = parseMepData(big);
    expect(result).toEqual({ facts: [], error: expect.stringMatching(/data too large/) });
  });

  it('error messages never echo the input', () => {
    const evil = '<root><IGNORE_PREVIOUS_INSTRUCTIONS a="1"></root>';
    expect(parseMepData(evil).error).not.toContain('IGNORE');
    expect(parseMepData('<IGNORE_ALL><MEP Name="a" String="b"/></IGNORE_ALL>').error).not.toContain('IGNORE');
  });

  it('non-string input does not throw', () => {
    expect(parseMepData(42 as unknown as string).error).toBeDefined();
  });
});
