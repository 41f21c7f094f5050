/**
 * A fast-check arbitrary from a zod 4 schema: values of the shape the
 * schema describes (types, lengths, bounds, enums, formats, which keys are
 * required), generated from the same schemas the services validate with,
 * so the fuzzer follows the contract as it changes. Refinements written as
 * code (`superRefine`) cannot be read back from a schema; where a field
 * needs one to be valid (a username's character set), the caller passes an
 * arbitrary for that key in `fields`, and checks the result with the schema.
 */
import fc from 'fast-check';
import type { z } from 'zod';

interface Check {
  check: string;
  minimum?: number;
  maximum?: number;
  length?: number;
  value?: number;
  inclusive?: boolean;
  format?: string;
  pattern?: RegExp | string;
}

interface Def {
  type: string;
  checks?: Array<{ _zod: { def: Check } }>;
  format?: string;
  coerce?: boolean;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string | number>;
  values?: unknown[];
}

export interface ArbitraryOptions {
  /** Arbitraries for object members by name, wherever they occur (refinements a schema cannot show). */
  fields?: Record<string, fc.Arbitrary<unknown>>;
  /** Longest string generated where the schema allows longer (speed; long inputs are the hostile generator's job). */
  maxStringLength?: number;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function checksOf(def: Def): Check[] {
  return (def.checks ?? []).map((check) => check._zod.def);
}

/** Whether an object member may be left out: the schema accepts `undefined` there. */
export function isOptional(schema: z.ZodType): boolean {
  try {
    return schema.safeParse(undefined).success;
  } catch {
    return false;
  }
}

function stringArbitrary(def: Def, maxStringLength: number): fc.Arbitrary<string> {
  const checks = checksOf(def);
  const format = def.format ?? checks.find((check) => check.check === 'string_format')?.format;
  if (format === 'uuid' || format === 'guid') return fc.uuid();
  if (format === 'datetime')
    return fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((date) => date.toISOString());
  const regex = checks.find((check) => check.format === 'regex')?.pattern;
  if (regex !== undefined) return fc.stringMatching(new RegExp(regex));
  let minLength = 0;
  let maxLength = maxStringLength;
  for (const check of checks) {
    if (check.check === 'min_length' && check.minimum !== undefined) minLength = check.minimum;
    if (check.check === 'max_length' && check.maximum !== undefined)
      maxLength = Math.min(check.maximum, maxStringLength);
    if (check.check === 'length_equals' && check.length !== undefined)
      minLength = maxLength = check.length;
  }
  maxLength = Math.max(minLength, maxLength);
  // Whole graphemes of any script: a valid string is well-formed Unicode.
  return fc.string({ minLength, maxLength, unit: 'grapheme' });
}

function numberArbitrary(def: Def): fc.Arbitrary<number> {
  let min = Number.MIN_SAFE_INTEGER;
  let max = Number.MAX_SAFE_INTEGER;
  let integer = false;
  for (const check of checksOf(def)) {
    if (check.check === 'number_format' && /int/.test(check.format ?? '')) integer = true;
    if (check.check === 'greater_than' && check.value !== undefined)
      min = check.inclusive ? check.value : check.value + (integer ? 1 : Number.EPSILON);
    if (check.check === 'less_than' && check.value !== undefined)
      max = check.inclusive ? check.value : check.value - (integer ? 1 : Number.EPSILON);
  }
  if (integer || def.format === 'safeint') return fc.integer({ min, max });
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/** Values the schema's shape accepts; throws on a zod type it does not know, so a new one is noticed. */
export function arbitraryOf(
  schema: z.ZodType,
  options: ArbitraryOptions = {},
): fc.Arbitrary<unknown> {
  const { fields = {}, maxStringLength = 64 } = options;
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      return stringArbitrary(def, maxStringLength);
    case 'number':
    case 'int':
      return numberArbitrary(def);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'literal':
      return fc.constantFrom(...(def.values ?? []));
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries ?? {}));
    case 'object': {
      const shape = def.shape ?? {};
      const members: Record<string, fc.Arbitrary<unknown>> = {};
      const requiredKeys: string[] = [];
      for (const [key, member] of Object.entries(shape)) {
        members[key] = fields[key] ?? arbitraryOf(member, options);
        // An override decides for itself whether the member is left out (by giving undefined).
        if (fields[key] !== undefined || !isOptional(member)) requiredKeys.push(key);
      }
      return fc.record(members, { requiredKeys });
    }
    case 'array': {
      let minLength = 0;
      let maxLength = 4;
      for (const check of checksOf(def)) {
        if (check.check === 'min_length' && check.minimum !== undefined) minLength = check.minimum;
        if (check.check === 'max_length' && check.maximum !== undefined)
          maxLength = Math.min(check.maximum, 4);
      }
      return fc.array(arbitraryOf(def.element as z.ZodType, options), {
        minLength,
        maxLength: Math.max(minLength, maxLength),
      });
    }
    case 'optional':
      return fc.option(arbitraryOf(def.innerType as z.ZodType, options), { nil: undefined });
    case 'nullable':
      return fc.option(arbitraryOf(def.innerType as z.ZodType, options), { nil: null });
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return arbitraryOf(def.innerType as z.ZodType, options);
    case 'pipe': {
      // z.preprocess(fn, schema) is a pipe from a transform: generate what the schema after it takes.
      const input = def.in as z.ZodType;
      return defOf(input).type === 'transform'
        ? arbitraryOf(def.out as z.ZodType, options)
        : arbitraryOf(input, options);
    }
    case 'union':
      return fc.oneof(...(def.options ?? []).map((option) => arbitraryOf(option, options)));
    case 'unknown':
    case 'any':
      return fc.jsonValue();
    default:
      throw new Error(`arbitraryOf: no arbitrary for a zod ${def.type} schema; add one`);
  }
}

/** The member names of an object schema (after unwrapping optional, default, pipe). */
export function memberNames(schema: z.ZodType | undefined): string[] {
  if (schema === undefined) return [];
  const def = defOf(schema);
  if (def.type === 'object') return Object.keys(def.shape ?? {});
  const inner = def.innerType ?? def.out;
  return inner === undefined ? [] : memberNames(inner);
}
