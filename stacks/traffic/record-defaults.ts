/**
 * The traffic switch's defaults that Pulumi-free code needs too (the DR runbook's recovery-time
 * estimate): importing them from traffic-switch.ts would load @pulumi/aws into every DR process and
 * test suite (about 1 s of CPU each).
 */

/** `TrafficSwitchArgs.recordTtlSeconds` when not given. */
export const DEFAULT_RECORD_TTL_SECONDS = 60;
