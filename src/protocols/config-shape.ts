import type { z } from 'zod';

// Reading a protocol's config schema as data: the keys an admin form must offer (the test
// test/http/app-form-fields.test.ts derives them from here, so a new schema key without a
// field fails it) and each key's default (what a new app's form shows before anyone types).

type Def = { type: string; innerType?: z.ZodType; out?: z.ZodType; in?: z.ZodType; defaultValue?: unknown; shape?: Record<string, z.ZodType> };
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schema under optional, default, nullable and preprocess wrappers. */
export function unwrapped(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') && def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.out && defOf(def.out).type !== 'transform') current = def.out;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else return current;
  }
}

/** An object schema's own keys, or none when it is not an object. */
function shapeOf(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const inner = unwrapped(schema);
  return defOf(inner).type === 'object' ? (inner as unknown as { shape: Record<string, z.ZodType> }).shape : undefined;
}

/** Every leaf key of a config schema, nested objects as dotted paths (`claims.email`). */
export function configPathsOf(schema: z.ZodType): string[] {
  const walk = (shape: Record<string, z.ZodType>, prefix: string): string[] =>
    Object.entries(shape).flatMap(([key, value]) => {
      const nested = shapeOf(value);
      return nested ? walk(nested, `${prefix}${key}.`) : [`${prefix}${key}`];
    });
  return walk(shapeOf(schema) ?? {}, '');
}

/** The default of the key at a dotted path (`claims.email`), or undefined when it has none. */
export function defaultAt(schema: z.ZodType, path: string): unknown {
  let current: z.ZodType | undefined = schema;
  let fromParent: unknown;
  for (const key of path.split('.')) {
    const shape: Record<string, z.ZodType> | undefined = current ? shapeOf(current) : undefined;
    const parentDefault = fromParent ?? (current ? defaultOf(current) : undefined);
    current = shape?.[key];
    fromParent = parentDefault && typeof parentDefault === 'object' ? (parentDefault as Record<string, unknown>)[key] : undefined;
  }
  return current ? (defaultOf(current) ?? fromParent) : fromParent;
}

function defaultOf(schema: z.ZodType): unknown {
  let current: z.ZodType | undefined = schema;
  while (current) {
    const def = defOf(current);
    if (def.type === 'default') return def.defaultValue;
    current = def.type === 'optional' || def.type === 'nullable' ? def.innerType : undefined;
  }
  return undefined;
}
