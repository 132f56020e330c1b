import { policyConfigFor } from '../../policies/config';
import { shardRequirement } from '../../stacks/capacity';
import { parseEnvironmentConfig } from '../../stacks/config/load';
import { readStackFile, stackFilePath } from '../../stacks/config/stack-file';

const configOf = (env: string) => {
  const sc = readStackFile(stackFilePath(env));
  return parseEnvironmentConfig(sc.values, { stack: env, isSecret: (k) => sc.secretKeys.includes(k) });
};

describe('policyConfigFor', () => {
  test('prod requires 3 node-group AZs, HPA min 2, deletion protection and mandatory replica rules', () => {
    const c = policyConfigFor(configOf('prod'));
    expect(c['eks-node-group-azs']).toEqual({ minNodeGroupAzs: 3 });
    expect(c['hpa-replica-bounds']).toEqual({ enforcementLevel: 'mandatory', minReplicas: 2 });
    expect(c['dynamodb-deletion-protection']).toEqual({ requireDeletionProtection: true });
    expect(c['dr-standby-minimums']).toEqual({
      primaryRegion: 'us-west-2',
      drRegion: 'us-east-1',
      enforcementLevel: 'mandatory',
      standbyFraction: 0.25,
    });
  });

  test('dev downgrades the replica-count rules to advisory and needs no deletion protection', () => {
    const c = policyConfigFor(configOf('dev'));
    expect(c['hpa-replica-bounds'].enforcementLevel).toBe('advisory');
    expect(c['dr-standby-minimums'].enforcementLevel).toBe('advisory');
    expect(c['dynamodb-deletion-protection']).toEqual({ requireDeletionProtection: false });
  });

  test('staging requires deletion protection', () => {
    expect(policyConfigFor(configOf('staging'))['dynamodb-deletion-protection']).toEqual({
      requireDeletionProtection: true,
    });
  });

  test('the shard count comes from the capacity model', () => {
    const prod = configOf('prod');
    expect(policyConfigFor(prod)['kinesis-shard-capacity'].requiredShardCount).toBe(
      shardRequirement(prod.targets).shardCount,
    );
  });

  test('an ON_DEMAND environment caps the Kinesis scaler at the model equivalent', () => {
    const dev = configOf('dev');
    expect(dev.streams.mode).toBe('ON_DEMAND');
    expect(policyConfigFor(dev)['keda-kinesis-max-replicas']).toEqual({
      onDemandShardCount: shardRequirement(dev.targets).shardCount,
    });
  });
});
