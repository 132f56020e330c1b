import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import globalTeardown from './global-teardown';
import { leftovers, TEMP_ROOT_VAR } from './temp-root';
import { tempDir } from '../helpers/tmp';

describe('the run temp root', () => {
  test('the global setup pointed this worker at the run root', () => {
    const root = process.env[TEMP_ROOT_VAR];
    expect(root).toMatch(/risk-platform-test-/);
    expect(tmpdir()).toBe(root);
  });

  test('leftovers lists what tests made, not the tsx cache or the shared plans', () => {
    const root = tempDir('root-');
    for (const e of ['tsx-0', 'plans', 'dr-report-abc', 'heartbeat-x']) mkdirSync(join(root, e));
    expect(leftovers(root)).toEqual(['dr-report-abc', 'heartbeat-x']);
  });

  test('the teardown throws naming each entry left, and removes the root either way', () => {
    const saved = process.env[TEMP_ROOT_VAR];
    const root = mkdtempSync(join(saved ?? tmpdir(), 'teardown-'));
    writeFileSync(join(root, 'stray.json'), '{}');
    process.env[TEMP_ROOT_VAR] = root;
    try {
      expect(() => globalTeardown()).toThrow(/tests left 1 temp entry behind: stray\.json/);
      expect(existsSync(root)).toBe(false);
      mkdirSync(root);
      mkdirSync(join(root, 'tsx-0'));
      expect(() => globalTeardown()).not.toThrow();
      expect(existsSync(root)).toBe(false);
    } finally {
      process.env[TEMP_ROOT_VAR] = saved;
      rmSync(root, { recursive: true, force: true });
    }
  });
});

let made: string;

describe('tempDir', () => {
  test('makes a fresh directory with the prefix', () => {
    made = tempDir('made-');
    expect(existsSync(made)).toBe(true);
    expect(made).toMatch(/made-[A-Za-z0-9]{6}$/);
  });
});

// A root-level hook declared after tmp.ts's (imported above): it runs once that one has removed the directory.
afterAll(() => {
  expect(existsSync(made)).toBe(false);
});
