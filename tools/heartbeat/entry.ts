/**
 * The replication heartbeat writer's entry point: bundled by esbuild into one file
 * (tools/heartbeat/bundle.ts), shipped in a ConfigMap and run by `node` in the writer's container
 * (charts/replication-heartbeat.ts). Tests drive {@link main} in-process instead.
 */
import { main } from './main';

main(process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(
      `replication-heartbeat: error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    process.exitCode = 1;
  },
);
