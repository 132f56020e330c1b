import { SCORING_API_SYNTHETIC_PATH } from '../../charts/scoring-api';

/**
 * DNS names of the scoring API. Names are a contract: the workloads publish the regional names, the
 * failover record points at them, and the DR runbook probes them.
 */

/** The part of the traffic config the names are built from. */
export interface ScoringDns {
  /** The Route 53 hosted zone, e.g. `risk.example.com`. */
  readonly hostedZoneName: string;
  /** The scoring API's label inside the zone, e.g. `score`. */
  readonly recordName: string;
}

/** The fully-qualified failover record callers use, e.g. `score.risk.example.com`. */
export function scoringRecordName(dns: ScoringDns): string {
  return `${dns.recordName}.${dns.hostedZoneName}`;
}

/**
 * The name of one region's scoring endpoint, e.g. `score-us-west-2.risk.example.com`.
 *
 * The load balancer in front of `scoring-api` is created inside the cluster (AWS Load Balancer
 * Controller), so its DNS name is unknown when Pulumi plans. The workloads own this record (an alias to
 * their load balancer, published by external-dns from the Service's hostname annotation); the failover
 * record only needs its name.
 */
export function regionalEndpointName(dns: ScoringDns, region: string): string {
  return `${dns.recordName}-${region}.${dns.hostedZoneName}`;
}

/**
 * Path of the scoring API's synthetic check: a full scoring round trip, not just liveness. Owned by the
 * chart (served on the API port, the one the NLB forwards to), so the runbook probes what is exposed.
 */
export const SYNTHETIC_SCORE_PATH = SCORING_API_SYNTHETIC_PATH;

/**
 * The URL the runbook's verify step requests in one region, bypassing the failover record: HTTPS on
 * 443, the NLB's TLS listener (charts/scoring-api.ts `SCORING_API_TLS_PORT`).
 */
export function syntheticEndpointUrl(dns: ScoringDns, region: string): string {
  return `https://${regionalEndpointName(dns, region)}${SYNTHETIC_SCORE_PATH}`;
}
