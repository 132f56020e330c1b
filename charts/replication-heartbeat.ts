import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-28';
import { autodiscoveryAnnotations } from './datadog-tagging';
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
import { HEARTBEAT_ITEM_ATTRIBUTES, REPLICATION_HEARTBEAT_WORKLOAD } from '../stacks/naming';

/** The platform's replication heartbeat writer: Deployment, ServiceAccount and PDB name. */
export const REPLICATION_HEARTBEAT = REPLICATION_HEARTBEAT_WORKLOAD;

/**
 * The AWS CLI v2 image the writer runs when the props name none: ECR Public's official image
 * (Amazon Linux 2, `/bin/sh` is bash, GNU coreutils), pinned by tag and digest.
 * @see https://gallery.ecr.aws/aws-cli/aws-cli
 */
export const REPLICATION_HEARTBEAT_DEFAULT_IMAGE =
  'public.ecr.aws/aws-cli/aws-cli:2.31.23@sha256:668ffb01408e03e1002b36886797c1a97b09f7d0f02fba3123f9fcd68a081dc5';

/** The liveness bound: a last successful put older than this restarts the container. */
export const HEARTBEAT_LIVENESS_MAX_AGE_SECONDS = 30;
/** The readiness bound: three missed beats make the pod unready (visible in `kubectl get`, `dr status`). */
export const HEARTBEAT_READINESS_MAX_AGE_SECONDS = 15;

/** Where the loop touches a file after each successful put (an emptyDir: the root filesystem is read-only). */
export const HEARTBEAT_STAMP_FILE = '/tmp/heartbeat/last-put';
/** `HOME` of the container (an emptyDir): the AWS CLI's config and caches live under it. */
export const HEARTBEAT_HOME = '/home/heartbeat';

/** The item attributes the writer sets; its IAM policy allows exactly these (`dynamodb:Attributes`). */
export const HEARTBEAT_ATTRIBUTES = HEARTBEAT_ITEM_ATTRIBUTES;

/**
 * CPU seconds one `aws` CLI v2 process takes to start and make one call (its bundled Python interpreter
 * and botocore load dominate): 0.8-1.1 s measured (issue 15); the upper end.
 */
export const AWS_CLI_CALL_CPU_SECONDS = 1.1;

/**
 * The longest gap between two heartbeat writes: two sequential `aws` calls, each running at most at
 * the CPU limit (a single-threaded process gains nothing above one core), then the sleep.
 */
export function heartbeatBeatSeconds(cpuLimitMillis: number, intervalSeconds: number): number {
  const speed = Math.min(1, cpuLimitMillis / 1000);
  return (2 * AWS_CLI_CALL_CPU_SECONDS) / speed + intervalSeconds;
}

/**
 * Requests and limits of the writer: two `aws` processes per beat. At the former 250m limit each call
 * took about 4 s of wall time (8-9 s a beat against a 1 s interval and a 5 s RPO: preflight saw a
 * healthy region as stale); at one core a beat is about 3.2 s (prod). The request covers the average
 * use (2.2 CPU-s per ~3.2 s beat). A long-running SDK writer would meet the 1 s interval at a fraction
 * of this CPU: see docs/ARCHITECTURE.md (left to an image change).
 */
export const REPLICATION_HEARTBEAT_RESOURCES = {
  cpuRequestMillis: 700,
  cpuLimitMillis: 1000,
  memoryRequestMebibytes: 128,
  memoryLimitMebibytes: 192,
} as const;

/**
 * The writer's loop, POSIX `sh` (the image's `/bin/sh`). Every `HEARTBEAT_INTERVAL_SECONDS` (derived
 * from the RPO, see stacks/capacity.ts `heartbeatIntervalSeconds`):
 * 1. Inbound: one `get-item` of the OTHER region's heartbeat (`heartbeat#$PEER_REGION`) from its own
 *    region's replica, projecting `writtenAt`. When that `writtenAt` advanced since the last loop, the
 *    other region is alive and replicating: the lag it shows (`now - writtenAt`, i.e. replication lag
 *    plus at most one interval of this loop) becomes `inboundLagMs`, and `inboundWrittenAt` that
 *    `writtenAt`. When it did not advance (or cannot be read), both are left as they are: once the other
 *    region goes silent they keep the last lag observed while it was alive, and `inboundWrittenAt`
 *    says since when it is silent. The first loop after a start only remembers the value (it cannot
 *    know whether it advanced).
 * 2. Own: one `update-item` of `{pk: heartbeat#<region>, sk: heartbeat}` in its own replica, setting
 *    `writtenAt` (epoch ms) and `writer` (pod), plus the inbound pair when it was just observed. An
 *    update, not a put, so a restarted writer does not erase the inbound evidence of a silent region.
 * Every call is bounded (2 s connect, 3 s read, 2 attempts). A successful update touches the stamp
 * file that the probes read; a failed one is logged and retried at the next beat and never touches
 * the stamp, so a writer that cannot write goes unready, then is restarted. SIGTERM ends the loop.
 */
export const HEARTBEAT_SCRIPT = [
  'set -u',
  'trap \'echo "replication-heartbeat: stopping"; exit 0\' TERM INT',
  'mkdir -p "$(dirname "$HEARTBEAT_STAMP_FILE")" "$(dirname "$AWS_CONFIG_FILE")"',
  ': > "$AWS_CONFIG_FILE"',
  'echo "replication-heartbeat: heartbeat#$AWS_REGION into $CONTROL_TABLE_NAME ($AWS_REGION) every ${HEARTBEAT_INTERVAL_SECONDS}s as $POD_NAME, observing heartbeat#$PEER_REGION"',
  'key=$(printf \'{"pk":{"S":"heartbeat#%s"},"sk":{"S":"heartbeat"}}\' "$AWS_REGION")',
  'peer_key=$(printf \'{"pk":{"S":"heartbeat#%s"},"sk":{"S":"heartbeat"}}\' "$PEER_REGION")',
  'last_seen=',
  'while :; do',
  // The other region's heartbeat as replicated here; "None" (no item) or an error reads as nothing.
  '  seen=$(aws dynamodb get-item --region "$AWS_REGION" --table-name "$CONTROL_TABLE_NAME" --key "$peer_key" \\',
  "      --projection-expression writtenAt --query 'Item.writtenAt.N' --output text \\",
  '      --cli-connect-timeout 2 --cli-read-timeout 3) || seen=',
  '  case "$seen" in \'\'|*[!0-9]*) seen=;; esac',
  // GNU date (the image's) gives milliseconds; any other date falls back to whole seconds.
  '  now=$(date +%s%3N)',
  '  case "$now" in *[!0-9]*) now=$(( $(date +%s) * 1000 ));; esac',
  '  set_expr="SET writtenAt = :w, writer = :p"',
  '  values=$(printf \'{":w":{"N":"%s"},":p":{"S":"%s"}}\' "$now" "$POD_NAME")',
  '  if [ -n "$seen" ] && [ -n "$last_seen" ] && [ "$seen" -gt "$last_seen" ]; then',
  '    lag=$(( now - seen ))',
  '    [ "$lag" -lt 0 ] && lag=0',
  '    set_expr="$set_expr, inboundLagMs = :l, inboundWrittenAt = :a"',
  '    values=$(printf \'{":w":{"N":"%s"},":p":{"S":"%s"},":l":{"N":"%s"},":a":{"N":"%s"}}\' "$now" "$POD_NAME" "$lag" "$seen")',
  '  fi',
  '  [ -n "$seen" ] && last_seen=$seen',
  '  if aws dynamodb update-item --region "$AWS_REGION" --table-name "$CONTROL_TABLE_NAME" --key "$key" \\',
  '      --update-expression "$set_expr" --expression-attribute-values "$values" \\',
  '      --cli-connect-timeout 2 --cli-read-timeout 3; then',
  '    touch "$HEARTBEAT_STAMP_FILE"',
  '  else',
  '    echo "replication-heartbeat: update-item failed (exit $?); retrying in ${HEARTBEAT_INTERVAL_SECONDS}s" >&2',
  '  fi',
  '  sleep "$HEARTBEAT_INTERVAL_SECONDS" & wait $!',
  'done',
].join('\n');

/**
 * The probe command: succeeds when the stamp file exists and was touched less than `maxAgeSeconds`
 * ago (mtime by GNU `stat -c %Y`, the image's coreutils).
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
  /** The AWS CLI v2 image (pinned). */
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
  /** Pod template labels beyond the selector labels (environment, region, Datadog tags). */
  readonly podLabels: Readonly<Record<string, string>>;
}

/**
 * The platform-owned replication heartbeat writer of one region: its own ServiceAccount (bound to the
 * `<env>-risk-replication-heartbeat` role by EKS Pod Identity), a one-replica Deployment running
 * {@link HEARTBEAT_SCRIPT} in the AWS CLI image, and a PDB.
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
    const selector = selectorLabels(REPLICATION_HEARTBEAT);

    // It calls no Kubernetes API: no API token. EKS Pod Identity injects its own projected token.
    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: REPLICATION_HEARTBEAT, namespace: props.namespace },
      automountToken: false,
    });

    const tmp = kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp', { sizeLimit: Size.mebibytes(16) });
    const home = kplus.Volume.fromEmptyDir(this, 'Home', 'home', { sizeLimit: Size.mebibytes(16) });

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
      volumes: [tmp, home],
      containers: [
        {
          name: REPLICATION_HEARTBEAT,
          image: props.image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          command: ['/bin/sh', '-c', HEARTBEAT_SCRIPT],
          envVariables: {
            AWS_REGION: kplus.EnvValue.fromValue(props.region),
            CONTROL_TABLE_NAME: kplus.EnvValue.fromValue(props.controlTable),
            PEER_REGION: kplus.EnvValue.fromValue(props.peerRegion),
            HEARTBEAT_INTERVAL_SECONDS: kplus.EnvValue.fromValue(String(props.intervalSeconds)),
            HEARTBEAT_STAMP_FILE: kplus.EnvValue.fromValue(HEARTBEAT_STAMP_FILE),
            POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
            HOME: kplus.EnvValue.fromValue(HEARTBEAT_HOME),
            AWS_CONFIG_FILE: kplus.EnvValue.fromValue(`${HEARTBEAT_HOME}/.aws/config`),
            AWS_PAGER: kplus.EnvValue.fromValue(''),
            AWS_RETRY_MODE: kplus.EnvValue.fromValue('standard'),
            AWS_MAX_ATTEMPTS: kplus.EnvValue.fromValue('2'),
          },
          volumeMounts: [
            { path: '/tmp', volume: tmp },
            { path: HEARTBEAT_HOME, volume: home },
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
    // Its log (failed updates) to Datadog; it serves no /metrics.
    for (const [k, v] of Object.entries(
      autodiscoveryAnnotations(REPLICATION_HEARTBEAT, REPLICATION_HEARTBEAT),
    ))
      this.deployment.podMetadata.addAnnotation(k, v);
    // Scratch only: Cluster Autoscaler may drain its node (see scoring-workload.ts).
    this.deployment.podMetadata.addAnnotation(
      SAFE_TO_EVICT_LOCAL_VOLUMES_ANNOTATION,
      `${tmp.name},${home.name}`,
    );
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
