import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { drProps, find, primaryProps, synth } from './fixtures';

const dr = synth(drProps());
const primary = synth(primaryProps());

describe('warm standby in DR', () => {
  test('the DR autoscaler minimums equal the standby bounds passed', () => {
    expect(find<IScaledObject>(dr, 'ScaledObject', 'scoring-api').spec.minReplicaCount).toBe(3);
    expect(find<IScaledObject>(dr, 'ScaledObject', 'stream-scorer').spec.minReplicaCount).toBe(2);
    expect(find<IScaledObject>(dr, 'ScaledObject', 'feedback-worker').spec.minReplicaCount).toBe(1);
  });

  test('the DR maximums stay at full capacity', () => {
    expect(find<IScaledObject>(dr, 'ScaledObject', 'scoring-api').spec.maxReplicaCount).toBe(120);
    expect(find<IScaledObject>(dr, 'ScaledObject', 'stream-scorer').spec.maxReplicaCount).toBe(24);
  });

  test('DR autoscalers record the full and standby minimums for the runbook', () => {
    expect(find<IScaledObject>(dr, 'ScaledObject', 'stream-scorer').metadata?.annotations).toEqual({
      'risk-platform/full-min-replicas': '6',
      'risk-platform/standby-min-replicas': '2',
    });
    expect(find<IScaledObject>(dr, 'ScaledObject', 'scoring-api').metadata?.annotations).toMatchObject({
      'risk-platform/full-min-replicas': '10',
      'risk-platform/standby-min-replicas': '3',
    });
  });

  test('primary autoscalers record only the full minimum', () => {
    expect(find<IScaledObject>(primary, 'ScaledObject', 'feedback-worker').metadata?.annotations).toEqual({
      'risk-platform/full-min-replicas': '2',
    });
  });

  test('the DR ConfigMaps name the DR region and role', () => {
    const cm = find<{ data: Record<string, string> }>(dr, 'ConfigMap', 'scoring-api-config');
    expect(cm.data.AWS_REGION).toBe('us-east-1');
    expect(cm.data.REGION_ROLE).toBe('dr');
  });

  test('the DR KEDA triggers read the DR region', () => {
    const so = find<IScaledObject>(dr, 'ScaledObject', 'stream-scorer');
    expect(so.spec.triggers[0].metadata).toMatchObject({ awsRegion: 'us-east-1' });
  });
});

describe('after a failover (dr.activeRegion = the DR region)', () => {
  // GIVEN the DR region active with full minimums, and the primary region on standby
  const activeDr = synth(
    drProps({
      active: true,
      bounds: {
        scoringApi: { minReplicas: 10, maxReplicas: 120, fullMinReplicas: 10 },
        streamScorer: { minReplicas: 6, maxReplicas: 24, fullMinReplicas: 6 },
        feedbackWorker: { minReplicas: 2, maxReplicas: 12, fullMinReplicas: 2 },
      },
    }),
  );
  const standbyPrimary = synth(primaryProps({ active: false, bounds: drProps().bounds }));

  test('the active DR autoscalers run the full minimums and record only the full minimum', () => {
    const so = find<IScaledObject>(activeDr, 'ScaledObject', 'scoring-api');
    expect(so.spec.minReplicaCount).toBe(10);
    expect(so.metadata?.annotations?.['risk-platform/full-min-replicas']).toBe('10');
    expect(so.metadata?.annotations).not.toHaveProperty(['risk-platform/standby-min-replicas']);
    expect(find<IScaledObject>(activeDr, 'ScaledObject', 'stream-scorer').spec.minReplicaCount).toBe(6);
  });

  test('the standby primary autoscalers run the standby minimums and record both', () => {
    const so = find<IScaledObject>(standbyPrimary, 'ScaledObject', 'stream-scorer');
    expect(so.spec.minReplicaCount).toBe(2);
    expect(so.metadata?.annotations).toEqual({
      'risk-platform/full-min-replicas': '6',
      'risk-platform/standby-min-replicas': '2',
    });
  });

  test('the regions keep their roles', () => {
    const cm = find<{ data: Record<string, string> }>(standbyPrimary, 'ConfigMap', 'scoring-api-config');
    expect(cm.data.REGION_ROLE).toBe('primary');
  });

  test('rejects an active region whose full minimum differs from its minimum', () => {
    expect(() => synth(drProps({ active: true }))).toThrow(
      /'bounds.scoringApi.fullMinReplicas' \(10\) must equal 'bounds.scoringApi.minReplicas' \(3\) when 'active' is true/,
    );
  });
});
