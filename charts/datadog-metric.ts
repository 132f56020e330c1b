import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

/**
 * A Datadog Cluster Agent `DatadogMetric` (datadoghq.com/v1alpha1): a Datadog query the cluster
 * agent's external metrics provider serves to HPAs as `datadogmetric@<namespace>:<name>`.
 *
 * Needs the cluster agent's external metrics provider with `useDatadogMetrics: true`.
 *
 * @see https://docs.datadoghq.com/containers/guide/cluster_agent_autoscaling_metrics/
 */
export const DATADOG_METRIC_API_VERSION = 'datadoghq.com/v1alpha1';

export interface DatadogMetricProps {
  readonly name: string;
  readonly namespace: string;
  /** The Datadog metric query, e.g. `sum:trace.http.request.hits{service:x}.as_rate()`. */
  readonly query: string;
}

export class DatadogMetric extends ApiObject {
  /** The External metric name an HPA uses to read this query. */
  public readonly externalMetricName: string;

  constructor(scope: Construct, id: string, props: DatadogMetricProps) {
    super(scope, id, {
      apiVersion: DATADOG_METRIC_API_VERSION,
      kind: 'DatadogMetric',
      metadata: { name: props.name, namespace: props.namespace },
      spec: { query: props.query },
    });
    this.externalMetricName = `datadogmetric@${props.namespace}:${props.name}`;
  }
}
