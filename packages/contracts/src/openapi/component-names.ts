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

/** Descriptions carry no `$schema` nor `$id`: their schemas are addressed by path. */
export function strip(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}
