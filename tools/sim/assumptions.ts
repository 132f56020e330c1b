/**
 * Timings the plan does not carry: each is a documented default with its source, or an assumption
 * (marked so) where no source publishes a figure. The CLI prints them with every report.
 */
export interface Assumptions {
  /**
   * cluster-autoscaler `--scan-interval`.
   * @default 10 @see https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/FAQ.md
   */
  readonly clusterAutoscalerScanSeconds: number;
  /**
   * EC2 launch to a Ready node (boot, nodeadm join, VPC CNI ready). ASSUMPTION: AWS publishes no
   * figure; managed node groups on AL2023 commonly take 60-120 s.
   * @default 90
   */
  readonly nodeLaunchToReadySeconds: number;
  /** Image pull on a node that has not run the workload yet (ECR, same region). ASSUMPTION. @default 20 */
  readonly imagePullSeconds: number;
  /** Container start and application start-up (model load) until the startup probe passes. ASSUMPTION. @default 15 */
  readonly podStartSeconds: number;
  /**
   * metrics-server `--metric-resolution` (CPU samples the HPA sees).
   * @default 15 @see https://github.com/kubernetes-sigs/metrics-server/blob/master/docs/command-line-flags.txt
   */
  readonly metricsServerResolutionSeconds: number;
  /**
   * Datadog Cluster Agent external-metrics refresh period (`external_metrics_provider.refresh_period`).
   * @default 30 @see https://docs.datadoghq.com/containers/guide/cluster_agent_autoscaling_metrics/
   */
  readonly datadogRefreshSeconds: number;
  /** Datadog intake delay of APM trace metrics before a query sees them. ASSUMPTION. @default 30 */
  readonly datadogDelaySeconds: number;
  /** CPU used at the load-tested per-pod throughput, percent of the request. ASSUMPTION. @default 100 */
  readonly cpuPercentAtPodThroughput: number;
  /** Messages one busy SQS consumer pod holds in flight (one ReceiveMessage batch, at most 10). ASSUMPTION. @default 10 */
  readonly sqsInFlightPerPod: number;
  /**
   * DynamoDB: CloudWatch alarm delay after the second breaching minute before Application Auto
   * Scaling acts ("a short delay of up to a few minutes").
   * @default 60 @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html
   */
  readonly dynamodbAlarmDelaySeconds: number;
  /** DynamoDB UpdateTable until the new provisioned throughput applies ("several minutes"). @default 120 */
  readonly dynamodbUpdateSeconds: number;
  /** The runbook's ARC routing-control update and safety-rule evaluation (fence and flip). ASSUMPTION. @default 5 */
  readonly arcUpdateSeconds: number;
  /**
   * A RECOVERY_CONTROL health check follows its routing control's state; the time until Route 53
   * answers with the new state. ASSUMPTION (ARC documents no figure). @default 10
   */
  readonly recoveryControlPropagationSeconds: number;
  /** How often the runbook's scale-up step polls readiness (tools/dr `pollMs`). @default 5 */
  readonly runbookPollSeconds: number;
  /**
   * A queue or stream consumer counts as short (above capacity) when its backlog would take longer
   * than this to drain at its current capacity, or when it falls further behind. ASSUMPTION. @default 30
   */
  readonly consumerLagToleranceSeconds: number;
  /**
   * Use DynamoDB burst capacity (up to 300 s of unused capacity). Off: AWS advises not to depend on
   * it (it may be spent on maintenance). @default false
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/burst-adaptive-capacity.html
   */
  readonly dynamodbBurstCapacity: boolean;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  clusterAutoscalerScanSeconds: 10,
  nodeLaunchToReadySeconds: 90,
  imagePullSeconds: 20,
  podStartSeconds: 15,
  metricsServerResolutionSeconds: 15,
  datadogRefreshSeconds: 30,
  datadogDelaySeconds: 30,
  cpuPercentAtPodThroughput: 100,
  sqsInFlightPerPod: 10,
  dynamodbAlarmDelaySeconds: 60,
  dynamodbUpdateSeconds: 120,
  arcUpdateSeconds: 5,
  recoveryControlPropagationSeconds: 10,
  runbookPollSeconds: 5,
  consumerLagToleranceSeconds: 30,
  dynamodbBurstCapacity: false,
};
