/**
 * `@authpair/client`: the authpair client for browsers and Node. See
 * docs/client.md for the API, the events, storage and the multi-tab design.
 */
export {
  AuthpairClient,
  type Credentials,
  DEFAULT_REFRESH_TIMEOUT_MS,
  type LogoutOptions,
} from './client';
export {
  AuthpairClientError,
  type AuthpairErrorCode,
  type ClientErrorCode,
  isClientError,
  type ProblemBody,
} from './errors';
export {
  localStorageAdapter,
  memoryStorage,
  type StorageAdapter,
  type StorageScope,
  sessionStorageAdapter,
  type WebStorageLike,
  webStorage,
} from './storage';
export type {
  AuthChange,
  AuthChangeCallback,
  AuthChangeEvent,
  AuthpairClientOptions,
  ChannelLike,
  CrossTabOptions,
  LockManagerLike,
  RetryOptions,
  Session,
  SessionUser,
  SignOutReason,
  VisibilityLike,
} from './types';
