import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-28';
import { DatadogMetric } from './datadog-metric';
import { selectorLabels } from './labels';
import type { Bounds } from './props';
import { ContainerResources, ScoringWorkload } from './scoring-workload';

export const SCORING_API = 'scoring-api';
/** The port the scoring API serves on (Service port and container port, named `http`). */
export const SCORING_API_PORT = 8080;

/** Requests and limits of one scoring-api pod; the capacity model sizes nodes from these. */
export const SCORING_API_RESOURCES: ContainerResources = {
  cpuRequestMillis: 1000,
  cpuLimitMillis: 2000,
  memoryRequestMebibytes: 1024,
  memoryLimitMebibytes: 1024,
};

/** Target average CPU utilization of the HPA's CPU metric (% of request). */
export const SCORING_API_CPU_TARGET_PERCENT = 60;

/**
 * Launch-day behaviour. Scale-up reacts at once (no stabilization) and takes the larger of
 * doubling or +4 pods every 15 s; scale-down waits 5 minutes of lower recommendations, then sheds
 * at most 10% (at least 1 pod) a minute, so a lull between waves does not strip capacity.
 */
export const SCORING_API_BEHAVIOR = {
  scaleUp: {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Percent', value: 100, periodSeconds: 15 },
      { type: 'Pods', value: 4, periodSeconds: 15 },
    ],
  },
  scaleDown: {
    stabilizationWindowSeconds: 300,
    selectPolicy: 'Max',
    policies: [
      { type: 'Percent', value: 10, periodSeconds: 60 },
      { type: 'Pods', value: 1, periodSeconds: 60 },
    ],
  },
} as const;

export interface ScoringApiProps {
  readonly namespace: string;
  readonly image: string;
  readonly bounds: Bounds;
  readonly config: Readonly<Record<string, string>>;
  readonly podLabels: Readonly<Record<string, string>>;
  /** The Datadog query of the API's request rate (requests/s across the region's pods). */
  readonly requestRateQuery: string;
  /** The request rate one pod should carry: the AverageValue target. */
  readonly targetRpsPerPod: number;
  /** Autoscaler annotations for the DR runbook. */
  readonly autoscalerAnnotations: Readonly<Record<string, string>>;
}

/**
 * The synchronous scoring API: workload, ClusterIP Service and an autoscaling/v2 HPA on CPU and on
 * the request rate.
 *
 * Request rate: a `DatadogMetric` (`<name>-rps`) holds the query, and the HPA reads it as the
 * External metric `datadogmetric@<namespace>:scoring-api-rps` with an AverageValue target (the
 * per-pod rate). The HPA takes the larger of the CPU and request-rate recommendations.
 */
export class ScoringApi extends Construct {
  public readonly workload: ScoringWorkload;
  public readonly service: kplus.Service;
  public readonly requestRate: DatadogMetric;

  constructor(scope: Construct, id: string, props: ScoringApiProps) {
    super(scope, id);
    this.workload = new ScoringWorkload(this, 'Workload', {
      name: SCORING_API,
      namespace: props.namespace,
      image: props.image,
      resources: SCORING_API_RESOURCES,
      config: props.config,
      minReplicas: props.bounds.minReplicas,
      podLabels: props.podLabels,
      ports: [{ number: SCORING_API_PORT, name: 'http', protocol: kplus.Protocol.TCP }],
    });

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: SCORING_API, namespace: props.namespace },
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [
        { name: 'http', port: SCORING_API_PORT, targetPort: SCORING_API_PORT, protocol: kplus.Protocol.TCP },
      ],
    });

    // Select by the workload's selector labels (not the construct-path label cdk8s-plus would use).
    for (const [k, v] of Object.entries(selectorLabels(SCORING_API))) this.service.selectLabel(k, v);

    this.requestRate = new DatadogMetric(this, 'RequestRate', {
      name: `${SCORING_API}-rps`,
      namespace: props.namespace,
      query: props.requestRateQuery,
    });

    new kplus.k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
      metadata: {
        name: SCORING_API,
        namespace: props.namespace,
        annotations: { ...props.autoscalerAnnotations },
      },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: SCORING_API },
        minReplicas: props.bounds.minReplicas,
        maxReplicas: props.bounds.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: SCORING_API_CPU_TARGET_PERCENT },
            },
          },
          {
            type: 'External',
            external: {
              metric: { name: this.requestRate.externalMetricName },
              target: {
                type: 'AverageValue',
                averageValue: kplus.k8s.Quantity.fromString(quantity(props.targetRpsPerPod)),
              },
            },
          },
        ],
        behavior: {
          scaleUp: { ...SCORING_API_BEHAVIOR.scaleUp, policies: [...SCORING_API_BEHAVIOR.scaleUp.policies] },
          scaleDown: {
            ...SCORING_API_BEHAVIOR.scaleDown,
            policies: [...SCORING_API_BEHAVIOR.scaleDown.policies],
          },
        },
      },
    });
  }
}

/** A Kubernetes quantity for a rate: whole numbers as is, fractions in milli-units. */
export function quantity(value: number): string {
  return Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`;
}
