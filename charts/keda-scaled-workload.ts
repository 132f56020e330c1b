import { Construct } from 'constructs';
import type { Bounds } from './props';
import { ScaledObject, ScaledObjectTrigger, ScalingRules, TriggerAuthentication } from './keda';

/** How often KEDA polls the event source, in seconds. */
export const KEDA_POLLING_INTERVAL_SECONDS = 15;

/** Scale-down of KEDA-driven workloads: 5 minutes of stabilization, then 1 pod or 10% a minute. */
export const KEDA_SCALE_DOWN: ScalingRules = {
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  policies: [
    { type: 'Percent', value: 10, periodSeconds: 60 },
    { type: 'Pods', value: 1, periodSeconds: 60 },
  ],
};

export interface KedaScalingProps {
  readonly workload: string;
  readonly namespace: string;
  readonly bounds: Bounds;
  /** The workload's own IAM role, assumed by KEDA (see {@link TriggerAuthentication}). */
  readonly roleArn: string;
  readonly trigger: Omit<ScaledObjectTrigger, 'authenticationRef'>;
  readonly autoscalerAnnotations: Readonly<Record<string, string>>;
  /** More triggers without authentication (the launch windows' `cron` floors). @default - none */
  readonly extraTriggers?: readonly ScaledObjectTrigger[];
}

/** A KEDA ScaledObject for one Deployment and the TriggerAuthentication it uses. */
export class KedaScaling extends Construct {
  public readonly scaledObject: ScaledObject;
  public readonly triggerAuthentication: TriggerAuthentication;

  constructor(scope: Construct, id: string, props: KedaScalingProps) {
    super(scope, id);
    const authName = `${props.workload}-aws`;
    this.triggerAuthentication = new TriggerAuthentication(this, 'TriggerAuthentication', {
      metadata: { name: authName, namespace: props.namespace },
      spec: { podIdentity: { provider: 'aws', roleArn: props.roleArn } },
    });
    this.scaledObject = new ScaledObject(this, 'ScaledObject', {
      metadata: {
        name: props.workload,
        namespace: props.namespace,
        annotations: { ...props.autoscalerAnnotations },
      },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: props.workload },
        pollingInterval: KEDA_POLLING_INTERVAL_SECONDS,
        cooldownPeriod: 300,
        minReplicaCount: props.bounds.minReplicas,
        maxReplicaCount: props.bounds.maxReplicas,
        advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: KEDA_SCALE_DOWN } } },
        triggers: [
          { ...props.trigger, authenticationRef: { name: authName } },
          ...(props.extraTriggers ?? []),
        ],
      },
    });
  }
}
