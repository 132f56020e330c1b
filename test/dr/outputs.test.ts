import { readFileSync } from 'node:fs';
import { UsageError } from '../../tools/lib/exit-codes';
import { parseRunbookOutputs } from '../../tools/dr/outputs';
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
