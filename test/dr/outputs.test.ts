import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { UsageError } from '../../tools/lib/exit-codes';
import { loadOutputs, OutputsUnavailable, parseRunbookOutputs } from '../../tools/dr/outputs';
import { runCli } from '../../tools/dr/program';
import { runbookParameterName } from '../../stacks/outputs';
import { resolveOperation } from '../../tools/dr/operation';
import { resolveFailAt } from '../../tools/dr/local-drill';
import { FIXTURE } from './helpers';

const raw = () => JSON.parse(readFileSync(FIXTURE, 'utf8')) as { runbook: Record<string, unknown> };

test('accepts the whole stack-output object', () => {
  expect(parseRunbookOutputs(raw(), 'f').environment).toBe('staging');
});

test('accepts the bare runbook object', () => {
  expect(parseRunbookOutputs(raw().runbook, 'f').drRegion).toBe('us-east-1');
});

test('names the missing field', () => {
  const r = raw();
  delete (r.runbook.traffic as Record<string, unknown>).clusterEndpoints;
  expect(() => parseRunbookOutputs(r, 'out.json')).toThrow(UsageError);
  expect(() => parseRunbookOutputs(r, 'out.json')).toThrow(
    /^out\.json: runbook\.traffic\.clusterEndpoints: received nothing, expected/,
  );
});

test('failover targets the DR region by default', () => {
  expect(resolveOperation(parseRunbookOutputs(raw(), 'f'), 'failover')).toEqual({
    kind: 'failover',
    from: 'us-west-2',
    to: 'us-east-1',
  });
});

test('failback targets the primary region by default', () => {
  expect(resolveOperation(parseRunbookOutputs(raw(), 'f'), 'failback')).toEqual({
    kind: 'failback',
    from: 'us-east-1',
    to: 'us-west-2',
  });
});

test('--fail-at accepts a drill position', () => {
  expect(resolveFailAt('13')).toEqual({ position: 13, operation: 'failback', n: 5, id: 'flip' });
});

test('--fail-at accepts an operation-qualified name', () => {
  expect(resolveFailAt('failover.notify')).toEqual({
    position: 7,
    operation: 'failover',
    n: 7,
    id: 'notify',
  });
});

test('--fail-at rejects an unknown step', () => {
  expect(() => resolveFailAt('18')).toThrow(/^--fail-at: received "18", expected a step number 1-17/);
});

describe('where the outputs come from without --outputs', () => {
  const published = () => JSON.stringify(raw().runbook);
  const reads: string[] = [];
  beforeEach(() => (reads.length = 0));

  test('the parameter name is /risk-platform/<env>/runbook-outputs', () => {
    expect(runbookParameterName('prod')).toBe('/risk-platform/prod/runbook-outputs');
  });

  test('SSM in the target region first; Pulumi is not needed', async () => {
    const sources: string[] = [];
    const outputs = await loadOutputs('staging', undefined, {
      regions: () => ['us-east-1', 'us-west-2'],
      readParameter: async (region, name) => {
        reads.push(`${region} ${name}`);
        return published();
      },
      readStack: () => Promise.reject(new Error('pulumi must not be called')),
      onSource: (s) => sources.push(s),
    });
    expect(outputs.environment).toBe('staging');
    expect(reads).toEqual(['us-east-1 /risk-platform/staging/runbook-outputs']);
    expect(sources).toEqual(['SSM /risk-platform/staging/runbook-outputs in us-east-1']);
  });

  test('falls back to the other region when the target region’s SSM fails', async () => {
    const sources: string[] = [];
    await loadOutputs('staging', undefined, {
      regions: () => ['us-east-1', 'us-west-2'],
      readParameter: async (region) => {
        reads.push(region);
        if (region === 'us-east-1')
          throw Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' });
        return published();
      },
      onSource: (s) => sources.push(s),
    });
    expect(reads).toEqual(['us-east-1', 'us-west-2']);
    expect(sources).toEqual(['SSM /risk-platform/staging/runbook-outputs in us-west-2']);
  });

  test('pulumi stack output only as the last resort', async () => {
    const sources: string[] = [];
    await loadOutputs('staging', undefined, {
      regions: () => ['us-east-1', 'us-west-2'],
      readParameter: async () => undefined,
      readStack: async () => raw(),
      onSource: (s) => sources.push(s),
    });
    expect(sources).toEqual(['pulumi stack output --stack staging-us-east-1, staging-us-west-2']);
  });

  test('every source failing operationally (credentials, network, no pulumi) is exit 1, not a usage error', async () => {
    const err = (name: string, message: string) => Object.assign(new Error(message), { name });
    const load = loadOutputs('staging', undefined, {
      regions: () => ['us-east-1', 'us-west-2'],
      readParameter: async (region) => {
        throw region === 'us-east-1'
          ? err('CredentialsProviderError', 'Could not load credentials from any providers')
          : err('TimeoutError', 'connect ETIMEDOUT 52.94.0.1:443');
      },
      readStack: () => Promise.reject(Object.assign(new Error('spawn pulumi ENOENT'), { code: 'ENOENT' })),
    });
    await expect(load).rejects.toThrow(OutputsUnavailable);
    await expect(load).rejects.not.toThrow(UsageError);
    await expect(load).rejects.toThrow(
      'could not read the runbook outputs of staging from any source (' +
        'SSM /risk-platform/staging/runbook-outputs in us-east-1: CredentialsProviderError: Could not load credentials from any providers; ' +
        'SSM /risk-platform/staging/runbook-outputs in us-west-2: TimeoutError: connect ETIMEDOUT 52.94.0.1:443; ' +
        'pulumi stack output --stack staging-us-east-1, staging-us-west-2: spawn pulumi ENOENT): check the AWS credentials and the network (or pass --outputs <file>)',
    );
  });

  test('the CLI exits 1 on it (exit 2 stays for bad --outputs files and arguments)', async () => {
    let stderr = '';
    const code = await runCli(['status', '--env', 'staging'], {
      io: {
        stdout: () => undefined,
        stderr: (t) => (stderr += t),
        stdin: Object.assign(new PassThrough(), { isTTY: false }),
        prompt: new PassThrough(),
      },
      clients: () => {
        throw new Error('no clients expected');
      },
      readParameter: () =>
        Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { name: 'Error' })),
      readStack: () => Promise.reject(new Error('spawn pulumi ENOENT')),
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^failed: OutputsUnavailable: could not read the runbook outputs of staging/);
  });

  test('a missing stack in pulumi is not operational: exit 2 naming --outputs', async () => {
    await expect(
      loadOutputs('staging', undefined, {
        regions: () => ['us-east-1'],
        readParameter: () => Promise.reject(new Error('connect ETIMEDOUT')),
        readStack: () => Promise.reject(new Error("error: no stack named 'staging' found")),
      }),
    ).rejects.toThrow(UsageError);
  });

  test('nothing readable anywhere is exit 2 naming --outputs and every source tried', async () => {
    await expect(
      loadOutputs('staging', undefined, {
        regions: () => ['us-east-1', 'us-west-2'],
        readParameter: async () => undefined,
        readStack: () => Promise.reject(new Error('pulumi: command not found')),
      }),
    ).rejects.toThrow(
      '--outputs: received nothing, expected a file with the stack outputs, because no published outputs could be read (' +
        'SSM /risk-platform/staging/runbook-outputs in us-east-1: not found; SSM /risk-platform/staging/runbook-outputs in us-west-2: not found; ' +
        'pulumi stack output --stack staging-us-east-1, staging-us-west-2: pulumi: command not found)',
    );
  });
});
