import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleHeartbeatWriter } from '../../tools/heartbeat/bundle';
import { tempDir } from '../helpers/tmp';

describe('heartbeat writer bundle', () => {
  test('is deterministic: two builds from scratch give the same bytes and hash', () => {
    const first = bundleHeartbeatWriter();
    jest.isolateModules(() => {
      // A fresh module registry: no cache, esbuild runs again.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fresh = require('../../tools/heartbeat/bundle') as typeof import('../../tools/heartbeat/bundle');
      const again = fresh.bundleHeartbeatWriter();
      expect(again.sha256).toBe(first.sha256);
      expect(again.code).toBe(first.code);
    });
    expect(first.sha256).toBe(createHash('sha256').update(first.code).digest('hex'));
  });

  test('holds the loop and the DynamoDB client; requires only Node built-ins (and the optional SigV4a signers)', () => {
    const { code } = bundleHeartbeatWriter();
    expect(code).toContain('risk_platform.heartbeat.interval_ms');
    expect(code).toContain('SET writtenAt = :w, writer = :p');
    const requires = new Set([...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]));
    expect([...requires].filter((r) => !r.startsWith('node:')).sort()).toEqual([
      '@aws-sdk/signature-v4-crt',
      '@aws-sdk/signature-v4a',
    ]);
  });

  test('runs as shipped with plain node: a bad environment exits 2 naming the variable, before any call', () => {
    const file = join(tempDir('heartbeat-bundle-'), 'writer.js');
    writeFileSync(file, bundleHeartbeatWriter().code);
    const r = spawnSync(process.execPath, [file], {
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        PEER_REGION: 'us-west-2',
        HEARTBEAT_INTERVAL_SECONDS: '1',
      },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe(
      `replication-heartbeat: error: CONTROL_TABLE_NAME: received nothing, expected the control table's name, such as prod-control\n`,
    );
  });
});
