import { regionalEndpointName, scoringRecordName, syntheticEndpointUrl } from '../../../stacks/traffic/dns';

const dns = { hostedZoneName: 'staging.risk.example.com', recordName: 'score' };

describe('scoring DNS names', () => {
  test('the failover record is <recordName>.<zone>', () => {
    expect(scoringRecordName(dns)).toBe('score.staging.risk.example.com');
  });

  test('a regional endpoint is <recordName>-<region>.<zone>', () => {
    expect(regionalEndpointName(dns, 'us-east-1')).toBe('score-us-east-1.staging.risk.example.com');
  });

  test('the synthetic check requests /healthz/score on the regional endpoint over HTTPS', () => {
    expect(syntheticEndpointUrl(dns, 'us-west-2')).toBe(
      'https://score-us-west-2.staging.risk.example.com/healthz/score',
    );
  });
});
