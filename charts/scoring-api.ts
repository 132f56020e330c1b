import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import type { UnifiedServiceTags } from './datadog-tagging';
import * as kplus from 'cdk8s-plus-28';
import { ClusterAgentMetricsReader } from './cluster-agent-metrics-reader';
import { DatadogMetric } from './datadog-metric';
import {
  KEDA_TRANSFER_HPA_OWNERSHIP_ANNOTATION,
  ScaledObject,
  ScaledObjectTrigger,
  TriggerAuthentication,
} from './keda';
import { KEDA_POLLING_INTERVAL_SECONDS } from './keda-scaled-workload';
import { selectorLabels } from './labels';
import type { Bounds, LoadBalancerScheme } from './props';
import { ADMIN_PORT, ContainerResources, READINESS_PATH, ScoringWorkload } from './scoring-workload';

export const SCORING_API = 'scoring-api';
/** The port the scoring API serves on (Service port and container port, named `http`). */
export const SCORING_API_PORT = 8080;

/**
 * The synthetic check's path: a full scoring round trip served on the `http` port (8080), the only
 * port behind the NLB. The probe paths (`/healthz/startup|ready|live`) live on the admin port, which
 * is not published; the NLB's health check reaches the readiness path there directly (IP targets).
 */
export const SCORING_API_SYNTHETIC_PATH = '/healthz/score';

/** The port the NLB's TLS listener serves on (Service port `https`, forwarded to the pods' 8080). */
export const SCORING_API_TLS_PORT = 443;

/** The annotation external-dns reads the regional DNS name from. */
export const EXTERNAL_DNS_HOSTNAME_ANNOTATION = 'external-dns.alpha.kubernetes.io/hostname';

/** @default values of {@link ScoringApiLoadBalancer}. */
export const SCORING_API_LOAD_BALANCER_DEFAULTS = {
  scheme: 'internal' as LoadBalancerScheme,
  sourceRanges: ['10.0.0.0/8'] as readonly string[],
};

/** How the scoring API's Service is published (see {@link scoringApiServiceAnnotations}). */
export interface ScoringApiLoadBalancer {
  /** The regional DNS name external-dns publishes, e.g. `score-us-west-2.risk.example.com`. */
  readonly hostname: string;
  /** The ACM certificate the NLB's TLS listener presents. */
  readonly certificateArn: string;
  /** @default 'internal' */
  readonly scheme?: LoadBalancerScheme;
  /** @default ['10.0.0.0/8'] */
  readonly sourceRanges?: readonly string[];
  /** The NLB's subnets, one per AZ (see `ScoringEndpointProps.subnets`). @default - subnet discovery */
  readonly subnets?: readonly string[];
}

/**
 * The AWS Load Balancer Controller annotations of the scoring API's Service: an NLB (`external`)
 * with IP targets (straight to the pods, no node hop), cross-zone on (a zone with fewer ready pods
 * does not get a third of the traffic), TLS terminated with the ACM certificate, an HTTP health check
 * on the pods' readiness path and admin port, client IP preservation off (so the pods' network
 * policy admits the NLB's subnets, see `ingressCidrs`), the NLB's own subnets when given
 * (`aws-load-balancer-subnets`: subnet IDs or names, one per AZ), and the regional name for external-dns.
 * @see https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/
 */
export function scoringApiServiceAnnotations(lb: ScoringApiLoadBalancer): Record<string, string> {
  const prefix = 'service.beta.kubernetes.io/aws-load-balancer';
  return {
    [`${prefix}-type`]: 'external',
    [`${prefix}-nlb-target-type`]: 'ip',
    [`${prefix}-scheme`]: lb.scheme ?? SCORING_API_LOAD_BALANCER_DEFAULTS.scheme,
    [`${prefix}-attributes`]: 'load_balancing.cross_zone.enabled=true',
    [`${prefix}-target-group-attributes`]: [
      'preserve_client_ip.enabled=false',
      `deregistration_delay.timeout_seconds=${SCORING_API_DRAIN.deregistrationDelaySeconds}`,
    ].join(','),
    [`${prefix}-ssl-cert`]: lb.certificateArn,
    [`${prefix}-ssl-ports`]: 'https',
    [`${prefix}-ssl-negotiation-policy`]: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    [`${prefix}-backend-protocol`]: 'tcp',
    [`${prefix}-healthcheck-protocol`]: 'http',
    [`${prefix}-healthcheck-port`]: String(ADMIN_PORT),
    [`${prefix}-healthcheck-path`]: READINESS_PATH,
    [`${prefix}-healthcheck-interval`]: '10',
    [`${prefix}-healthcheck-healthy-threshold`]: '2',
    [`${prefix}-healthcheck-unhealthy-threshold`]: '2',
    // Its own small subnets, whose CIDRs are all the pods' ingress policy admits.
    ...(lb.subnets ? { [`${prefix}-subnets`]: lb.subnets.join(',') } : {}),
    [EXTERNAL_DNS_HOSTNAME_ANNOTATION]: lb.hostname,
  };
}

/**
 * How a scoring-api pod leaves the NLB without resetting connections. On termination the controller
 * deregisters the target; the NLB keeps existing flows for the deregistration delay (set explicitly:
 * the target-group default is 300 s) and needs some seconds more before it stops sending new ones. The
 * pod keeps serving through a `preStop` sleep longer than that delay, and only then gets SIGTERM; the
 * grace period covers the sleep plus the server's own shutdown.
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#deregistration-delay
 */
export const SCORING_API_DRAIN = {
  deregistrationDelaySeconds: 30,
  preStopSleepSeconds: 45,
  terminationGracePeriodSeconds: 75,
} as const;

/** Requests and limits of one scoring-api pod; the capacity model sizes nodes from these. */
export const SCORING_API_RESOURCES: ContainerResources = {
  cpuRequestMillis: 1000,
  cpuLimitMillis: 2000,
  memoryRequestMebibytes: 1024,
  memoryLimitMebibytes: 1024,
};

/** Target average CPU utilization of the `cpu` trigger (% of request). */
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
  /** Datadog unified service tags of the workload (see ./datadog-tagging.ts). */
  readonly datadog: UnifiedServiceTags;
  /** The Datadog query of the API's request rate (requests/s across the region's pods). */
  readonly requestRateQuery: string;
  /** The request rate one pod should carry: the AverageValue target. */
  readonly targetRpsPerPod: number;
  /** Autoscaler annotations for the DR runbook. */
  readonly autoscalerAnnotations: Readonly<Record<string, string>>;
  /** How the Service is published: NLB, certificate and regional DNS name. */
  readonly loadBalancer: ScoringApiLoadBalancer;
  /** The launch windows' `cron` triggers (./keda.ts cronTriggers). @default - none */
  readonly cronTriggers?: readonly ScaledObjectTrigger[];
}

/**
 * The synchronous scoring API: workload, a LoadBalancer Service and a KEDA ScaledObject on CPU and on
 * the request rate.
 *
 * Service: one object, type LoadBalancer, named `scoring-api` (the former ClusterIP Service, changed
 * in place). The NLB listens on 443 (TLS, ACM) and forwards to the pods' `http` port 8080; the
 * Service keeps its cluster IP, so an in-cluster caller (none today) can still use
 * `scoring-api.<ns>.svc:443`, plaintext to the pods. A second ClusterIP Service on 8080 would only
 * be a second path to keep in sync with the network policy. See docs/ARCHITECTURE.md "Ingress path".
 *
 * Autoscaling: KEDA is the cluster's one external metrics provider (docs/ARCHITECTURE.md "One
 * external metrics provider"), so the API scales through a ScaledObject, never a hand-written HPA:
 * - a `cpu` trigger (Utilization, {@link SCORING_API_CPU_TARGET_PERCENT}% of the request);
 * - a `datadog` trigger reading the `DatadogMetric` `<name>-rps` through the Datadog cluster agent
 *   (`useClusterAgentProxy`), with the per-pod rate as its AverageValue target, authenticated by
 *   {@link ClusterAgentMetricsReader}'s token.
 * KEDA creates the autoscaling/v2 HPA, named `scoring-api` (`horizontalPodAutoscalerConfig.name`),
 * with the launch-day {@link SCORING_API_BEHAVIOR}; it takes the larger of the two recommendations.
 */
export class ScoringApi extends Construct {
  public readonly workload: ScoringWorkload;
  public readonly service: kplus.Service;
  public readonly requestRate: DatadogMetric;
  public readonly metricsReader: ClusterAgentMetricsReader;
  public readonly triggerAuthentication: TriggerAuthentication;
  public readonly scaledObject: ScaledObject;

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
      datadog: props.datadog,
      ports: [{ number: SCORING_API_PORT, name: 'http', protocol: kplus.Protocol.TCP }],
    });

    // preStop `sleep` is a kubelet action: no sleep binary needed in the image (PodLifecycleSleepAction,
    // on by default since Kubernetes 1.30). cdk8s-plus-28's Kubernetes 1.28 types drop it, even from a
    // JsonPatch (KubeDeployment.toJson re-maps known fields), so it is added after that mapping.
    afterSynth(ApiObject.of(this.workload.deployment), (json) => {
      const pod = (json.spec as { template: { spec: Record<string, unknown> } }).template.spec;
      const [container] = pod.containers as Record<string, unknown>[];
      container.lifecycle = { preStop: { sleep: { seconds: SCORING_API_DRAIN.preStopSleepSeconds } } };
      pod.terminationGracePeriodSeconds = SCORING_API_DRAIN.terminationGracePeriodSeconds;
    });

    this.service = new kplus.Service(this, 'Service', {
      metadata: {
        name: SCORING_API,
        namespace: props.namespace,
        annotations: scoringApiServiceAnnotations(props.loadBalancer),
      },
      type: kplus.ServiceType.LOAD_BALANCER,
      ports: [
        {
          name: 'https',
          port: SCORING_API_TLS_PORT,
          targetPort: SCORING_API_PORT,
          protocol: kplus.Protocol.TCP,
        },
      ],
    });
    // The NLB's security group admits these client CIDRs (the L2 does not model the field).
    ApiObject.of(this.service).addJsonPatch(
      JsonPatch.add('/spec/loadBalancerSourceRanges', [
        ...(props.loadBalancer.sourceRanges ?? SCORING_API_LOAD_BALANCER_DEFAULTS.sourceRanges),
      ]),
    );

    // Select by the workload's selector labels (not the construct-path label cdk8s-plus would use).
    for (const [k, v] of Object.entries(selectorLabels(SCORING_API))) this.service.selectLabel(k, v);

    this.requestRate = new DatadogMetric(this, 'RequestRate', {
      name: `${SCORING_API}-rps`,
      namespace: props.namespace,
      query: props.requestRateQuery,
    });
    this.metricsReader = new ClusterAgentMetricsReader(this, 'MetricsReader', {
      name: `${SCORING_API}-metrics-reader`,
      namespace: props.namespace,
    });
    this.triggerAuthentication = new TriggerAuthentication(this, 'TriggerAuthentication', {
      metadata: { name: `${SCORING_API}-datadog`, namespace: props.namespace },
      spec: this.metricsReader.authentication,
    });

    this.scaledObject = new ScaledObject(this, 'ScaledObject', {
      metadata: {
        name: SCORING_API,
        namespace: props.namespace,
        annotations: {
          ...props.autoscalerAnnotations,
          // Adopt the HPA named scoring-api that an earlier release declared, instead of refusing it.
          [KEDA_TRANSFER_HPA_OWNERSHIP_ANNOTATION]: 'true',
        },
      },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: SCORING_API },
        pollingInterval: KEDA_POLLING_INTERVAL_SECONDS,
        cooldownPeriod: 300,
        minReplicaCount: props.bounds.minReplicas,
        maxReplicaCount: props.bounds.maxReplicas,
        fallback: scoringApiFallback(props.bounds),
        advanced: {
          horizontalPodAutoscalerConfig: {
            // The HPA KEDA creates keeps the name operators and dashboards know.
            name: SCORING_API,
            behavior: {
              scaleUp: {
                ...SCORING_API_BEHAVIOR.scaleUp,
                policies: [...SCORING_API_BEHAVIOR.scaleUp.policies],
              },
              scaleDown: {
                ...SCORING_API_BEHAVIOR.scaleDown,
                policies: [...SCORING_API_BEHAVIOR.scaleDown.policies],
              },
            },
          },
        },
        triggers: [
          {
            type: 'cpu',
            metricType: 'Utilization',
            metadata: { value: String(SCORING_API_CPU_TARGET_PERCENT) },
          },
          {
            type: 'datadog',
            metricType: 'AverageValue',
            metadata: {
              useClusterAgentProxy: 'true',
              datadogMetricName: this.requestRate.metricName,
              datadogMetricNamespace: this.requestRate.metricNamespace,
              targetValue: quantity(props.targetRpsPerPod),
              // A 422 from the cluster agent (metric not yet resolved) reads as no load, not an error
              // (KEDA >= 2.19, kedacore/keda#7246).
              metricUnavailableValue: '0',
            },
            authenticationRef: { name: `${SCORING_API}-datadog` },
          },
          ...(props.cronTriggers ?? []),
        ],
      },
    });
  }
}

/**
 * The fallback of the scoring API's ScaledObject: after {@link SCORING_API_FALLBACK_FAILURES} failed
 * reads of the datadog trigger, KEDA reports the metric as `replicas x target` (behavior `static`), so
 * the HPA keeps a valid metric (it does not scale down while a metric is missing) and the `cpu` trigger
 * still scales up. Replicas: this region's minimum. KEDA accepts a fallback when at least one trigger
 * is neither cpu nor memory (CheckFallbackValid, apis/keda/v1alpha1/scaledobject_types.go at v2.20.2).
 * Covers an expired bound token (kedacore/keda#8112, fixed in 2.21 only).
 */
export function scoringApiFallback(bounds: Bounds): { failureThreshold: number; replicas: number } {
  return { failureThreshold: SCORING_API_FALLBACK_FAILURES, replicas: bounds.minReplicas };
}
/** Consecutive failed reads before the fallback applies (x the 15 s polling interval: 45 s). */
export const SCORING_API_FALLBACK_FAILURES = 3;

/** Edits an object's manifest after cdk8s has rendered it (for fields its typed L1 does not know). */
function afterSynth(api: ApiObject, edit: (json: Record<string, unknown>) => void): void {
  const render = api.toJson.bind(api);
  api.toJson = () => {
    const json = render() as Record<string, unknown>;
    edit(json);
    return json;
  };
}

/** A scaler target for a rate: whole numbers as is, fractions with at most three decimals. */
export function quantity(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
}
