const coarse = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const fine = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 2 });

/**
 * Credits in words (1 credit = $0.01). Two decimals are enough for a balance, but one call can
 * cost a thousandth of a credit: such an amount keeps two significant digits instead of reading 0.
 */
export function formatCredits(n: number): string {
  return n !== 0 && Math.abs(n) < 0.01 ? fine.format(n) : coarse.format(n);
}
