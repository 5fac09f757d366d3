import { z } from 'zod';
import * as contracts from '../index.js';

/**
 * Each zod schema exported by the contracts → its component name in the API descriptions
 * (`registerRequest` → `RegisterRequest`); an alias keeps the later name.
 */
export function componentNames(): Map<z.ZodType, string> {
  const names = new Map<z.ZodType, string>();
  for (const [key, value] of Object.entries(contracts)) {
    if (!(value instanceof z.ZodType)) continue;
    const base = key.endsWith('Schema') ? key.slice(0, -'Schema'.length) : key;
    names.set(value, base.charAt(0).toUpperCase() + base.slice(1));
  }
  return names;
}

/**
 * The JSON Schemas of `schemas` as zod writes them, keyed by component name, each referring
 * to the others under `#/components/schemas/` (the path both documents keep them at).
 */
export function componentSchemas(
  schemas: Iterable<z.ZodType>,
  options: { io: 'input' | 'output'; target: 'draft-2020-12' | 'draft-7'; name: (s: z.ZodType) => string },
): Record<string, Record<string, unknown>> {
  const registry = z.registry<{ id: string }>();
  for (const schema of schemas) registry.add(schema, { id: options.name(schema) });
  const { schemas: out } = z.toJSONSchema(registry, {
    io: options.io,
    target: options.target,
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Record<string, unknown>> };
  return Object.fromEntries(Object.entries(out).map(([id, schema]) => [id, strip(schema)]));
}

/** Descriptions carry no `$schema` nor `$id`: their schemas are addressed by path. */
export function strip(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}
