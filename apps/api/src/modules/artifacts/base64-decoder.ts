/** Thrown for text that is not base64; the upload route turns it into 400 INVALID_REQUEST. */
export class InvalidBase64Error extends Error {}

const ALPHABET = /^[A-Za-z0-9+/=]*$/;
const WHITESPACE = /[\t\n\r ]/g;

/**
 * Decodes base64 as it arrives, in pieces of any length: only whole 4-character groups are
 * decoded, the rest waits for the next piece. The standard alphabet; line breaks and spaces
 * (MIME-style wrapping) are skipped; `=` padding is optional but only at the very end.
 * Buffer.from(…, 'base64') alone would silently skip characters it does not know.
 */
export class Base64Decoder {
  private carry = '';
  private padding = 0;

  push(text: string): Buffer | null {
    const clean = text.replace(WHITESPACE, '');
    if (!ALPHABET.test(clean)) throw new InvalidBase64Error('not base64');
    const s = this.carry + clean;
    const eq = s.indexOf('=');
    if (eq !== -1) {
      // Padding seen: nothing but more padding may follow; decoded at the end.
      const pad = s.length - eq;
      if (/[^=]/.test(s.slice(eq)) || pad > 2) throw new InvalidBase64Error('misplaced padding');
      this.padding = pad;
      const whole = eq - (eq % 4);
      this.carry = s.slice(whole);
      return whole > 0 ? Buffer.from(s.slice(0, whole), 'base64') : null;
    }
    const whole = s.length - (s.length % 4);
    this.carry = s.slice(whole);
    return whole > 0 ? Buffer.from(s.slice(0, whole), 'base64') : null;
  }

  /** The last bytes; throws when the text ended in the middle of a group. */
  end(): Buffer | null {
    const s = this.carry;
    this.carry = '';
    if (s === '') return null;
    const data = s.length - this.padding;
    if (data % 4 === 1 || data === 0 || (this.padding > 0 && s.length !== 4)) throw new InvalidBase64Error('truncated');
    return Buffer.from(s, 'base64');
  }
}
