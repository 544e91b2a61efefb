import { describe, expect, it } from 'vitest';
import { decodeCustomData } from '../../../src/details/decode/custom-data.js';

describe('decodeCustomData', () => {
  it('the published sample: Receive', () => {
    expect(decodeCustomData('S:tlsversion=NONE')).toEqual({ values: { tlsversion: 'NONE' }, agents: {}, agentEntries: [] });
  });

  it('the published sample: Fail', () => {
    const { values, agents } = decodeCustomData(
      'S:OutboundProxyFrontEndName=eur.internal.map.protection.eop.outlook.com;S:IsSmtpResponseFromExternalServer=False;S:Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel=DomainValidation;S:ExternalSendLatency=10.297;S:OutboundIpPool=1102;S:OutboundIpPoolName=RegularOutboundPool',
    );
    expect(values).toEqual({
      OutboundProxyFrontEndName: 'eur.internal.map.protection.eop.outlook.com',
      IsSmtpResponseFromExternalServer: 'False',
      'Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel': 'DomainValidation',
      ExternalSendLatency: '10.297',
      OutboundIpPool: '1102',
      OutboundIpPoolName: 'RegularOutboundPool',
    });
    expect(agents).toEqual({});
  });

  it('spam filter agent S:SFA (doc example; repeated keys are joined)', () => {
    const { agents, values } = decodeCustomData(
      'S:SFA=SUM|SFV=SPM|IPV=CAL|SRV=BULK|SFS=470454002|SFS=349001|SCL=9|SCORE=-1|LIST=0|DI=SN|RD=ftmail.inc.com|H=ftmail.inc.com|CIP=98.129.140.74|SFP=1501|ASF=1|CTRY=US|CLTCTRY=|LANG=en|LAT=287|LAT=260|LAT=18;',
    );
    expect(values).toEqual({});
    expect(agents.SFA).toMatchObject({
      kind: 'SUM',
      SFV: 'SPM',
      IPV: 'CAL',
      SRV: 'BULK',
      SFS: '470454002,349001',
      SCL: '9',
      SCORE: '-1',
      DI: 'SN',
      CIP: '98.129.140.74',
      CTRY: 'US',
      CLTCTRY: '',
      LAT: '287,260,18',
    });
  });

  it('anti-malware agent S:AMA: SUM and EV blobs', () => {
    const { agents, agentEntries } = decodeCustomData(
      'S:AMA=SUM|v=1|action=b|error=|atch=1;S:AMA=EV|engine=M|v=1|sig=1.155.974.0|name=DOS/Test_File|file=filename;S:AMA=EV|engine=A|v=0|sig=201707282245|name=|file=filename',
    );
    expect(agents.AMA).toEqual({ kind: 'SUM', v: '1', action: 'b', error: '', atch: '1' });
    expect(agentEntries).toHaveLength(3);
    expect(agentEntries[1]).toEqual({
      agent: 'AMA',
      fields: { kind: 'EV', engine: 'M', v: '1', sig: '1.155.974.0', name: 'DOS/Test_File', file: 'filename' },
    });
  });

  it('transport rule agent S:TRA (value with spaces and colons)', () => {
    const { agents } = decodeCustomData(
      'S:TRA=ETR|ruleId=19a25eb2-3e43-4896-ad9e-47b6c359779d|st=7/17/2017 12:31:25 AM|action=ApplyHtmlDisclaimer|sev=1|mode=Enforce',
    );
    expect(agents.TRA).toEqual({
      kind: 'ETR',
      ruleId: '19a25eb2-3e43-4896-ad9e-47b6c359779d',
      st: '7/17/2017 12:31:25 AM',
      action: 'ApplyHtmlDisclaimer',
      sev: '1',
      mode: 'Enforce',
    });
  });

  it('mixed plain values and agents, MimeParts with slashes', () => {
    const { values, agents } = decodeCustomData('S:MimeParts=1/0/3/mixed/0;S:SFA=SUM|SCL=1|SFV=NSPM;S:tlsversion=TLS1.2');
    expect(values).toEqual({ MimeParts: '1/0/3/mixed/0', tlsversion: 'TLS1.2' });
    expect(agents.SFA).toEqual({ kind: 'SUM', SCL: '1', SFV: 'NSPM' });
  });

  it('tolerates junk: empty segments, no "=", a value with ";", no prefix, nulls', () => {
    expect(decodeCustomData(';;;').values).toEqual({});
    expect(decodeCustomData(null)).toEqual({ values: {}, agents: {}, agentEntries: [] });
    expect(decodeCustomData('S:a=1;junk;S:b=2').values).toEqual({ a: '1;junk', b: '2' });
    expect(decodeCustomData('a=1;b==2;=3').values).toEqual({ a: '1', b: '=2;=3' });
    expect(decodeCustomData('S:__proto__=x').values).toEqual(Object.fromEntries([['__proto__', 'x']]));
    expect(() => decodeCustomData('S:SFA=|||=|a=b=c|'.repeat(1000))).not.toThrow();
  });
});
