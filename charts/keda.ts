import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

/**
 * KEDA objects as typed ApiObjects (keda.sh/v1alpha1). The shapes follow the KEDA 2.x CRDs; the
 * offline validation checks them against `@kubernetes-models/keda`.
 *
 * @see https://keda.sh/docs/latest/reference/scaledobject-spec/
 */
export const KEDA_API_VERSION = 'keda.sh/v1alpha1';

/**
 * Lets a ScaledObject take over an existing HPA (the one named in
 * `advanced.horizontalPodAutoscalerConfig.name`) instead of being refused by KEDA's webhook.
 * @see https://keda.sh/docs/2.20/reference/scaledobject-spec/
 */
export const KEDA_TRANSFER_HPA_OWNERSHIP_ANNOTATION = 'scaledobject.keda.sh/transfer-hpa-ownership';

/**
 * How KEDA authenticates to AWS for a workload that runs under EKS Pod Identity.
 *
 * `provider: aws` with `roleArn: <the workload's scaler role>`: the KEDA operator, under its own Pod
 * Identity association, calls `sts:AssumeRole` on exactly that read-only role
 * (`<env>-risk-<workload>-scaler`, stacks/data/identities.ts) and reads the metric with it.
 * - No static keys: no Secret, no `secretTargetRef`, no access key parameters.
 * - No broad operator role: the operator's own role holds only `sts:AssumeRole` (+ `sts:TagSession`)
 *   on the scaler roles, and no Kinesis/SQS permissions of its own. A scaler role trusts the KEDA
 *   operator roles only and may make the one read its scaler needs (`cloudwatch:GetMetricData`,
 *   `sqs:GetQueueAttributes`): a compromised KEDA cannot write decisions or publish.
 * - Not `identityOwner: workload`: KEDA resolves that from the IRSA annotation
 *   `eks.amazonaws.com/role-arn` on the workload's ServiceAccount and fails without it
 *   (kedacore/keda#6418). Pod Identity has no such annotation, and adding one would make the pod
 *   webhook inject IRSA web-identity credentials that take precedence over Pod Identity.
 * - Not `aws-eks` (deprecated, IRSA only) nor `aws-kiam` (removed in KEDA 2.15).
 *
 * @see https://keda.sh/docs/latest/authentication-providers/aws/
 */
export interface AwsPodIdentity {
  readonly provider: 'aws';
  /** The role KEDA assumes: the scaled workload's read-only scaler role. */
  readonly roleArn: string;
}

/** One authentication parameter read from a key of a Secret or a ConfigMap. */
export interface AuthParameterRef {
  readonly parameter: string;
  readonly name: string;
  readonly key: string;
}

/**
 * One authentication parameter filled with a short-lived token of a ServiceAccount in the
 * TriggerAuthentication's namespace, requested by KEDA (TokenRequest API, KEDA 2.16+). KEDA's operator
 * needs `create` on that ServiceAccount's `serviceaccounts/token`.
 * @see https://keda.sh/docs/2.20/authentication-providers/bound-service-account-token/
 */
export interface BoundServiceAccountTokenRef {
  readonly parameter: string;
  readonly serviceAccountName: string;
}

/**
 * A TriggerAuthentication: workload identity for the AWS scalers (`podIdentity`), a bound
 * service-account token for the `datadog` scaler's cluster agent, or parameters read from a
 * ConfigMap (its address). Secrets are for nothing the platform runs today.
 * Note: the `keda-workload-identity` policy refuses AWS parameters from anything but `podIdentity`,
 * and any `secretTargetRef` to a `service-account-token` Secret or a Secret holding AWS keys.
 */
export interface TriggerAuthenticationSpec {
  readonly podIdentity?: AwsPodIdentity;
  readonly boundServiceAccountToken?: readonly BoundServiceAccountTokenRef[];
  readonly secretTargetRef?: readonly AuthParameterRef[];
  readonly configMapTargetRef?: readonly AuthParameterRef[];
}

export interface ScaledObjectTrigger {
  readonly type: 'aws-cloudwatch' | 'aws-sqs-queue' | 'cpu' | 'datadog' | 'cron';
  /** The trigger's name (KEDA `triggers[].name`). @default - none */
  readonly name?: string;
  /**
   * How the trigger's value is compared with its target.
   * @default - `AverageValue` (KEDA); `cpu` and `memory` triggers must set it
   */
  readonly metricType?: 'Utilization' | 'AverageValue' | 'Value';
  /** Scaler metadata: all values are strings. */
  readonly metadata: Readonly<Record<string, string>>;
  /** @default - none (`cpu` and `memory` triggers need none) */
  readonly authenticationRef?: { readonly name: string };
}

export interface ScalingPolicy {
  readonly type: 'Pods' | 'Percent';
  readonly value: number;
  readonly periodSeconds: number;
}

export interface ScalingRules {
  readonly stabilizationWindowSeconds: number;
  readonly selectPolicy: 'Max' | 'Min' | 'Disabled';
  readonly policies: readonly ScalingPolicy[];
}

export interface ScaledObjectSpec {
  readonly scaleTargetRef: {
    readonly apiVersion: 'apps/v1';
    readonly kind: 'Deployment';
    readonly name: string;
  };
  readonly pollingInterval: number;
  readonly cooldownPeriod: number;
  readonly minReplicaCount: number;
  readonly maxReplicaCount: number;
  /**
   * What the HPA sees after `failureThreshold` failed reads of a trigger: `replicas` (behavior
   * `static`). Only for AverageValue triggers other than cpu/memory.
   */
  readonly fallback?: { readonly failureThreshold: number; readonly replicas: number };
  readonly advanced?: {
    readonly horizontalPodAutoscalerConfig?: {
      /** The name of the HPA KEDA creates and owns. @default - `keda-hpa-<ScaledObject name>` */
      readonly name?: string;
      readonly behavior?: { readonly scaleUp?: ScalingRules; readonly scaleDown?: ScalingRules };
    };
  };
  readonly triggers: readonly ScaledObjectTrigger[];
}

interface ObjectMetadata {
  readonly name: string;
  readonly namespace: string;
  readonly annotations?: Record<string, string>;
}

interface KedaObjectProps<S> {
  readonly metadata: ObjectMetadata;
  readonly spec: S;
}

/** A keda.sh/v1alpha1 object of one kind. */
function kedaKind<S>(kind: string) {
  return class extends ApiObject {
    constructor(scope: Construct, id: string, props: KedaObjectProps<S>) {
      super(scope, id, { apiVersion: KEDA_API_VERSION, kind, ...props });
    }
  };
}

/** A KEDA TriggerAuthentication. */
export class TriggerAuthentication extends kedaKind<TriggerAuthenticationSpec>('TriggerAuthentication') {}

/** A KEDA ScaledObject. */
export class ScaledObject extends kedaKind<ScaledObjectSpec>('ScaledObject') {}

/**
 * The KEDA `cron` triggers of one workload, one per launch window that lists it: metadata `timezone`,
 * `start`, `end` and `desiredReplicas` (all strings), named `prescale-<window>`.
 *
 * Semantics at KEDA 2.20.2 (pkg/scalers/cron_scaler.go): the metric is External with an AverageValue
 * target of 1; inside the window (the next `end` comes before the next `start`) its value is
 * `desiredReplicas`, so the HPA proposes exactly that many; outside it is 0 and the trigger is
 * inactive, proposing nothing above the minimum. The HPA takes the largest proposal over all
 * triggers, so the cron trigger is a floor under the load triggers, never a cap.
 * @see https://keda.sh/docs/2.20/scalers/cron/
 */
export function cronTriggers(
  windows:
    | readonly {
        name: string;
        timezone: string;
        start: string;
        end: string;
        replicas: Readonly<Record<string, number | undefined>>;
      }[]
    | undefined,
  key: string,
): ScaledObjectTrigger[] {
  return (windows ?? []).flatMap((w) => {
    const n = w.replicas[key];
    return n === undefined
      ? []
      : [
          {
            type: 'cron' as const,
            name: `prescale-${w.name}`,
            metadata: { timezone: w.timezone, start: w.start, end: w.end, desiredReplicas: String(n) },
          },
        ];
  });
}
