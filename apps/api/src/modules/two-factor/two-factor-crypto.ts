import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';

const SALT = 'aius two-factor v1';

/** TOTP_ENCRYPTION_KEY is 32 bytes as hex or base64 (config validates which). */
function decodeKey(value: string): Buffer {
  return /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
}

function derive(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, SALT, purpose, 32));
}

/**
 * The keys and primitives of the two-factor module, all from config:
 * - TOTP secrets are sealed with AES-256-GCM, bound to their user (the user id is the
 *   associated data, so a ciphertext copied onto another row does not open);
 * - recovery codes and challenge tokens are stored only as keyed hashes.
 * Without TOTP_ENCRYPTION_KEY both keys are derived from SESSION_SECRET with HKDF, so
 * rotating SESSION_SECRET then also invalidates enrolled authenticators and codes.
 */
@Injectable()
export class TwoFactorCrypto {
  private readonly sealKey: Buffer;
  private readonly hashKey: Buffer;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'SESSION_SECRET' | 'TOTP_ENCRYPTION_KEY'>) {
    const master = config.TOTP_ENCRYPTION_KEY ? decodeKey(config.TOTP_ENCRYPTION_KEY) : Buffer.from(config.SESSION_SECRET, 'utf8');
    this.sealKey = config.TOTP_ENCRYPTION_KEY ? master : derive(master, 'totp secret encryption');
    this.hashKey = derive(master, 'recovery code hmac');
  }

  /** `iv.tag.ciphertext`, each base64url. */
  seal(plaintext: string, userId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    cipher.setAAD(Buffer.from(userId, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.');
  }

  /** Null when the box was tampered with, sealed for another user or under another key. */
  open(sealed: string, userId: string): string | null {
    const [iv, tag, data] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
    if (!iv || !tag || !data || iv.length !== 12 || tag.length !== 16) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.sealKey, iv);
      decipher.setAAD(Buffer.from(userId, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }

  /**
   * Recovery codes carry 50 random bits, so they need no slow hash against guessing, and
   * a slow hash would forbid the indexed lookup that makes "use once" one atomic UPDATE.
   * Keying the hash with a server secret means a leaked database alone cannot even test
   * guesses offline.
   */
  recoveryCodeHash(normalizedCode: string): string {
    return createHmac('sha256', this.hashKey).update(normalizedCode).digest('hex');
  }

  /** Challenge tokens are 256 random bits: a plain SHA-256 is enough to keep them out of the database. */
  challengeHash(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }
}
