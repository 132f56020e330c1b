import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EnvironmentPlan } from '../../tools/plan/harness';
import { savedBy } from '../helpers/plan';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-cache-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const fakePlan = (env: string) => ({ env, resources: [] }) as unknown as EnvironmentPlan;
const later = <T>(ms: number, value: () => T) =>
  new Promise<T>((resolve, reject) =>
    setTimeout(() => {
      try {
        resolve(value());
      } catch (e) {
        reject(e as Error);
      }
    }, ms),
  );

test('a second caller waits for the first caller’s plan instead of planning the same environment', async () => {
  const file = path.join(dir, 'plans', 'prod.json');
  const make = jest.fn(() => later(300, () => fakePlan('prod')));
  const [a, b] = await Promise.all([savedBy(file, make), savedBy(file, make)]);
  expect(make).toHaveBeenCalledTimes(1);
  expect(a).toEqual(fakePlan('prod'));
  expect(b).toEqual(fakePlan('prod'));
  expect(fs.readdirSync(path.dirname(file))).toEqual(['prod.json']); // no lock, no partial file left
});

test('when the first caller fails, its lock goes and the waiting caller plans itself', async () => {
  const file = path.join(dir, 'plans', 'dev.json');
  const failing = jest.fn(() =>
    later(200, () => {
      throw new Error('plan failed');
    }),
  );
  const working = jest.fn(() => later(10, () => fakePlan('dev')));
  const first = savedBy(file, failing);
  await new Promise((r) => setTimeout(r, 20)); // the first holds the lock
  const second = savedBy(file, working);
  await expect(first).rejects.toThrow('plan failed');
  await expect(second).resolves.toEqual(fakePlan('dev'));
  expect(working).toHaveBeenCalledTimes(1);
  expect(fs.readdirSync(path.dirname(file))).toEqual(['dev.json']);
});

test('a saved plan is read, not made again', async () => {
  const file = path.join(dir, 'plans', 'staging.json');
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(file, JSON.stringify(fakePlan('staging')));
  const make = jest.fn(() => Promise.resolve(fakePlan('other')));
  await expect(savedBy(file, make)).resolves.toEqual(fakePlan('staging'));
  expect(make).not.toHaveBeenCalled();
});
