import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { logFormat } from './logger.js';

const config = (env: Record<string, string>) =>
  loadConfig({ DATABASE_URL: 'postgresql://localhost/x', SESSION_SECRET: 's'.repeat(32), ...env });

describe(logFormat.name, () => {
  it('is JSON unless a developer is at a terminal, and LOG_FORMAT always wins', () => {
    const tty = process.stdout.isTTY;
    try {
      process.stdout.isTTY = true;
      expect(logFormat(config({ NODE_ENV: 'development' }))).toBe('pretty');
      expect(logFormat(config({ NODE_ENV: 'production' }))).toBe('json');
      expect(logFormat(config({ NODE_ENV: 'development', LOG_FORMAT: 'json' }))).toBe('json');
      process.stdout.isTTY = false;
      expect(logFormat(config({ NODE_ENV: 'development' }))).toBe('json');
      expect(logFormat(config({ NODE_ENV: 'production', LOG_FORMAT: 'pretty' }))).toBe('pretty');
    } finally {
      process.stdout.isTTY = tty;
    }
  });
});
