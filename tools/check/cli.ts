import { runMain } from '../lib/main';
import { repositoryChecks, runChecks } from './run';

/**
 * `npm test`: the type check, eslint, prettier and jest at once (see ./run.ts). Arguments after
 * `npm test --` go to jest, e.g. `npm test -- --json --outputFile=dist/jest-results.json` (.ci/run).
 * Each check alone: `npm run typecheck`, `npm run lint`, `npx jest`.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const { code } = await runChecks(repositoryChecks(argv), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  });
  return code;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
