import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { RunbookOutputs, runbookParameterName } from './outputs';
import { InvalidArgumentError } from './errors';

/** SSM Advanced parameters hold at most 8 KB (Standard ones 4 KB). */
export const ADVANCED_PARAMETER_MAX_BYTES = 8192;

/**
 * The tier of the runbook parameters, fixed: Advanced. Prod's value is about 6 KB, over the Standard
 * 4 KB limit; deriving the tier from the size would flip it whenever the value crossed 4 KB, and an
 * Advanced parameter cannot be changed back to Standard in place. Pinned, a size change never touches
 * the tier (Advanced parameters are charged per parameter and month).
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html
 */
export const RUNBOOK_PARAMETER_TIER = 'Advanced';

/**
 * Returns `value` when it fits an Advanced parameter (at most 8 KB, UTF-8), else throws an
 * {@link InvalidArgumentError} naming the size and the limit. The value is assembled inside an apply,
 * so this runs before the parameter is registered (at preview), not as a failed call mid-`up`.
 */
export function checkParameterSize(value: string): string {
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > ADVANCED_PARAMETER_MAX_BYTES) {
    throw new InvalidArgumentError(
      `'runbook' output is ${bytes} bytes; expected at most ${ADVANCED_PARAMETER_MAX_BYTES} (the SSM Advanced tier limit): shorten the outputs or split the parameter`,
    );
  }
  return value;
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
    const value = pulumi.output(args.outputs).apply((o) => checkParameterSize(JSON.stringify(o)));
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
            tier: RUNBOOK_PARAMETER_TIER,
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
