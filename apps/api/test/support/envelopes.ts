import type { ErrorKey } from '@aius/contracts';
import { expect } from 'vitest';

/** The account side's structured envelope (spec §2) with the given code, whatever its message. */
export const coded = (code: ErrorKey) => ({ detail: { code, message: expect.any(String) } });

/** The account side's structured envelope with the given code and exactly this message. */
export const structured = (code: ErrorKey, message: string) => ({ detail: { code, message } });
