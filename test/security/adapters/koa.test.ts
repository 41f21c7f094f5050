import { hostileTokenCasesAgainst } from '../../support/adapter-target';

// The hostile-token catalogue of SECURITY.md (entries 1-5, 7-12), unchanged, against the
// Koa example app on @authpair/verifier.
describe('the Koa adapter', () => hostileTokenCasesAgainst('koa'));
