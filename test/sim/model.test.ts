import { parseEnvironmentConfig } from '../../stacks/config/load';
import { readStackFile, stackFilePath } from '../../stacks/config/stack-file';
import { modelOf } from '../../tools/sim/model';

function config(env: string, overrides: Record<string, string> = {}) {
  const sc = readStackFile(stackFilePath(env));
  return parseEnvironmentConfig(
    { ...sc.values, ...overrides },
    { stack: env, isSecret: (k) => sc.secretKeys.includes(k) },
  );
}

describe('simulation budgets and the model from config', () => {
  it('prod takes the documented defaults and its dr.rtoSeconds', () => {
    expect(modelOf(config('prod')).budgets).toEqual({
      timeToCapacitySeconds: 120,
      breachSeconds: 120,
      level: 'mandatory',
      rtoSeconds: 300,
    });
  });
  it('dev is advisory (risk-platform:simulation in its stack file)', () => {
    expect(modelOf(config('dev')).budgets.level).toBe('advisory');
  });
  it('a set key overrides its default only', () => {
    const m = modelOf(config('prod', { 'risk-platform:simulation': JSON.stringify({ breachSeconds: 30 }) }));
    expect(m.budgets).toMatchObject({ timeToCapacitySeconds: 120, breachSeconds: 30, level: 'mandatory' });
  });
  it('refuses an unknown level, naming the key', () => {
    expect(() => config('prod', { 'risk-platform:simulation': JSON.stringify({ level: 'warn' }) })).toThrow(
      /simulation\.level/,
    );
  });
  it('per-pod throughput and the features read units per score come from the targets', () => {
    const m = modelOf(config('prod'));
    expect(m.workloads.map((w) => [w.workload, w.perPod, w.mode])).toEqual([
      ['scoring-api', 400, 'sync'],
      ['stream-scorer', 1000, 'stream'],
      ['feedback-worker', 100, 'queue'],
    ]);
    // 3 feature reads per score, eventually consistent: 0.5 units each.
    expect(m.tables[0]).toEqual({
      table: 'features',
      dimension: 'read',
      signal: 'scoringRps',
      unitsPer: 1.5,
    });
  });
});
