import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-28';
import { autodiscoveryAnnotations, DATADOG_DOGSTATSD_PORT, DATADOG_TAG_LABELS } from './datadog-tagging';
import { WorkloadDisruptionBudget } from './disruption-budget';
import { AUTOSCALING_NONE, LABELS, selectorLabels } from './labels';
import {
  containerResources,
  hardenedPodPatches,
  RESTRICTED_CONTAINER_SECURITY,
  RESTRICTED_POD_SECURITY,
  SAFE_TO_EVICT_LOCAL_VOLUMES_ANNOTATION,
} from './scoring-workload';
import { InvalidArgumentError } from '../stacks/errors';
import { bundleHeartbeatWriter } from '../tools/heartbeat/bundle';
import { HEARTBEAT_ITEM_ATTRIBUTES, REPLICATION_HEARTBEAT_WORKLOAD } from '../stacks/naming';

/** The platform's replication heartbeat writer: Deployment, ServiceAccount and PDB name. */
export const REPLICATION_HEARTBEAT = REPLICATION_HEARTBEAT_WORKLOAD;

/**
 * The Node.js image the writer runs when the props name none: Docker's official `node` image as ECR
 * Public mirrors it (`docker/library`, the same digests as Docker Hub), Node 22 on Debian bookworm-slim
 * (`/bin/sh` is dash, GNU coreutils: what the probes use), pinned by tag and digest. The digest is the
 * one public Dockerfiles pin for `node:22.23.3-bookworm-slim` (and for `node:22-bookworm-slim` at that
 * release); refresh both together with `docker buildx imagetools inspect <tag>`.
 * @see https://gallery.ecr.aws/docker/library/node
 */
export const REPLICATION_HEARTBEAT_DEFAULT_IMAGE =
  'public.ecr.aws/docker/library/node:22.23.3-bookworm-slim@sha256:43ac6c60b8f89723f746e8a92ce91abd5017e627ce1ddfe4238355d3a30b772c';

/** The liveness bound: a last successful put older than this restarts the container. */
export const HEARTBEAT_LIVENESS_MAX_AGE_SECONDS = 30;
/** The readiness bound: three missed beats make the pod unready (visible in `kubectl get`, `dr status`). */
export const HEARTBEAT_READINESS_MAX_AGE_SECONDS = 15;

/** Where the writer writes the `writtenAt` of each successful put (an emptyDir: the root filesystem is read-only). */
export const HEARTBEAT_STAMP_FILE = '/tmp/heartbeat/last-put';
/** Where the writer's ConfigMap is mounted (read-only). */
export const HEARTBEAT_WRITER_DIR = '/opt/heartbeat';
/** The bundled writer's key in its ConfigMap, and its file name in {@link HEARTBEAT_WRITER_DIR}. */
export const HEARTBEAT_WRITER_FILE = 'writer.js';
/** The writer's ConfigMap: the bundle of tools/heartbeat/entry.ts. */
export const HEARTBEAT_WRITER_CONFIGMAP = `${REPLICATION_HEARTBEAT_WORKLOAD}-writer`;
/** The pod-template annotation carrying the bundle's SHA-256, so a new bundle rolls the Deployment. */
export const HEARTBEAT_WRITER_SHA_ANNOTATION = 'risk-platform/writer-sha256';

/** The item attributes the writer sets; its IAM policy allows exactly these (`dynamodb:Attributes`). */
export const HEARTBEAT_ATTRIBUTES = HEARTBEAT_ITEM_ATTRIBUTES;

/**
 * CPU the writer takes, measured on the bundle (`node writer.js`, Node 20, against dynalite on
 * 127.0.0.1, 30 beats at 1 s): 190 ms to start (load the 340 kB bundle, build the client), then
 * 8.7 ms a second in steady state (one GetItem and one UpdateItem: SigV4 signing, JSON, the HTTP
 * client). The former CLI loop took 0.8-1.1 s of CPU per call, two calls a beat (issue 15).
 * Against AWS the connections are TLS, kept alive: a handshake (a few ms) only when one is reopened.
 */
export const HEARTBEAT_WRITER_CPU = { startupMs: 190, beatMs: 9 } as const;

/**
 * Seconds of wall time one beat takes at `cpuLimitMillis`, counting only CPU (the beat's CPU spread
 * at the limit's share of a core; a single-threaded process gains nothing above one core), a
 * conservative model: CFS throttles per 100 ms period, and 9 ms fits in one period's quota above 90m.
 */
export function heartbeatBeatSeconds(
  cpuLimitMillis: number,
  beatCpuMs: number = HEARTBEAT_WRITER_CPU.beatMs,
): number {
  if (!(cpuLimitMillis > 0)) {
    throw new InvalidArgumentError(
      `'cpuLimitMillis' (${cpuLimitMillis}) must be a positive number of millicores`,
    );
  }
  return beatCpuMs / 1000 / Math.min(1, cpuLimitMillis / 1000);
}

/**
 * Requests and limits of the writer. The request covers the steady use (about 9m, plus the exec probes:
 * a `sh` + `stat` every 5-10 s) with room for garbage collection; the limit lets a beat run unthrottled
 * (20 ms of quota per 100 ms period against a 9 ms beat) and the start finish in about a second
 * (190 ms of CPU). Memory: 54-57 MiB resident measured; the heap is capped at 64 MiB
 * (`--max-old-space-size`) so V8 collects well before the 128 MiB limit.
 */
export const REPLICATION_HEARTBEAT_RESOURCES = {
  cpuRequestMillis: 50,
  cpuLimitMillis: 200,
  memoryRequestMebibytes: 96,
  memoryLimitMebibytes: 128,
} as const;

/** The V8 heap cap of the writer, MiB (`NODE_OPTIONS`), below the container's memory limit. */
export const HEARTBEAT_WRITER_HEAP_MEBIBYTES = 64;

/**
 * The probe command: succeeds when the stamp file exists and was written less than `maxAgeSeconds`
 * ago (mtime by GNU `stat -c %Y`). `sh`, not `node -e`: the image's dash and coreutils (Debian marks
 * coreutils essential, so every bookworm-slim image has them) cost about 2 ms of CPU a probe, a Node
 * start about 40 ms, and probes share the writer's CPU limit.
 */
export function stampFresherThan(maxAgeSeconds: number): string[] {
  return [
    '/bin/sh',
    '-c',
    `f=${HEARTBEAT_STAMP_FILE}; [ -f "$f" ] && [ $(( $(date +%s) - $(stat -c %Y "$f") )) -lt ${maxAgeSeconds} ]`,
  ];
}

export interface ReplicationHeartbeatProps {
  readonly namespace: string;
  /** The Node.js 22 image the bundled writer runs in (pinned; see {@link REPLICATION_HEARTBEAT_DEFAULT_IMAGE}). */
  readonly image: string;
  /** The region the cluster runs in: the heartbeat's key and the replica it writes to. */
  readonly region: string;
  /** The control table's name (the same in every region: a global table). */
  readonly controlTable: string;
  /**
   * How often to write, in whole seconds (the environment's `heartbeatIntervalSeconds(dr.rpoSeconds)`,
   * stacks/capacity.ts): 1 to 5.
   */
  readonly intervalSeconds: number;
  /** The environment's other region: whose heartbeat this writer observes (inbound replication lag). */
  readonly peerRegion: string;
  /**
   * Pod template labels beyond the selector labels (environment, region, Datadog tags). Must carry
   * `tags.datadoghq.com/env`: the writer tags its metrics with it (`DD_ENV`, read from the label).
   */
  readonly podLabels: Readonly<Record<string, string>>;
}

/**
 * The platform-owned replication heartbeat writer of one region: its own ServiceAccount (bound to the
 * `<env>-risk-replication-heartbeat` role by EKS Pod Identity), a ConfigMap holding the bundled writer
 * (tools/heartbeat: one long-running Node.js process, one SDK client with kept-alive connections, see
 * `HeartbeatLoop`), a one-replica Deployment running it with `node` in the Node.js image, and a PDB.
 *
 * One replica, no autoscaler (labelled `risk-platform/autoscaling: none`): the heartbeat is evidence of
 * freshness, and a missed beat only makes it look older, so a gap (a rollout, a drain, a restart)
 * can only make a failover preflight more cautious, never let a stale replica pass. Two writers would
 * be harmless (last write wins) but buy nothing. The runbook does not scale it: it runs at full size
 * in both regions all the time, so the standby region's heartbeat is measured too.
 */
export class ReplicationHeartbeat extends Construct {
  public readonly deployment: kplus.Deployment;
  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly writer: kplus.ConfigMap;
  public readonly disruptionBudget: WorkloadDisruptionBudget;

  constructor(scope: Construct, id: string, props: ReplicationHeartbeatProps) {
    super(scope, id);
    if (!Number.isInteger(props.intervalSeconds) || props.intervalSeconds < 1 || props.intervalSeconds > 5) {
      throw new InvalidArgumentError(
        `'replicationHeartbeat.intervalSeconds' (${String(props.intervalSeconds)}) must be a whole number of seconds from 1 to 5`,
      );
    }
    if (!props.peerRegion || props.peerRegion === props.region) {
      throw new InvalidArgumentError(
        `'replicationHeartbeat.peerRegion' (${JSON.stringify(props.peerRegion)}) must name the environment's other region (not ${props.region})`,
      );
    }
    if (!props.podLabels[DATADOG_TAG_LABELS.env]) {
      throw new InvalidArgumentError(
        `'replicationHeartbeat.podLabels' (${JSON.stringify(props.podLabels)}) must carry '${DATADOG_TAG_LABELS.env}': the writer tags its metrics with it`,
      );
    }
    const selector = selectorLabels(REPLICATION_HEARTBEAT);
    const bundle = bundleHeartbeatWriter();

    // It calls no Kubernetes API: no API token. EKS Pod Identity injects its own projected token.
    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: REPLICATION_HEARTBEAT, namespace: props.namespace },
      automountToken: false,
    });

    // The bundle (about 340 kB, under the 1 MiB a ConfigMap may hold). Pulumi's Kubernetes provider
    // applies server-side, so no last-applied annotation (256 kB at most) copies it.
    this.writer = new kplus.ConfigMap(this, 'Writer', {
      metadata: { name: HEARTBEAT_WRITER_CONFIGMAP, namespace: props.namespace },
      data: { [HEARTBEAT_WRITER_FILE]: bundle.code },
    });
    const tmp = kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp', { sizeLimit: Size.mebibytes(16) });
    const writer = kplus.Volume.fromConfigMap(this, 'WriterVolume', this.writer, { name: 'writer' });

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: REPLICATION_HEARTBEAT, namespace: props.namespace },
      replicas: 1,
      select: false,
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      securityContext: RESTRICTED_POD_SECURITY,
      // One replica: surge a new pod before the old one stops, so a rollout misses no beat.
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(1),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
      volumes: [tmp, writer],
      containers: [
        {
          name: REPLICATION_HEARTBEAT,
          image: props.image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          command: ['node', `${HEARTBEAT_WRITER_DIR}/${HEARTBEAT_WRITER_FILE}`],
          envVariables: {
            AWS_REGION: kplus.EnvValue.fromValue(props.region),
            CONTROL_TABLE_NAME: kplus.EnvValue.fromValue(props.controlTable),
            PEER_REGION: kplus.EnvValue.fromValue(props.peerRegion),
            HEARTBEAT_INTERVAL_SECONDS: kplus.EnvValue.fromValue(String(props.intervalSeconds)),
            HEARTBEAT_STAMP_FILE: kplus.EnvValue.fromValue(HEARTBEAT_STAMP_FILE),
            POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
            // Metrics to the node's agent (DogStatsD hostPort; the namespace's
            // allow-datadog-agent-egress policy admits it), tagged with the pod's env label.
            DD_AGENT_HOST: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_IP),
            DD_DOGSTATSD_PORT: kplus.EnvValue.fromValue(String(DATADOG_DOGSTATSD_PORT)),
            DD_ENV: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_LABEL, {
              key: DATADOG_TAG_LABELS.env,
            }),
            // The SDK's shared config files (absent) are looked up under HOME: the emptyDir.
            HOME: kplus.EnvValue.fromValue('/tmp'),
            // Credentials come from EKS Pod Identity only: never fall back to the node role via IMDS.
            AWS_EC2_METADATA_DISABLED: kplus.EnvValue.fromValue('true'),
            NODE_OPTIONS: kplus.EnvValue.fromValue(`--max-old-space-size=${HEARTBEAT_WRITER_HEAP_MEBIBYTES}`),
          },
          volumeMounts: [
            { path: '/tmp', volume: tmp },
            { path: HEARTBEAT_WRITER_DIR, volume: writer, readOnly: true },
          ],
          resources: containerResources(REPLICATION_HEARTBEAT_RESOURCES),
          securityContext: RESTRICTED_CONTAINER_SECURITY,
          // The first successful put within 60 s of start (image pull is before the probe clock).
          startup: kplus.Probe.fromCommand(stampFresherThan(HEARTBEAT_LIVENESS_MAX_AGE_SECONDS), {
            periodSeconds: Duration.seconds(5),
            failureThreshold: 12,
            timeoutSeconds: Duration.seconds(2),
          }),
          readiness: kplus.Probe.fromCommand(stampFresherThan(HEARTBEAT_READINESS_MAX_AGE_SECONDS), {
            periodSeconds: Duration.seconds(5),
            failureThreshold: 1,
            timeoutSeconds: Duration.seconds(2),
          }),
          liveness: kplus.Probe.fromCommand(stampFresherThan(HEARTBEAT_LIVENESS_MAX_AGE_SECONDS), {
            periodSeconds: Duration.seconds(10),
            failureThreshold: 1,
            timeoutSeconds: Duration.seconds(2),
          }),
        },
      ],
    });
    for (const [k, v] of Object.entries({ ...props.podLabels, ...selector }))
      this.deployment.podMetadata.addLabel(k, v);
    this.deployment.metadata.addLabel(LABELS.autoscaling, AUTOSCALING_NONE);
    // Its log (failed updates) to Datadog; it serves no /metrics (its metrics go by DogStatsD).
    for (const [k, v] of Object.entries(
      autodiscoveryAnnotations(REPLICATION_HEARTBEAT, REPLICATION_HEARTBEAT),
    ))
      this.deployment.podMetadata.addAnnotation(k, v);
    // Scratch only: Cluster Autoscaler may drain its node (see scoring-workload.ts).
    this.deployment.podMetadata.addAnnotation(SAFE_TO_EVICT_LOCAL_VOLUMES_ANNOTATION, tmp.name);
    // A new bundle changes the pod template, so the Deployment rolls (a mounted ConfigMap alone would
    // update the file under a running process that never reads it again).
    this.deployment.podMetadata.addAnnotation(HEARTBEAT_WRITER_SHA_ANNOTATION, bundle.sha256);
    this.deployment.select(kplus.LabelSelector.of({ labels: selector }));

    // As the scoring workloads (scoring-workload.ts): pod-level seccomp and zone/host spread. With one
    // replica the spread only matters during a surge; ScheduleAnyway keeps a zone outage from
    // blocking the replacement pod.
    const api = ApiObject.of(this.deployment);
    api.addJsonPatch(
      ...hardenedPodPatches(selector),
      JsonPatch.add('/spec/template/spec/terminationGracePeriodSeconds', 10),
    );

    // maxUnavailable 10%, rounded up to 1 at one replica: a drain always proceeds (deployment-pdb), and the gap is a
    // missed beat, which fails safe.
    this.disruptionBudget = new WorkloadDisruptionBudget(this, 'DisruptionBudget', {
      workload: REPLICATION_HEARTBEAT,
      namespace: props.namespace,
      minReplicas: 1,
    });
  }
}
