import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

/**
 * A Datadog Cluster Agent `DatadogMetric` (datadoghq.com/v1alpha1): a Datadog query the cluster
 * agent resolves and serves on its metrics service, where KEDA's `datadog` scaler reads it
 * (`useClusterAgentProxy`). The cluster agent does not register itself as the external metrics
 * APIService (KEDA is the cluster's one external metrics provider), so no HPA reads it directly:
 * the `always-active` annotation makes the cluster agent fetch the query anyway.
 *
 * Needs the cluster agent's metrics provider with `useDatadogMetrics: true`.
 *
 * @see https://docs.datadoghq.com/containers/guide/cluster_agent_autoscaling_metrics/
 * @see https://keda.sh/docs/2.20/scalers/datadog/
 */
export const DATADOG_METRIC_API_VERSION = 'datadoghq.com/v1alpha1';

/** Makes the cluster agent resolve a DatadogMetric that no HPA references (KEDA reads it instead). */
export const DATADOG_METRIC_ALWAYS_ACTIVE_ANNOTATION = 'external-metrics.datadoghq.com/always-active';

/** The namespace of the Datadog agent and cluster agent (Helm release `datadog`). */
export const DATADOG_NAMESPACE = 'datadog';
/** The cluster agent's metrics service of the Helm release named `datadog` (`<release>-cluster-agent-metrics-api`). */
export const DATADOG_CLUSTER_AGENT_METRICS_SERVICE = 'datadog-cluster-agent-metrics-api';
/** The port of that service (the chart's `clusterAgent.metricsProvider.service.port`, set explicitly). */
export const DATADOG_CLUSTER_AGENT_METRICS_PORT = 8443;

export interface DatadogMetricProps {
  readonly name: string;
  readonly namespace: string;
  /** The Datadog metric query, e.g. `sum:trace.http.request.hits{service:x}.as_rate()`. */
  readonly query: string;
}

export class DatadogMetric extends ApiObject {
  public readonly metricName: string;
  public readonly metricNamespace: string;

  constructor(scope: Construct, id: string, props: DatadogMetricProps) {
    super(scope, id, {
      apiVersion: DATADOG_METRIC_API_VERSION,
      kind: 'DatadogMetric',
      metadata: {
        name: props.name,
        namespace: props.namespace,
        annotations: { [DATADOG_METRIC_ALWAYS_ACTIVE_ANNOTATION]: 'true' },
      },
      spec: { query: props.query },
    });
    this.metricName = props.name;
    this.metricNamespace = props.namespace;
  }
}
