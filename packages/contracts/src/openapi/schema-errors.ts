import { z } from 'zod';
import { isErrorKey, type ErrorKey } from '../errors.js';

/**
 * Keys a refinement raises from inside its own function (a `superRefine` whose message
 * depends on the input), which no walk of the schema's definition can see. The field that
 * raises one registers it here, beside the `addIssue` that spells it.
 */
export const raisedKeys = z.registry<{ keys: readonly ErrorKey[] }>();

type ErrorFn = (issue: Record<string, unknown>) => unknown;
interface Def {
  type: string;
  error?: ErrorFn;
  checks?: { _zod: { def: { error?: ErrorFn } } }[];
  [child: string]: unknown;
}

/**
 * A field's type error can name different keys for an absent field and for a value of the
 * wrong type (`MISSING_NAME` vs `INVALID_REQUEST`): its error function is asked about both.
 */
const PROBES: Record<string, unknown>[] = [
  { code: 'invalid_type', input: undefined },
  { code: 'invalid_type', input: 0 },
];

function keysOf(error: ErrorFn | undefined, into: Set<ErrorKey>): void {
  if (!error) return;
  for (const probe of PROBES) {
    const value = error(probe);
    const message = typeof value === 'string' ? value : (value as { message?: unknown } | undefined)?.message;
    if (isErrorKey(message)) into.add(message);
  }
}

/**
 * Every error key a contract schema can report, read from its definition: the schemas put a
 * key as the message of each check (`.min(1, 'MISSING_NAME')`), which is what the API's
 * contract pipe turns into the answered code. Issues without a key become INVALID_REQUEST
 * there; callers add that themselves where a client can cause one.
 */
export function schemaErrorKeys(schema: z.ZodType): Set<ErrorKey> {
  const keys = new Set<ErrorKey>();
  const seen = new Set<unknown>();
  const visit = (node: unknown): void => {
    if (!(node instanceof z.ZodType) || seen.has(node)) return;
    seen.add(node);
    for (const key of raisedKeys.get(node)?.keys ?? []) keys.add(key);
    const def = node._zod.def as unknown as Def;
    keysOf(def.error, keys);
    for (const check of def.checks ?? []) keysOf(check._zod.def.error, keys);
    // Children: object shapes, wrappers (optional, default, pipe…), arrays, unions, records.
    for (const child of [def.innerType, def.in, def.out, def.element, def.catchall, def.left, def.right, def.keyType, def.valueType]) {
      visit(child);
    }
    if (def.shape && typeof def.shape === 'object') for (const child of Object.values(def.shape)) visit(child);
    if (Array.isArray(def.options)) for (const child of def.options) visit(child);
    if (Array.isArray(def.items)) for (const child of def.items) visit(child);
  };
  visit(schema);
  return keys;
}
