import { ResourceValidationPolicy } from '@pulumi/policy';
import { forTypes, label, str, statementsOf } from './props';

const KEY = 'aws:kms/key:Key';
const REPLICA_KEY = 'aws:kms/replicaKey:ReplicaKey';
const KEY_POLICY = 'aws:kms/keyPolicy:KeyPolicy';

/** Symmetric customer-managed keys rotate their material yearly (a replica key follows its primary). */
export const kmsKeyRotation: ResourceValidationPolicy = {
  name: 'kms-key-rotation',
  description: 'Symmetric KMS keys must have automatic key rotation enabled.',
  enforcementLevel: 'mandatory',
  validateResource: forTypes([KEY], ({ name, props }, report) => {
    const spec = str(props.customerMasterKeySpec) ?? 'SYMMETRIC_DEFAULT';
    if (spec !== 'SYMMETRIC_DEFAULT') return; // asymmetric and HMAC keys cannot rotate automatically
    if (props.enableKeyRotation !== true) {
      report(`${label(KEY, name)} must rotate its key material; set enableKeyRotation: true.`);
    }
  }),
};

/** Key policies never grant to `*`: every principal is a named account, role or service. */
export const kmsNoWildcardPrincipal: ResourceValidationPolicy = {
  name: 'kms-no-wildcard-principal',
  description: "KMS key policies must not allow the '*' principal.",
  enforcementLevel: 'mandatory',
  validateResource: forTypes([KEY, REPLICA_KEY, KEY_POLICY], ({ type, name, props }, report) => {
    const bad = statementsOf(props.policy).filter((s) => s.effect === 'Allow' && s.principals.wildcard);
    if (bad.length > 0) {
      report(
        `${label(type, name)} must not allow the '*' principal (statement ${bad.map((s) => s.sid ?? '<no Sid>').join(', ')}); ` +
          "grant the account root (arn:aws:iam::<account>:root) and the platform's roles or services by name instead.",
      );
    }
  }),
};

export const keyPolicies = [kmsKeyRotation, kmsNoWildcardPrincipal];
