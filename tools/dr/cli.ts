#!/usr/bin/env node
/** `npm run dr -- <status|guard|failover|failback|drill> --env <env> ...` (see docs/RUNBOOK.md). */
import { awsClients } from './clients';
import { runCli } from './program';

runCli(process.argv.slice(2), {
  io: {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdin: process.stdin,
    prompt: process.stderr,
  },
  clients: (_outputs, options) => awsClients({ kube: options.kube }),
}).then((code) => {
  process.exitCode = code;
});
