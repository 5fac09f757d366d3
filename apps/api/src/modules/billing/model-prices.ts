import type { AppConfig } from '../../config/config.js';

/** 1 credit = $0.01 = 1,000,000 micro-credits: the ledger's integer unit. */
export const MICRO_PER_CREDIT = 1_000_000;
export const toMicro = (credits: number) => Math.round(credits * MICRO_PER_CREDIT);
export const toCredits = (micro: number | bigint) => Number(micro) / MICRO_PER_CREDIT;

interface Price {
  input: number;
  output: number;
}

/**
 * MODEL_PRICES (spec §12): USD per million tokens, per model id as the client names it, `"*"` for
 * every other. USD per million tokens × tokens × 100 credits per USD ÷ 1e6 tokens × 1e6 micro =
 * tokens × price × 100 micro-credits; rounded up, so no call is ever free by rounding.
 */
export class ModelPrices {
  constructor(private readonly prices: AppConfig['MODEL_PRICES']) {}

  private of(model: string): Price {
    return this.prices[model] ?? this.prices['*'] ?? { input: 0, output: 0 };
  }

  cost(model: string, promptTokens: number, completionTokens: number): number {
    const p = this.of(model);
    return Math.ceil((promptTokens * p.input + completionTokens * p.output) * 100);
  }

  /**
   * A call's largest possible cost, held while it runs: its input at the input price (counted as
   * one token per byte of the request, an upper bound for every tokenizer in use) and its
   * `max_tokens` (or the configured cap) at the output price.
   */
  hold(model: string, requestBytes: number, maxOutputTokens: number): number {
    return this.cost(model, requestBytes, maxOutputTokens);
  }
}
