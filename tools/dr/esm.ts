import * as vm from 'node:vm';

let importer: ((specifier: string) => Promise<unknown>) | undefined;

const LOADER_WARNING = 'USE_MAIN_CONTEXT_DEFAULT_LOADER';

/** Drops only Node's "experimental" warning about the loader option used below; all others pass. */
function silenceLoaderWarning(): void {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes(LOADER_WARNING)) return;
    (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
}

/**
 * Imports an ESM-only package (fauxqs, @kubernetes/client-node 1.x) from code that tsx and ts-jest
 * compile to CommonJS. There `import()` becomes `require()`, and jest's module sandbox has no
 * dynamic-import hook, so the import is compiled by `vm` in the main context with Node's default
 * ESM loader. Node flags that loader option as experimental; only that one warning is silenced.
 */
export async function importEsm<T>(specifier: string): Promise<T> {
  if (!importer) {
    silenceLoaderWarning();
    const script = new vm.Script('(specifier) => import(specifier)', {
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    importer = script.runInThisContext() as (specifier: string) => Promise<unknown>;
  }
  return (await importer(specifier)) as T;
}
