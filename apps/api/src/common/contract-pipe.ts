import type { PipeTransform } from '@nestjs/common';
import { validationError, type ErrorKey } from '@aius/contracts';
import type { z } from 'zod';
import { ApiError } from './api-error.js';

/**
 * Validates one part of the request against the contract's zod schema. The schemas
 * put an error key in each issue's message, so a failure becomes the spec's code
 * (MISSING_NAME, INVALID_EMAIL, …); anything the schema did not name is INVALID_REQUEST.
 * When several checks fail, VALIDATION_PRIORITY decides which one the caller hears about.
 */
export class ContractPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly statusOverrides: Partial<Record<ErrorKey, number>> = {},
  ) {}

  transform(value: unknown): z.output<S> {
    // A request with no body at all is treated as an empty object, so the caller
    // hears which field is missing rather than that the body was absent.
    const result = this.schema.safeParse(value === undefined ? {} : value);
    if (result.success) return result.data;
    const { key, message } = validationError(result.error.issues);
    throw new ApiError(key, { status: this.statusOverrides[key], message });
  }
}
