import { z } from 'zod';
import { otpCodeField } from './fields.js';

export const twoFactorSetupResponse = z.object({ secret: z.string(), otpauth_url: z.string() });
export type TwoFactorSetupResponse = z.infer<typeof twoFactorSetupResponse>;

export const twoFactorCodeRequest = z.object({ code: otpCodeField });
export type TwoFactorCodeRequest = z.infer<typeof twoFactorCodeRequest>;

export const RECOVERY_CODE_COUNT = 10;

export const twoFactorEnableResponse = z.object({ enabled: z.literal(true), recovery_codes: z.array(z.string()) });
export type TwoFactorEnableResponse = z.infer<typeof twoFactorEnableResponse>;

export const twoFactorDisableResponse = z.object({ enabled: z.literal(false) });
export type TwoFactorDisableResponse = z.infer<typeof twoFactorDisableResponse>;

export const recoveryCodesResponse = z.object({ recovery_codes: z.array(z.string()) });
export type RecoveryCodesResponse = z.infer<typeof recoveryCodesResponse>;

export const twoFactorStatusResponse = z.object({ enabled: z.boolean(), recovery_codes_remaining: z.number().int() });
export type TwoFactorStatusResponse = z.infer<typeof twoFactorStatusResponse>;
