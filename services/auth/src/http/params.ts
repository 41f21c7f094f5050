import { AuthpairError } from '@authpair/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether `value` is an id as PostgreSQL prints a uuid. */
export function isUuid(value: string | undefined): value is string {
  return value !== undefined && UUID.test(value);
}

/** A path id: anything that is not a uuid names nothing here, so it is a 404, never a 500. */
export function idParam(value: string | undefined, what: string): string {
  if (!isUuid(value)) throw new AuthpairError('not_found', `no ${what} has this id`);
  return value;
}
