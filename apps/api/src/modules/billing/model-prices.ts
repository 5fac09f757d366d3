import type { AppConfig } from '../../config/config.js';

/** 1 credit = $0.01 = 1,000,000 micro-credits: the ledger's integer unit. */
export const MICRO_PER_CREDIT = 1_000_000;
export const toMicro = (credits: number) => Math.round(credits * MICRO_PER_CREDIT);
export const toCredits = (micro: number | bigint) => Number(micro) / MICRO_PER_CREDIT;

export interface Price {
  readonly input: number;
  readonly output: number;
}

const FREE: Price = { input: 0, output: 0 };

/**
 * MODEL_PRICES (spec §12): USD per million tokens, per model id as the client names it, `"*"` for
 * every other. USD per million tokens × tokens × 100 credits per USD ÷ 1e6 tokens × 1e6 micro =
 * tokens × price × 100 micro-credits; rounded up, so no call is ever free by rounding. A call
 * looks its model's price up once, when it is held (a Map: the model comes as a fresh string from
 * each request's body), and keeps it for its settle.
 */
export class ModelPrices {
  private readonly prices: Map<string, Price>;
  private readonly other: Price;

  constructor(prices: AppConfig['MODEL_PRICES']) {
    this.prices = new Map(Object.entries(prices));
    this.other = prices['*'] ?? FREE;
  }

  of(model: string): Price {
    return this.prices.get(model) ?? this.other;
  }

  cost(price: Price, promptTokens: number, completionTokens: number): number {
    return Math.ceil((promptTokens * price.input + completionTokens * price.output) * 100);
  }

  /**
   * A call's largest possible cost, held while it runs: its input at the input price (counted as
   * one token per byte of the request, an upper bound for every tokenizer in use) and its
   * `max_tokens` (or the configured cap) at the output price.
   */
  hold(price: Price, requestBytes: number, maxOutputTokens: number): number {
    return this.cost(price, requestBytes, maxOutputTokens);
  }
}
