import { createHash } from 'node:crypto';
import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-28';
import {
  autodiscoveryAnnotations,
  datadogTracerEnv,
  UnifiedServiceTags,
  unifiedServiceLabels,
} from './datadog-tagging';
import { WorkloadDisruptionBudget } from './disruption-budget';
import { selectorLabels } from './labels';

/** UID and GID every container runs as (non-root, above the 10000 host-user range). */
export const RUN_AS_USER = 10001;

/** The port every workload serves health checks and `/metrics` on. */
export const ADMIN_PORT = 8081;

/** The readiness probe's path (admin port): the NLB's health check uses it too. */
export const READINESS_PATH = '/healthz/ready';

/**
 * The pod annotation naming the emptyDir volumes Cluster Autoscaler may discard when it removes a node.
 * Without it, `--skip-nodes-with-local-storage` (default true) keeps every node that runs a platform
 * pod. @see https://github.com/kubernetes/autoscaler/blob/cluster-autoscaler-1.35.0/cluster-autoscaler/FAQ.md
 */
export const SAFE_TO_EVICT_LOCAL_VOLUMES_ANNOTATION =
  'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes';

/** The pod-template annotation holding a hash of the ConfigMap data. */
export const CONFIG_HASH_ANNOTATION = 'risk-platform/config-hash';

/** A stable hash of ConfigMap data (keys sorted). */
export function configHash(data: Readonly<Record<string, string>>): string {
  const sorted = Object.keys(data)
    .sort()
    .map((k) => [k, data[k]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
}

/** CPU (millicores) and memory (MiB) requests and limits of one container. */
export interface ContainerResources {
  readonly cpuRequestMillis: number;
  readonly cpuLimitMillis: number;
  readonly memoryRequestMebibytes: number;
  readonly memoryLimitMebibytes: number;
}

export interface ScoringWorkloadProps {
  /** The workload name: Deployment, ServiceAccount, PDB and container name. */
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  readonly resources: ContainerResources;
  /** ConfigMap data, published to the container as environment variables. */
  readonly config: Readonly<Record<string, string>>;
  /** The autoscaler minimum in this region (sizes the disruption budget). */
  readonly minReplicas: number;
  /** Extra ports beyond the admin port, e.g. the scoring API's `http` 8080. */
  readonly ports?: readonly kplus.ContainerPort[];
  /** Pod template labels beyond the selector labels (environment, region, Datadog tags). */
  readonly podLabels: Readonly<Record<string, string>>;
  /**
   * Datadog unified service tags: set as `tags.datadoghq.com/*` labels on the Deployment and its pods,
   * and handed to the tracer (`DD_ENV`, `DD_SERVICE`, `DD_VERSION`) with the node agent's address.
   * @see ./datadog-tagging.ts
   */
  readonly datadog: UnifiedServiceTags;
  /**
   * How long the process may take to become live (model load, lease acquisition).
   *
   * @default Duration.seconds(120)
   */
  readonly startupBudget?: Duration;
}

/**
 * One scoring workload: its own ServiceAccount, ConfigMap, Deployment (restricted security
 * context, probes, requests/limits, zone spread) and PodDisruptionBudget. The autoscaler is added
 * by the caller (HPA or KEDA), so the Deployment carries no `replicas`.
 */
export class ScoringWorkload extends Construct {
  public readonly deployment: kplus.Deployment;
  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly configMap: kplus.ConfigMap;
  public readonly disruptionBudget: WorkloadDisruptionBudget;

  constructor(scope: Construct, id: string, props: ScoringWorkloadProps) {
    super(scope, id);
    const selector = selectorLabels(props.name);

    // No workload calls the Kubernetes API: no API token is mounted. EKS Pod Identity injects its
    // own projected token (audience pods.eks.amazonaws.com) regardless of this setting.
    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: props.name, namespace: props.namespace },
      automountToken: false,
    });

    this.configMap = new kplus.ConfigMap(this, 'Config', {
      metadata: { name: `${props.name}-config`, namespace: props.namespace },
      data: { ...props.config },
    });

    const tmp = kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp', { sizeLimit: Size.mebibytes(256) });
    const startupPeriod = 5;
    const startupBudget = (props.startupBudget ?? Duration.seconds(120)).toSeconds();

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: props.name, namespace: props.namespace },
      select: false,
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      securityContext: RESTRICTED_POD_SECURITY,
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.percent(25),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
      volumes: [tmp],
      containers: [
        {
          name: props.name,
          image: props.image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          ports: [
            ...(props.ports ?? []),
            { number: ADMIN_PORT, name: 'admin', protocol: kplus.Protocol.TCP },
          ],
          envFrom: [kplus.Env.fromConfigMap(this.configMap)],
          // Traces and DogStatsD to the node agent on this pod's node, tagged env/service/version.
          envVariables: datadogTracerEnv(),
          volumeMounts: [{ path: '/tmp', volume: tmp }],
          resources: containerResources(props.resources),
          securityContext: RESTRICTED_CONTAINER_SECURITY,
          startup: kplus.Probe.fromHttpGet('/healthz/startup', {
            port: ADMIN_PORT,
            periodSeconds: Duration.seconds(startupPeriod),
            failureThreshold: Math.ceil(startupBudget / startupPeriod),
            timeoutSeconds: Duration.seconds(2),
          }),
          readiness: kplus.Probe.fromHttpGet(READINESS_PATH, {
            port: ADMIN_PORT,
            periodSeconds: Duration.seconds(5),
            failureThreshold: 2,
            timeoutSeconds: Duration.seconds(1),
          }),
          liveness: kplus.Probe.fromHttpGet('/healthz/live', {
            port: ADMIN_PORT,
            periodSeconds: Duration.seconds(10),
            failureThreshold: 3,
            timeoutSeconds: Duration.seconds(2),
          }),
        },
      ],
    });
    const datadogLabels = unifiedServiceLabels(props.datadog);
    for (const [k, v] of Object.entries({ ...props.podLabels, ...datadogLabels, ...selector }))
      this.deployment.podMetadata.addLabel(k, v);
    for (const [k, v] of Object.entries(datadogLabels)) this.deployment.metadata.addLabel(k, v);
    // envFrom is read at container start: a config change (e.g. a new model version) must roll the pods.
    this.deployment.podMetadata.addAnnotation(CONFIG_HASH_ANNOTATION, configHash(props.config));
    // /tmp is scratch: Cluster Autoscaler may drain the node (it skips nodes with local storage otherwise).
    this.deployment.podMetadata.addAnnotation(SAFE_TO_EVICT_LOCAL_VOLUMES_ANNOTATION, tmp.name);
    // Logs and the admin port's /metrics to Datadog (docs/ARCHITECTURE.md: pod logs go to Datadog).
    for (const [k, v] of Object.entries(
      autodiscoveryAnnotations(props.name, props.datadog.service, ADMIN_PORT),
    ))
      this.deployment.podMetadata.addAnnotation(k, v);
    this.deployment.select(kplus.LabelSelector.of({ labels: selector }));

    // Escape hatches for what the L2 does not model:
    // - no `replicas`: the autoscaler owns the count, and a re-apply must not reset it;
    // - pod-level seccomp RuntimeDefault (restricted Pod Security), on top of the container's;
    // - zone spread. ScheduleAnyway, not DoNotSchedule: with maxSkew 1 over three zones,
    //   DoNotSchedule leaves new pods Pending whenever one zone is impaired or out of capacity,
    //   which is exactly when the launch-day spike or a failover needs them; the scheduler still
    //   prefers the least-loaded zone, and the PDB and three-zone node groups keep the spread.
    const api = ApiObject.of(this.deployment);
    api.addJsonPatch(
      JsonPatch.remove('/spec/replicas'),
      // cdk8s-plus labels pods with their construct path; the selector does not use it.
      ...hardenedPodPatches(selector),
    );

    this.disruptionBudget = new WorkloadDisruptionBudget(this, 'DisruptionBudget', {
      workload: props.name,
      namespace: props.namespace,
      minReplicas: props.minReplicas,
    });
  }
}

/**
 * The pod-template patches every platform Deployment gets: drop cdk8s-plus's construct-path pod label
 * (the selector does not use it), pod-level seccomp RuntimeDefault (restricted Pod Security, on top of
 * the container's), and spread over zones and hosts with ScheduleAnyway (see {@link ScoringWorkload}).
 */
export function hardenedPodPatches(selector: Readonly<Record<string, string>>): JsonPatch[] {
  const spread = (topologyKey: string) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: { ...selector } },
    matchLabelKeys: ['pod-template-hash'],
  });
  return [
    JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'),
    JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
    JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
      spread('topology.kubernetes.io/zone'),
      spread('kubernetes.io/hostname'),
    ]),
  ];
}

/**
 * The restricted container security context of every platform container: non-root with a fixed UID,
 * read-only root filesystem, no privilege or escalation, all capabilities dropped, seccomp RuntimeDefault.
 */
export const RESTRICTED_CONTAINER_SECURITY: kplus.ContainerSecurityContextProps = {
  ensureNonRoot: true,
  user: RUN_AS_USER,
  group: RUN_AS_USER,
  privileged: false,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: [kplus.Capability.ALL] },
  seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
};

/** The restricted pod security context of every platform pod: non-root, fixed UID/GID, volumes owned by it. */
export const RESTRICTED_POD_SECURITY: kplus.PodSecurityContextProps = {
  ensureNonRoot: true,
  user: RUN_AS_USER,
  group: RUN_AS_USER,
  fsGroup: RUN_AS_USER,
};

/** Requests and limits in cdk8s-plus form. */
export function containerResources(r: ContainerResources): kplus.ContainerResources {
  return {
    cpu: { request: kplus.Cpu.millis(r.cpuRequestMillis), limit: kplus.Cpu.millis(r.cpuLimitMillis) },
    memory: {
      request: Size.mebibytes(r.memoryRequestMebibytes),
      limit: Size.mebibytes(r.memoryLimitMebibytes),
    },
  };
}
