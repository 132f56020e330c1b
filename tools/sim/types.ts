/**
 * The simulator's view of a plan: only the deployed objects that shape capacity dynamics, read from
 * `resources.json` by ./plan-reader.ts. Nothing here is derived from config.
 */

/** One HPA scaling policy (`spec.behavior.scaleUp|scaleDown.policies[]`). */
export interface HpaPolicy {
  readonly type: 'Pods' | 'Percent';
  readonly value: number;
  readonly periodSeconds: number;
}

/** One direction of `spec.behavior` (HPA autoscaling/v2, also KEDA's `advanced.horizontalPodAutoscalerConfig.behavior`). */
export interface HpaRules {
  readonly stabilizationWindowSeconds: number;
  readonly selectPolicy: 'Max' | 'Min' | 'Disabled';
  readonly policies: readonly HpaPolicy[];
}

export interface HpaBehavior {
  readonly scaleUp: HpaRules;
  readonly scaleDown: HpaRules;
}

/** A scaling signal as the HPA sees it, after KEDA's scaler has turned the trigger into a metric. */
export type Trigger =
  /** Resource metric, `Utilization` of the CPU request, from metrics-server. */
  | { readonly type: 'cpu'; readonly utilizationPercent: number }
  /** Datadog query (a rate of the workload's demand), External metric. */
  | {
      readonly type: 'datadog';
      readonly metricType: 'AverageValue' | 'Value';
      readonly target: number;
      readonly activation: number;
    }
  /** SQS visible (+ in-flight) messages, External AverageValue `queueLength`. */
  | {
      readonly type: 'aws-sqs-queue';
      readonly queueLength: number;
      readonly activation: number;
      readonly scaleOnInFlight: boolean;
    }
  /** Open shard count of a Kinesis stream, External AverageValue `shardCount`. */
  | { readonly type: 'aws-kinesis-stream'; readonly shardCount: number; readonly activation: number }
  /** A CloudWatch metric of the demand (the stream's IncomingRecords), External metric. */
  | {
      readonly type: 'aws-cloudwatch';
      readonly metricType: 'AverageValue' | 'Value';
      readonly target: number;
      readonly activation: number;
      readonly stat: 'Sum' | 'Average';
      readonly periodSeconds: number;
      readonly endOffsetSeconds: number;
    }
  /**
   * KEDA `cron` (a launch window's floor): External AverageValue, target 1; the metric is
   * `desiredReplicas` inside the window and 0 outside (./keda.ts). `name` is the trigger's name
   * (`prescale-<window>`); `windowSeconds` the time from its `start` to its `end` in the plan.
   */
  | {
      readonly type: 'cron';
      readonly name: string;
      readonly desiredReplicas: number;
      readonly windowSeconds: number;
    };

/** One autoscaled workload in one region. */
export interface WorkloadPlan {
  readonly workload: string;
  readonly region: string;
  readonly autoscaler: 'ScaledObject' | 'HorizontalPodAutoscaler';
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** The full (active-region) minimum the DR runbook raises the standby to (`risk-platform/full-min-replicas`). */
  readonly fullMinReplicas: number;
  /** KEDA `pollingInterval` (activation checks); 0 for a plain HPA. */
  readonly pollingIntervalSeconds: number;
  readonly behavior: HpaBehavior;
  readonly triggers: readonly Trigger[];
  readonly cpuRequestMillis: number;
  readonly cpuLimitMillis: number;
  readonly memoryRequestMiB: number;
  /** Period of the readiness probe (a started pod is ready at the next probe). */
  readonly readinessPeriodSeconds: number;
}

/** A Deployment with a fixed replica count: it only takes node capacity. */
export interface FixedWorkload {
  readonly workload: string;
  readonly replicas: number;
  readonly cpuRequestMillis: number;
  readonly memoryRequestMiB: number;
}

/** A managed node group (one zone). */
export interface NodeGroupPlan {
  readonly name: string;
  readonly zone: string;
  readonly instanceType: string;
  readonly vcpu: number;
  readonly memoryMiB: number;
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
}

/** DynamoDB target tracking of one table dimension in one region. */
export interface TableScalingPlan {
  readonly table: string;
  readonly dimension: 'read' | 'write';
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly targetPercent: number;
  /**
   * The launch windows' scheduled actions on this target (`aws:appautoscaling/scheduledAction`
   * `prescale-<window>-open|close`): the raised and the restored `MinCapacity`.
   */
  readonly launchFloors?: readonly {
    readonly window: string;
    readonly minCapacity: number;
    readonly restoreCapacity: number;
    readonly windowSeconds: number;
  }[];
}

export interface RegionPlan {
  readonly region: string;
  /** True for the region that runs the full minimums (serves traffic). */
  readonly active: boolean;
  readonly workloads: readonly WorkloadPlan[];
  readonly fixed: readonly FixedWorkload[];
  readonly nodeGroups: readonly NodeGroupPlan[];
  /** Provisioned shard count of the transactions stream; undefined for ON_DEMAND or no stream. */
  readonly shardCount?: number;
  readonly tables: readonly TableScalingPlan[];
}

/** How traffic moves between regions: the failover records and their health checks. */
export interface TrafficPlan {
  /** TTL of the failover records (seconds). */
  readonly ttlSeconds: number;
  readonly healthCheckType: string;
  /** Seconds between checks and failures before unhealthy (HTTP-type checks); undefined for RECOVERY_CONTROL. */
  readonly requestIntervalSeconds?: number;
  readonly failureThreshold?: number;
}

export interface SimPlan {
  readonly env: string;
  readonly regions: readonly RegionPlan[];
  readonly traffic?: TrafficPlan;
}
