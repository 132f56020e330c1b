import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

/** The canary's bundled source and its SHA-256 (hex), as the plan shows it. */
export interface CanaryBundle {
  readonly code: string;
  readonly sha256: string;
}

/** The repository root: esbuild's working directory, so the paths in the bundle's comments are relative. */
const ROOT = path.resolve(__dirname, '..', '..');
export const CANARY_ENTRY = path.join(__dirname, 'canary-handler', 'handler.ts');

let cached: CanaryBundle | undefined;

/**
 * Bundles the canary handler with esbuild for Lambda's Node.js 22 runtime: one CommonJS file, the AWS
 * SDK client included (pinned by package-lock.json, not the runtime's), no source map, no timestamps.
 * Deterministic: the same sources give the same bytes (esbuild's output depends only on its inputs,
 * and the working directory is pinned to the repository root). Built once per process.
 * @see https://esbuild.github.io/api/#build
 */
export function bundleCanary(): CanaryBundle {
  if (cached) return cached;
  const result = buildSync({
    entryPoints: [CANARY_ENTRY],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    sourcemap: false,
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].text;
  cached = { code, sha256: createHash('sha256').update(code).digest('hex') };
  return cached;
}
