import * as path from 'node:path';
import { bundleNodeEntry, NodeBundle } from '../node-bundle';

/** The canary's bundled source and its SHA-256 (hex), as the plan shows it. */
export type CanaryBundle = NodeBundle;

export const CANARY_ENTRY = path.join(__dirname, 'canary-handler', 'handler.ts');

/**
 * Bundles the canary handler for Lambda's Node.js 22 runtime ({@link bundleNodeEntry}): one CommonJS
 * file, the AWS SDK client included (pinned by package-lock.json, not the runtime's). Deterministic;
 * built once per process.
 */
export function bundleCanary(): CanaryBundle {
  return bundleNodeEntry(CANARY_ENTRY);
}
