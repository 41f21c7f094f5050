export {
  type EmbeddedPostgresOptions,
  type RunningEmbeddedPostgres,
  startEmbeddedPostgres,
} from './embedded-postgres';
