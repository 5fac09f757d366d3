import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const base = { DATABASE_URL: 'postgresql://u@localhost/db', SESSION_SECRET: 's'.repeat(32) };

describe('TRUSTED_PROXIES', () => {
  it('takes IPs, CIDR ranges (v4 and v6, prefix or netmask) and proxy-addr keywords', () => {
    const c = loadConfig({ ...base, TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.7,fd00::/8,::1, 172.16.0.0/255.240.0.0,loopback' });
    expect(c.TRUSTED_PROXIES).toEqual(['10.0.0.0/8', '192.168.1.7', 'fd00::/8', '::1', '172.16.0.0/255.240.0.0', 'loopback']);
  });

  it('refuses a malformed entry at boot with one line, instead of crashing inside Fastify', () => {
    for (const bad of ['10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/8', '::1/129', '300.1.1.1']) {
      expect(() => loadConfig({ ...base, TRUSTED_PROXIES: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, TRUSTED_PROXIES: bad })).toThrow(/^Invalid configuration: TRUSTED_PROXIES must be/);
    }
  });
});
