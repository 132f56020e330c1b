/** Runs a CLI's `main` in-process and captures what it prints on stdout (progress goes to stderr with --json). */
export async function runCli(
  main: (argv: readonly string[]) => Promise<number>,
  argv: readonly string[],
): Promise<{ code: number; stdout: string }> {
  const out: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const code = await main(argv);
    return { code, stdout: out.join('\n') };
  } finally {
    log.mockRestore();
    err.mockRestore();
    stdout.mockRestore();
  }
}
