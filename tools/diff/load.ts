import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../lib/exit-codes';
import { PlannedResource } from '../plan/harness';
import { readPlan } from '../policy/cli';

/** A planned resource as the diff and cost tools read it: the plan contract plus optional aliases. */
export type PlanRecord = PlannedResource & { readonly aliases?: readonly string[] };

/** A loaded plan: every resource once, and the files it came from. */
export interface LoadedPlan {
  readonly resources: PlanRecord[];
  readonly files: string[];
}

const EXPECTED =
  'a resources.json file or a plan directory (dist/plan, dist/plan/<env> or dist/plan/<env>/stacks/<stack>)';

/**
 * The plan files an argument names. A directory holding `resources.json` is that file (an
 * environment's file is the union of its stacks, so `stacks/` beside it is not read again); a
 * directory holding only `stacks/` is each stack's file; any other directory (`dist/plan`) is each
 * sub-directory resolved the same way.
 */
export function planFiles(arg: string, label = '<plan>'): string[] {
  if (!fs.existsSync(arg)) throw new UsageError(label, arg, EXPECTED);
  if (fs.statSync(arg).isFile()) return [arg];
  const own = path.join(arg, 'resources.json');
  if (fs.existsSync(own)) return [own];
  const stacks = path.join(arg, 'stacks');
  const dirs = fs.existsSync(stacks)
    ? fs.readdirSync(stacks).map((d) => path.join(stacks, d))
    : fs.readdirSync(arg).map((d) => path.join(arg, d));
  const files = dirs
    .filter((d) => fs.statSync(d).isDirectory())
    .sort()
    .flatMap((d) => {
      const f = path.join(d, 'resources.json');
      if (fs.existsSync(f)) return [f];
      return fs.existsSync(path.join(d, 'stacks')) ? planFiles(d, label) : [];
    });
  if (files.length === 0) throw new UsageError(label, arg, `${EXPECTED}; no resources.json found in it`);
  return files;
}

/** Loads every plan file an argument names; a URN met twice (union and stack files) is kept once. */
export function loadPlan(arg: string, label = '<plan>'): LoadedPlan {
  const files = planFiles(arg, label);
  const byUrn = new Map<string, PlanRecord>();
  for (const file of files) {
    for (const r of readPlan(file)) if (!byUrn.has(r.urn)) byUrn.set(r.urn, r);
  }
  return { resources: [...byUrn.values()].sort((a, b) => (a.urn < b.urn ? -1 : 1)), files };
}

/** The stack a URN names: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOf(urn: string): string {
  return urn.slice('urn:pulumi:'.length).split('::')[0];
}

/** The project a URN names. */
export function projectOf(urn: string): string {
  return urn.split('::')[1] ?? '';
}

/** A region name as it ends a regional stack's name (`prod-us-west-2`). */
const REGION_SUFFIX = /-(global|[a-z]{2}(-gov)?-[a-z]+-\d)$/;

/** The environment of a URN: its stack without the `-global` or `-<region>` suffix. */
export function envOf(urn: string): string {
  return stackOf(urn).replace(REGION_SUFFIX, '');
}

/** The URN without its stack: the same resource in another stack of the environment has the same key. */
export function urnWithoutStack(urn: string): string {
  return urn.split('::').slice(1).join('::');
}
