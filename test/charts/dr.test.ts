import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { drProps, find, primaryProps, synth } from './fixtures';

const dr = synth(drProps());
const primary = synth(primaryProps());

describe('warm standby in DR', () => {
  test('the DR autoscaler minimums equal the standby bounds passed', () => {
    expect(
      find<IHorizontalPodAutoscaler>(dr, 'HorizontalPodAutoscaler', 'scoring-api').spec?.minReplicas,
    ).toBe(3);
    expect(find<IScaledObject>(dr, 'ScaledObject', 'stream-scorer').spec.minReplicaCount).toBe(2);
    expect(find<IScaledObject>(dr, 'ScaledObject', 'feedback-worker').spec.minReplicaCount).toBe(1);
  });

  test('the DR maximums stay at full capacity', () => {
    expect(
      find<IHorizontalPodAutoscaler>(dr, 'HorizontalPodAutoscaler', 'scoring-api').spec?.maxReplicas,
    ).toBe(120);
    expect(find<IScaledObject>(dr, 'ScaledObject', 'stream-scorer').spec.maxReplicaCount).toBe(24);
  });

  test('DR autoscalers record the full and standby minimums for the runbook', () => {
    expect(find<IScaledObject>(dr, 'ScaledObject', 'stream-scorer').metadata?.annotations).toEqual({
      'risk-platform/full-min-replicas': '6',
      'risk-platform/standby-min-replicas': '2',
    });
    expect(
      find<IHorizontalPodAutoscaler>(dr, 'HorizontalPodAutoscaler', 'scoring-api').metadata?.annotations,
    ).toEqual({
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
