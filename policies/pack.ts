import { encryptionPolicies } from './encryption';
import { taggingPolicies } from './tagging';
import { PackPolicy } from './types';

/** The pack's name, as `pulumi preview --policy-pack` reports it. */
export const PACK_NAME = 'risk-platform';

/** Every policy of the pack, in registration order. Only `index.ts` turns this into a PolicyPack. */
export const policies: PackPolicy[] = [...taggingPolicies, ...encryptionPolicies];
