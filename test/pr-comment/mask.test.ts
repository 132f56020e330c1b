import { PlanRecord } from '../../tools/diff/load';
import { isSecretName, maskValue, scrub, secretValues } from '../../tools/pr-comment/mask';

const record = (props: Record<string, unknown>): PlanRecord => ({
  urn: 'urn:pulumi:prod::risk-platform::aws:ssm/parameter:Parameter::p',
  type: 'aws:ssm/parameter:Parameter',
  name: 'p',
  region: 'us-west-2',
  parent: null,
  props,
});

describe('secret masking for the PR comment', () => {
  test('reads secret names with or without separators, and not ordinary ones', () => {
    expect(['apiKey', 'DD_API_KEY', 'db-password', 'clientSecret', 'githubToken'].map(isSecretName)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['tokenTtl', 'name', 'secretArn', 'keyId'].map(isSecretName)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  test('collects plaintext values at secret-named inputs and in { name, value } pairs, not the marker', () => {
    const found = secretValues([
      record({ apiKey: 'plain-1234', appKey: '[secret]', password: 'abc' }),
      record({
        spec: {
          env: [
            { name: 'DD_APP_KEY', value: 'plain-5678' },
            { name: 'LOG', value: 'info' },
          ],
        },
      }),
    ]);
    expect([...found].sort()).toEqual(['plain-1234', 'plain-5678']);
  });

  test('masks secret-named values and any string holding a known secret, deep inside lists', () => {
    const secrets = new Set(['plain-1234']);
    expect(
      maskValue(
        [
          { name: 'DD_API_KEY', value: 'other-9999' },
          { name: 'URL', value: 'https://x?k=plain-1234' },
          { token: 't-1' },
          3,
        ],
        secrets,
      ),
    ).toEqual([
      { name: 'DD_API_KEY', value: '[secret]' },
      { name: 'URL', value: '[secret]' },
      { token: '[secret]' },
      3,
    ]);
  });

  test('scrubs every occurrence, the longest secret first', () => {
    expect(scrub('a plain-1234-long b plain-1234 c', new Set(['plain-1234', 'plain-1234-long']))).toBe(
      'a [secret] b [secret] c',
    );
  });
});
