/**
 * Temp directories for tests, removed after the file's tests even when one fails: every directory
 * made here is registered and deleted in a root-level afterAll. The jest global teardown
 * (test/setup/teardown.ts) fails the run if anything is left in the run's temp root.
 */
const fs = jest.requireActual<typeof import('fs')>('fs');
const os = jest.requireActual<typeof import('os')>('os');
const path = jest.requireActual<typeof import('path')>('path');

const made: string[] = [];

afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new empty directory under the system temp folder, named `<prefix>XXXXXX`. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
