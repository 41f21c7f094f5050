import { AuthpairError, type FieldError } from '@authpair/contracts';
import type { z } from 'zod';

/** One reason per field, in the words the schema gives. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors.push({ field: key, reason: 'is not a known field' });
      continue;
    }
    const field = issue.path.map(String).join('.');
    if (!errors.some((known) => known.field === field))
      errors.push({ field, reason: issue.message });
  }
  return errors;
}

/**
 * Parses the request body with a schema; handlers receive the typed result.
 * A failure is a 400 `validation_failed` naming each field and why.
 */
export function parseWith<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = fieldErrors(result.error);
  const detail = errors.map(({ field, reason }) => `${field || 'body'} ${reason}`).join('; ');
  throw new AuthpairError('validation_failed', detail, { errors });
}
