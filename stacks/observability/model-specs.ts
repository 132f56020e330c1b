import { RegionSite } from '../config/load';
import { clusterName } from '../naming';
import { scope } from './monitor-specs';

/**
 * The model-monitoring monitors of one environment, as plain data: what a broken or drifting fraud
 * model looks like from the scoring service's own metrics (which `docs/ARCHITECTURE.md` lists for the
 * application team). A model that approves everything is healthy to every latency and error monitor;
 * these watch what it decides.
 */

/** The metrics the scoring workloads must emit (DogStatsD, with unified service tagging). */
export const MODEL_METRICS = {
  /** Count, one per decision, tagged `decision:approve|review|decline` and `model_version`. */
  decisions: 'risk.scoring.decisions',
  /** Distribution of the fraud score in [0, 1], one point per scored transaction, tagged `model_version`. */
  score: 'risk.scoring.score',
  /** Gauge, every 60 s from the stream scorer: seconds since its last successful write to the features table. */
  featureWriteAge: 'risk.features.last_write_age_seconds',
  /** Gauge of 1, every 60 s from each scoring pod, tagged `model_version`: which model it serves. */
  modelServing: 'risk.scoring.model.serving',
} as const;

export const DECISIONS = ['approve', 'review', 'decline'] as const;
export const SCORE_PERCENTILES = ['p50', 'p90', 'p99'] as const;

/** What the model monitors are derived from. */
export interface ModelMonitorInput {
  readonly environment: string;
  readonly sites: readonly Pick<RegionSite, 'role' | 'region'>[];
  /** `observability.model`. */
  readonly model: {
    readonly scoreDriftThreshold: number;
    readonly featureMaxAgeSeconds: number;
    readonly rolloutMinutes: number;
  };
}

/** One model monitor before it is a resource. */
export interface ModelMonitorSpec {
  /** Unique within the environment: `<kind>[-<subject>][-<region>]`. */
  readonly key: string;
  readonly kind: 'decision-mix' | 'score-drift' | 'feature-freshness' | 'model-version-skew';
  /** The region it watches, or null for the environment-wide ones. */
  readonly region: string | null;
  readonly title: string;
  readonly query: string;
  readonly critical: number;
  readonly warning?: number;
  /** Anomaly monitors' trigger and recovery window. */
  readonly anomalyWindow?: string;
  /** Minutes of silence that alert (a metric that stops is itself a failure), when set. */
  readonly noDataMinutes?: number;
  readonly runbookAnchor: string;
}

/** The window an anomaly must fill before it alerts: long enough to skip a burst of one merchant. */
export const DECISION_ANOMALY_WINDOW = 'last_30m';

const round = (v: number) => Number(v.toPrecision(12));

/** Every model monitor of an environment: per region the decision mix and score drift, then the environment-wide ones. */
export function modelMonitorSpecs(input: ModelMonitorInput): ModelMonitorSpec[] {
  const env = input.environment;
  const specs: ModelMonitorSpec[] = [];
  for (const { region } of input.sites) {
    const where = { env, kube_cluster_name: clusterName(env, region) };
    for (const decision of DECISIONS) {
      const share =
        `sum:${MODEL_METRICS.decisions}${scope({ ...where, decision })}.as_count() / ` +
        `sum:${MODEL_METRICS.decisions}${scope(where)}.as_count()`;
      specs.push({
        key: `decision-mix-${decision}-${region}`,
        kind: 'decision-mix',
        region,
        title: `share of ${decision} decisions is anomalous`,
        // Agile with weekly seasonality: the mix follows the week's shopping pattern.
        // @see https://docs.datadoghq.com/monitors/types/anomaly/
        query:
          `avg(last_4h):anomalies(${share}, 'agile', 3, direction='both', alert_window='${DECISION_ANOMALY_WINDOW}', ` +
          `interval=300, count_default_zero='true', seasonality='weekly') >= 1`,
        critical: 1,
        anomalyWindow: DECISION_ANOMALY_WINDOW,
        runbookAnchor: 'model-decision-mix',
      });
    }
    for (const p of SCORE_PERCENTILES) {
      const q = `${p}:${MODEL_METRICS.score}${scope(where)}`;
      specs.push({
        key: `score-drift-${p}-${region}`,
        kind: 'score-drift',
        region,
        title: `${p} fraud score moved more than ${input.model.scoreDriftThreshold} from the same hour last week`,
        query: `avg(last_1h):abs(${q} - week_before(${q})) > ${input.model.scoreDriftThreshold}`,
        critical: input.model.scoreDriftThreshold,
        warning: round(input.model.scoreDriftThreshold / 2),
        runbookAnchor: 'model-score-drift',
      });
    }
  }
  const envScope = scope({ env });
  specs.push({
    key: 'feature-freshness',
    kind: 'feature-freshness',
    region: null,
    title: `no feature write for more than ${input.model.featureMaxAgeSeconds} s in any region`,
    // min across regions: the standby region's writer is idle by design; the active one must write.
    query: `max(last_10m):min:${MODEL_METRICS.featureWriteAge}${envScope} > ${input.model.featureMaxAgeSeconds}`,
    critical: input.model.featureMaxAgeSeconds,
    noDataMinutes: 20,
    runbookAnchor: 'model-feature-freshness',
  });
  specs.push({
    key: 'model-version-skew',
    kind: 'model-version-skew',
    region: null,
    title: `more than one model version served for longer than a rollout (${input.model.rolloutMinutes} min)`,
    // min over the window: two versions the whole time, not a rollout passing through.
    query: `min(last_${input.model.rolloutMinutes}m):count_nonzero(max:${MODEL_METRICS.modelServing}${envScope} by {model_version}) > 1`,
    critical: 1,
    runbookAnchor: 'model-version-skew',
  });
  return specs;
}
