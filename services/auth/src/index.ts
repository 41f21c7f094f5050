export { type AuthService, createAuthService } from './app';
export { runAuthAdmin } from './cli/run';
export { type AdminConfig, type AuthConfig, loadAdminConfig, loadAuthConfig } from './config';
export { migrate, readMigrations } from './db/migrate';
export { createPool } from './db/pool';
export { KeyEncryptionKeys, parseKeyEncryptionKeys } from './keys/key-encryption';
export { computeKeySchedule, type KeySchedule, type KeyScheduleSettings } from './keys/schedule';
export { keyScheduleOf, type SigningKeys } from './keys/signing-keys';
export { type RunningAuthService, startAuthService } from './start';
