import { hostileTokenCasesAgainst } from '../../support/adapter-target';

// The hostile-token catalogue (R1-R5, R7-R12), unchanged, against the
// Express example app on @authpair/verifier.
describe('the Express adapter', () => hostileTokenCasesAgainst('express'));
