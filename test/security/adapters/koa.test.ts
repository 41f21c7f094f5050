import { hostileTokenCasesAgainst } from '../../support/adapter-target';

// The hostile-token catalogue (R1-R5, R7-R12), unchanged, against the
// Koa example app on @authpair/verifier.
describe('the Koa adapter', () => hostileTokenCasesAgainst('koa'));
