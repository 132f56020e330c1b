// The CrossGuard entry point: `pulumi preview --policy-pack policies`. It alone constructs the
// PolicyPack (which starts a gRPC server and never returns); the rules live in importable modules so
// the offline runner (tools/policy) and the tests can evaluate them without starting a server.
import { PolicyPack } from '@pulumi/policy';
import { PACK_NAME, policies } from './pack';

new PolicyPack(PACK_NAME, { enforcementLevel: 'mandatory', policies });
