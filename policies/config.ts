import { EnvironmentConfig, REQUIRED_TAG_KEYS } from '../stacks/config/load';
import { PolicyPackConfig } from './types';

/**
 * The per-environment policy configuration, derived from the environment's stack config so the rules
 * and the program can never disagree. `npm run plan` writes it to `dist/plan/<env>/policy-config.json`
 * and CI passes that file to `pulumi preview --policy-pack policies --policy-pack-config`.
 */
export function policyConfigFor(_config: EnvironmentConfig): PolicyPackConfig {
  return {
    'required-tags': { requiredTags: [...REQUIRED_TAG_KEYS] },
  };
}
