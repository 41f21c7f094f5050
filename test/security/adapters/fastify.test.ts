import { hostileTokenCasesAgainst } from '../../support/adapter-target';

// The hostile-token catalogue (R1-R5, R7-R12), unchanged, against the
// Fastify example app on @authpair/verifier.
describe('the Fastify adapter', () => hostileTokenCasesAgainst('fastify'));
