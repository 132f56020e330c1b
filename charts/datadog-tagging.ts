/**
 * How a workload's telemetry reaches the Datadog node agent, and the tags it carries.
 *
 * The node agent (Helm release `datadog`, a DaemonSet) receives traces on 8126/TCP and DogStatsD on
 * 8125/UDP through `hostPort`s (`datadog.apm.portEnabled`, `datadog.dogstatsd.useHostPort`), so a pod
 * sends to its own node's IP, read from the downward API (`status.hostIP`) into `DD_AGENT_HOST`.
 *
 * Unified service tagging: the three reserved tags `env`, `service` and `version` are set twice, as
 * pod labels `tags.datadoghq.com/<tag>` (the agent tags the container's metrics and logs with them)
 * and as `DD_ENV`, `DD_SERVICE`, `DD_VERSION` read from those labels (the tracer tags its spans and
 * its trace metrics, `trace.http.request.*`, with them). Reading the env vars from the labels keeps
 * the two from drifting apart.
 * @see https://docs.datadoghq.com/getting_started/tagging/unified_service_tagging/?tab=kubernetes
 * @see https://docs.datadoghq.com/containers/kubernetes/apm/
 */
import * as kplus from 'cdk8s-plus-28';

/** The node agent's trace intake port (TCP, hostPort). */
export const DATADOG_APM_PORT = 8126;

/**
 * Datadog Autodiscovery (v2 annotations, Agent 7.36+) of one container: its logs, tagged with its
 * service (the agent runs with `logs.containerCollectAll: false`, so only annotated containers ship
 * logs), and, when `metricsPort` is given, an OpenMetrics check scraping `/metrics` there (the
 * `allow-datadog-scrape-ingress` NetworkPolicy admits the agent on that port).
 * @see https://docs.datadoghq.com/containers/kubernetes/log/?tab=helm#autodiscovery-annotations
 * @see https://docs.datadoghq.com/containers/kubernetes/integrations/?tab=annotations
 */
export function autodiscoveryAnnotations(
  container: string,
  service: string,
  metricsPort?: number,
): Record<string, string> {
  const prefix = `ad.datadoghq.com/${container}`;
  return {
    [`${prefix}.logs`]: JSON.stringify([{ source: service, service }]),
    ...(metricsPort !== undefined
      ? {
          [`${prefix}.checks`]: JSON.stringify({
            openmetrics: {
              init_config: {},
              instances: [
                {
                  openmetrics_endpoint: `http://%%host%%:${metricsPort}/metrics`,
                  namespace: service.replace(/-/g, '_'),
                  metrics: ['.*'],
                },
              ],
            },
          }),
        }
      : {}),
  };
}
/** The node agent's DogStatsD port (UDP, hostPort). */
export const DATADOG_DOGSTATSD_PORT = 8125;

/** The pod labels of unified service tagging. */
export const DATADOG_TAG_LABELS = {
  env: 'tags.datadoghq.com/env',
  service: 'tags.datadoghq.com/service',
  version: 'tags.datadoghq.com/version',
} as const;

/** The reserved tags of one workload. */
export interface UnifiedServiceTags {
  /** The environment, e.g. `prod`: the `env` tag the monitors and the request-rate query filter on. */
  readonly env: string;
  /** The workload name, e.g. `scoring-api`: the `service` tag. */
  readonly service: string;
  /** What is deployed: see {@link datadogVersion}. */
  readonly version: string;
}

/** Characters of a digest kept in a version (Docker's short image ID). */
const SHORT_DIGEST = 12;
/** A Kubernetes label value: at most 63 characters, alphanumeric at both ends, `-`, `_`, `.` inside. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * The `version` tag of a workload: the model version and the image, `<modelVersion>_<tag>` for an
 * image pinned by tag (`repo:1.4.2` -> `2026.11.3_1.4.2`), `<modelVersion>_<12 hex>` for one pinned by
 * digest only. Both change what a pod does (a new model, new code), so either makes a new version and
 * APM's deployment tracking sees every rollout; the model version alone would hide a code-only
 * release, and a full digest does not fit a label value (63 characters).
 */
export function datadogVersion(modelVersion: string, image: string): string {
  const digest = /@sha256:([a-f0-9]{64})$/.exec(image);
  const withoutDigest = digest ? image.slice(0, digest.index) : image;
  const tag = /:([A-Za-z0-9_][A-Za-z0-9._-]*)$/.exec(withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1));
  const id = tag ? tag[1] : digest ? digest[1].slice(0, SHORT_DIGEST) : undefined;
  return id === undefined ? modelVersion : `${modelVersion}_${id}`;
}

/** Whether a string is a valid Kubernetes label value (and so a valid `version`). */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** The pod labels of unified service tagging. */
export function unifiedServiceLabels(tags: UnifiedServiceTags): Record<string, string> {
  return {
    [DATADOG_TAG_LABELS.env]: tags.env,
    [DATADOG_TAG_LABELS.service]: tags.service,
    [DATADOG_TAG_LABELS.version]: tags.version,
  };
}

/**
 * The tracer's environment: the node agent's address (`status.hostIP`) and ports, and `DD_ENV`,
 * `DD_SERVICE`, `DD_VERSION` read from the pod's {@link DATADOG_TAG_LABELS}.
 */
export function datadogTracerEnv(): Record<string, kplus.EnvValue> {
  const label = (key: string) => kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_LABEL, { key });
  return {
    DD_AGENT_HOST: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_IP),
    DD_TRACE_AGENT_PORT: kplus.EnvValue.fromValue(String(DATADOG_APM_PORT)),
    DD_DOGSTATSD_PORT: kplus.EnvValue.fromValue(String(DATADOG_DOGSTATSD_PORT)),
    DD_ENV: label(DATADOG_TAG_LABELS.env),
    DD_SERVICE: label(DATADOG_TAG_LABELS.service),
    DD_VERSION: label(DATADOG_TAG_LABELS.version),
  };
}
