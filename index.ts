// The Pulumi program entry (Pulumi.yaml `main`). It only wires: config is parsed and the estate is
// built in stacks/program.ts, which the offline plan (tools/plan) runs too.
import { program } from './stacks/program';

export = program();
