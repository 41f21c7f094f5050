export { type AuthService, createAuthService } from './app';
export { type AuthConfig, loadAuthConfig } from './config';
export { migrate, readMigrations } from './db/migrate';
export { type RunningAuthService, startAuthService } from './start';
