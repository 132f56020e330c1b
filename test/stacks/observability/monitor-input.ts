/** The prod-shaped input of `monitorSpecs` that the monitor suites share. */
export const PROD_MONITOR_INPUT = {
  environment: 'prod',
  sites: [
    { role: 'primary' as const, region: 'us-west-2' as const },
    { role: 'dr' as const, region: 'us-east-1' as const },
  ],
  targets: { p99LatencyMs: 30 },
  dr: { rpoSeconds: 5 },
  messaging: { maxReceiveCount: 5, consumerProcessingSeconds: 20 },
  namespace: 'risk-scoring',
};
