import * as path from 'node:path';
import { bundleNodeEntry, NodeBundle } from '../../stacks/node-bundle';

/** The writer's entry point (tools/heartbeat/entry.ts). */
export const HEARTBEAT_WRITER_ENTRY = path.join(__dirname, 'entry.ts');

/**
 * The replication heartbeat writer as one CommonJS file for Node.js 22, the DynamoDB client included
 * and tree-shaken (ES module builds preferred): what the chart's ConfigMap carries. Deterministic
 * ({@link bundleNodeEntry}); built once per process.
 */
export function bundleHeartbeatWriter(): NodeBundle {
  return bundleNodeEntry(HEARTBEAT_WRITER_ENTRY, { preferModule: true });
}
