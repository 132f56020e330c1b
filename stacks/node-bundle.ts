import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

/** A bundled Node.js program and its SHA-256 (hex), as the plan shows it. */
export interface NodeBundle {
  readonly code: string;
  readonly sha256: string;
}

/** The repository root: esbuild's working directory, so the paths in a bundle's comments are relative. */
const ROOT = path.resolve(__dirname, '..');

export interface NodeBundleOptions {
  /**
   * Prefer packages' ES module builds (`module` before `main`), so esbuild can drop what the program
   * does not import (the AWS SDK clients ship both; their CommonJS build cannot be tree-shaken).
   * @default false - esbuild's `platform: 'node'` default, `main` first
   */
  readonly preferModule?: boolean;
}

const cache = new Map<string, NodeBundle>();

/**
 * Bundles one TypeScript entry point with esbuild for Node.js 22: one CommonJS file, its dependencies
 * included (pinned by package-lock.json), minified, no source map, no legal comments, no timestamps.
 * Deterministic: the same sources give the same bytes (esbuild's output depends only on its inputs,
 * and the working directory is pinned to the repository root). Built once per process and entry.
 * Used for the canary Lambda (stacks/observability/canary-bundle.ts) and the replication heartbeat
 * writer (tools/heartbeat/bundle.ts).
 * @see https://esbuild.github.io/api/#build
 */
export function bundleNodeEntry(entry: string, options: NodeBundleOptions = {}): NodeBundle {
  const cacheKey = `${entry}|${options.preferModule ? 'module' : 'main'}`;
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  const result = buildSync({
    entryPoints: [entry],
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
    ...(options.preferModule ? { mainFields: ['module', 'main'] } : {}),
  });
  const code = result.outputFiles[0].text;
  const bundle = { code, sha256: createHash('sha256').update(code).digest('hex') };
  cache.set(cacheKey, bundle);
  return bundle;
}
