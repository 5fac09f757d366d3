import { ERRORS, type ErrorKey } from '@aius/contracts';

/**
 * The one error type services throw for anything a user can cause. The filter turns it
 * into the envelope the registry names; `status`/`message` override the registry's
 * defaults where the spec asks for it (INVALID_CODE is 401 on /2fa/login only, and
 * PASSWORD_TOO_WEAK names the rule that failed).
 */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly key: ErrorKey,
    options: { status?: number; message?: string } = {},
  ) {
    super(options.message ?? ERRORS[key].message);
    this.name = 'ApiError';
    this.status = options.status ?? ERRORS[key].status;
  }
}
