import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { awsClientConfig, memo } from './clients';

const clients = memo((region) => new SSMClient(awsClientConfig(region)));

/**
 * Reads one SSM parameter's value in `region` (bounded calls, like every runbook AWS client).
 * `undefined` when the parameter does not exist there (`ParameterNotFound`); other errors throw.
 * Loaded lazily by `outputs.ts`, so only a run that reads SSM loads @aws-sdk/client-ssm.
 */
export async function readParameter(region: string, name: string): Promise<string | undefined> {
  try {
    const out = await clients(region).send(new GetParameterCommand({ Name: name }));
    return out.Parameter?.Value;
  } catch (err) {
    if ((err as Error).name === 'ParameterNotFound') return undefined;
    throw err;
  }
}
