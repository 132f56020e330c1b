import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { RunbookOutputs, runbookParameterName } from './outputs';
import { InvalidArgumentError } from './errors';

/** SSM Standard parameters hold at most 4 KB; larger values need the Advanced tier (up to 8 KB). */
export const STANDARD_PARAMETER_MAX_BYTES = 4096;
export const ADVANCED_PARAMETER_MAX_BYTES = 8192;

/**
 * The tier a parameter value needs: Standard up to 4 KB, Advanced up to 8 KB.
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html
 */
export function parameterTier(value: string): 'Standard' | 'Advanced' {
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > ADVANCED_PARAMETER_MAX_BYTES) {
    throw new InvalidArgumentError(
      `'runbook' output is ${bytes} bytes; expected at most ${ADVANCED_PARAMETER_MAX_BYTES} (the SSM Advanced tier limit)`,
    );
  }
  return bytes > STANDARD_PARAMETER_MAX_BYTES ? 'Advanced' : 'Standard';
}

export interface RunbookPublicationArgs {
  readonly environment: string;
  /** The regions to publish in (the environment's sites): one parameter each. */
  readonly regions: readonly string[];
  /** The assembled `runbook` stack output. */
  readonly outputs: pulumi.Input<RunbookOutputs>;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Publishes the runbook outputs as an SSM parameter (`/risk-platform/<env>/runbook-outputs`, type
 * String, JSON) in EACH region, so the runbook reads them from the healthy region's data plane
 * (GetParameter) without Pulumi. Pulumi owns these parameters and nothing else the runbook reads or
 * writes: the runbook never writes them, and `pulumi up` never touches runbook state.
 */
export class RunbookPublication extends pulumi.ComponentResource {
  readonly parameters: Readonly<Record<string, aws.ssm.Parameter>>;

  constructor(name: string, args: RunbookPublicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:dr:RunbookPublication', name, {}, opts);
    const value = pulumi.output(args.outputs).apply((o) => JSON.stringify(o));
    const parameterName = runbookParameterName(args.environment);
    this.parameters = Object.fromEntries(
      args.regions.map((region) => [
        region,
        new aws.ssm.Parameter(
          `${name}-${region}`,
          {
            region,
            name: parameterName,
            type: 'String',
            dataType: 'text',
            tier: value.apply(parameterTier),
            // Not a secret: `insecureValue` keeps it readable in previews and plans (`value` is always masked).
            insecureValue: value,
            description: `DR runbook outputs of ${args.environment} (written by pulumi up; read by npm run dr)`,
            tags: { ...args.tags, Name: parameterName },
          },
          { parent: this },
        ),
      ]),
    );
    this.registerOutputs({
      parameterArns: Object.fromEntries(Object.entries(this.parameters).map(([r, p]) => [r, p.arn])),
    });
  }
}
