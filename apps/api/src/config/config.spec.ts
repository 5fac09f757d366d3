import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig } from './config.js';

const base = { DATABASE_URL: 'postgresql://u@localhost/db', SESSION_SECRET: 's'.repeat(32) };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(base);
    expect(c.PORT).toBe(8000);
    expect(c.SESSION_TTL_SECONDS).toBe(7 * 24 * 3600);
    expect(c.RATE_LIMIT_DEFAULT_PER_MINUTE).toBe(600);
    expect(c.RATE_LIMIT_CREDENTIAL_PER_MINUTE).toBe(10);
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.TRUSTED_PROXIES).toEqual(['127.0.0.1', '::1']);
    expect(c.RUN_MAX_ITERATIONS).toBe(50);
    expect(c.RUN_TOOL_RESULT_TIMEOUT_SECONDS).toBe(3600);
    expect(c.RUN_MODEL_ALIASES).toEqual({});
    expect(c.RUN_STORE_TRANSCRIPTS).toBe(false);
    expect(c.ADMIN_EMAILS).toEqual([]);
  });

  it('reads the run loop settings', () => {
    const c = loadConfig({ ...base, RUN_MODEL_ALIASES: '{"anthropic/claude-opus-4.8-fast":"claude-opus"}', ADMIN_EMAILS: ' Root@Example.com, ops@example.com ' });
    expect(c.RUN_MODEL_ALIASES).toEqual({ 'anthropic/claude-opus-4.8-fast': 'claude-opus' });
    expect(c.ADMIN_EMAILS).toEqual(['root@example.com', 'ops@example.com']);
  });

  it('fails with one line naming the variable', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ ...base, PORT: 'eighty' }, /^Invalid configuration: PORT must be an integer between 1 and 65535$/],
      [{ ...base, PORT: '70000' }, /^Invalid configuration: PORT /],
      [{ DATABASE_URL: base.DATABASE_URL }, /^Invalid configuration: SESSION_SECRET is required/],
      [{ ...base, SESSION_SECRET: 'short' }, /^Invalid configuration: SESSION_SECRET must be at least 32 characters$/],
      [{ ...base, DATABASE_URL: 'mysql://x' }, /^Invalid configuration: DATABASE_URL must be a postgresql:\/\/ URL$/],
      [{ ...base, REDIS_URL: 'nope' }, /^Invalid configuration: REDIS_URL /],
      [{ ...base, APP_ORIGINS: 'ftp://x' }, /^Invalid configuration: APP_ORIGINS /],
      [{ ...base, RUN_MODEL_ALIASES: 'not json' }, /^Invalid configuration: RUN_MODEL_ALIASES must be a JSON object of model → model$/],
      [{ ...base, RUN_MODEL_ALIASES: '{"a":""}' }, /^Invalid configuration: RUN_MODEL_ALIASES /],
      [{ ...base, BILLING_MODE: 'credits', MODEL_PRICES: '{}' }, /^Invalid configuration: MODEL_PRICES must price "\*" \(every other model\) when BILLING_MODE=credits$/],
    ];
    for (const [env, message] of cases) {
      let error: unknown;
      try {
        loadConfig(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('lets the command-line tools read single settings (the admin and migrate CLIs pick from configSchema)', () => {
    expect(loadConfig({ DATABASE_URL: base.DATABASE_URL }, configSchema.pick({ DATABASE_URL: true }))).toEqual({ DATABASE_URL: base.DATABASE_URL });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ ...base, REDIS_URL: '' }).REDIS_URL).toBeUndefined();
  });
});
