import { hostileTokenCasesAgainst } from '../../support/adapter-target';

// The hostile-token catalogue of SECURITY.md (entries 1-5, 7-12), unchanged, against the
// Fastify example app on @authpair/verifier.
describe('the Fastify adapter', () => hostileTokenCasesAgainst('fastify'));
