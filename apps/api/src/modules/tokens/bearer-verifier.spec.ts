import type { Arrival } from '../../common/arrival.js';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../config/config.js';
import type { RedisService } from '../../redis/redis.service.js';
import type { SharedEpochs } from '../../redis/shared-epoch.js';
import { BearerVerifier } from './bearer-verifier.js';
import type { LastUsedRecorder } from './last-used.recorder.js';
import { generateToken, hashToken } from './token-format.js';
import type { TokensRepository } from './tokens.repository.js';

const config = loadConfig({
  DATABASE_URL: 'postgresql://localhost/x',
  SESSION_SECRET: 'x'.repeat(32),
  TOKEN_CACHE_FALLBACK_MS: '50',
});

/**
 * A verifier over fakes: a token table in a Map, a Redis whose markers live in a Set, and a
 * revocation epoch the test sets (null: no fresh epoch, so every warm check reads the marker).
 */
function setup(options: { redisUp?: boolean; noRedis?: boolean } = {}) {
  const epoch = { current: null as string | null, advances: 0 };
  const epochs = {
    register: () => ({ current: () => epoch.current, advance: async () => void epoch.advances++ }),
  } as unknown as SharedEpochs;
  const rows = new Map<string, { id: number; userId: string; clientId: string; revokedAt: Date | null }>();
  const markers = new Set<string>();
  const redisClient = {
    status: options.redisUp === false ? 'reconnecting' : 'ready',
    exists: vi.fn(async (key: string) => (markers.has(key) ? 1 : 0)),
    set: vi.fn(async (key: string) => void markers.add(key)),
    publish: vi.fn(async () => 1),
  };
  const redis = { client: options.noRedis ? null : redisClient, createSubscriber: () => null } as unknown as RedisService;
  const findByHash = vi.fn(async (hash: string) => rows.get(hash) ?? null);
  const repo = { findByHash } as unknown as TokensRepository;
  const touch = vi.fn();
  const verifier = new BearerVerifier(config, redis, repo, { touch } as unknown as LastUsedRecorder, epochs);
  const add = (id: number) => {
    const token = generateToken();
    rows.set(hashToken(token), { id, userId: `usr_${id}`, clientId: 'client_1', revokedAt: null });
    return token;
  };
  const revokeInDb = (token: string) => (rows.get(hashToken(token))!.revokedAt = new Date());
  return { verifier, findByHash, touch, redisClient, add, revokeInDb, markers, epoch };
}

describe(BearerVerifier.name, () => {
  it('a malformed or badly-checksummed token is refused without any lookup', async () => {
    const { verifier, findByHash, redisClient } = setup();
    const good = generateToken();
    for (const bad of ['aius_short', `${good.slice(0, -1)}${good.at(-1) === 'A' ? 'B' : 'A'}`, 'sk-abc', `${good}x`]) {
      expect(await verifier.verify(bad)).toBeNull();
    }
    expect(findByHash).not.toHaveBeenCalled();
    expect(redisClient.exists).not.toHaveBeenCalled();
  });

  it('a warm token costs no database lookup, only the revocation marker check', async () => {
    const { verifier, findByHash, redisClient, add, touch } = setup();
    const token = add(7);
    for (let i = 0; i < 5; i++) expect(await verifier.verify(token)).toMatchObject({ userId: 'usr_7', via: 'bearer', tokenId: 7 });
    expect(findByHash).toHaveBeenCalledTimes(1);
    expect(redisClient.exists).toHaveBeenCalledTimes(4);
    expect(touch).toHaveBeenCalledTimes(5);
  });

  it('an unknown well-formed token is looked up once, however often and concurrently it is sent', async () => {
    const { verifier, findByHash, touch } = setup();
    const unknown = generateToken();
    const results = await Promise.all(Array.from({ length: 50 }, () => verifier.verify(unknown)));
    for (let i = 0; i < 50; i++) results.push(await verifier.verify(unknown));
    expect(results.every((r) => r === null)).toBe(true);
    expect(findByHash).toHaveBeenCalledTimes(1);
    expect(touch).not.toHaveBeenCalled();
  });

  it('a revocation marker set elsewhere refuses a warm token on the next check', async () => {
    const { verifier, add, revokeInDb, markers, findByHash } = setup();
    const token = add(3);
    expect(await verifier.verify(token)).not.toBeNull();
    revokeInDb(token);
    markers.add(`${config.REDIS_PREFIX}tokens:revoked:3`);
    expect(await verifier.verify(token)).toBeNull();
    expect(await verifier.verify(token)).toBeNull();
    expect(findByHash).toHaveBeenCalledTimes(1);
  });

  it('announcing a revocation drops the local entry, sets the marker and publishes', async () => {
    const { verifier, add, redisClient, revokeInDb } = setup();
    const token = add(4);
    await verifier.verify(token);
    revokeInDb(token);
    await verifier.announceRevocations([{ tokenHash: hashToken(token), id: 4 }]);
    expect(redisClient.set).toHaveBeenCalledWith(`${config.REDIS_PREFIX}tokens:revoked:4`, '1', 'EX', 3600);
    expect(redisClient.publish).toHaveBeenCalledWith(`${config.REDIS_PREFIX}tokens:revocations`, hashToken(token));
    expect(await verifier.verify(token)).toBeNull();
  });

  it('while the revocation epoch stands still, a token found live under it needs no marker read', async () => {
    const { verifier, redisClient, add, epoch, markers } = setup();
    const token = add(13);
    epoch.current = 'e1';
    await verifier.verify(token); // from Postgres, filed under e1
    for (let i = 0; i < 5; i++) expect(await verifier.verify(token)).not.toBeNull();
    expect(redisClient.exists).not.toHaveBeenCalled();
    // A revoke elsewhere: the marker first, then the epoch moves; the next check reads the marker.
    markers.add(`${config.REDIS_PREFIX}tokens:revoked:13`);
    epoch.current = 'e2';
    expect(await verifier.verify(token)).toBeNull();
    expect(redisClient.exists).toHaveBeenCalledTimes(1);
  });

  it('a stale epoch (null) always means a marker read, and a moved epoch one more read per token', async () => {
    const { verifier, redisClient, add, epoch } = setup();
    const token = add(14);
    await verifier.verify(token); // loaded with no fresh epoch: filed under none
    epoch.current = 'e1';
    await verifier.verify(token); // read, found live, now filed under e1
    await verifier.verify(token);
    expect(redisClient.exists).toHaveBeenCalledTimes(1);
    epoch.current = null;
    await verifier.verify(token);
    epoch.current = 'e2';
    await verifier.verify(token);
    await verifier.verify(token);
    expect(redisClient.exists).toHaveBeenCalledTimes(3);
  });

  it('announcing a revocation moves the epoch only after the marker is set', async () => {
    const { verifier, add, redisClient, epoch } = setup();
    const token = add(15);
    await verifier.verify(token);
    let markerSetBeforeAdvance = false;
    redisClient.set.mockImplementationOnce(async () => void (markerSetBeforeAdvance = epoch.advances === 0));
    await verifier.announceRevocations([{ tokenHash: hashToken(token), id: 15 }]);
    expect(markerSetBeforeAdvance).toBe(true);
    expect(epoch.advances).toBe(1);
  });

  it('with Redis down a cached token is re-checked in Postgres once the fallback window passes', async () => {
    const { verifier, add, revokeInDb, findByHash } = setup({ redisUp: false });
    const token = add(5);
    expect(await verifier.verify(token)).not.toBeNull();
    expect(await verifier.verify(token)).not.toBeNull(); // inside the window: trusted
    expect(findByHash).toHaveBeenCalledTimes(1);
    revokeInDb(token);
    await new Promise((r) => setTimeout(r, 80));
    expect(await verifier.verify(token)).toBeNull();
    expect(findByHash).toHaveBeenCalledTimes(2);
  });

  it('without Redis configured the same bounded re-check applies', async () => {
    const { verifier, add, revokeInDb } = setup({ noRedis: true });
    const token = add(6);
    expect(await verifier.verify(token)).not.toBeNull();
    revokeInDb(token);
    await new Promise((r) => setTimeout(r, 80));
    expect(await verifier.verify(token)).toBeNull();
  });

  describe('the marker read started as the request arrives', () => {
    /** Runs the verifier's arrival step for one request; `arrive` returns what it wrote. */
    function withHook(verifier: BearerVerifier) {
      return (authorization: string | undefined, routed = true) => {
        const request = { id: 'req-1', method: 'GET', url: '/api/v1/models', ip: '127.0.0.1', headers: { authorization } };
        const arrival: Arrival = { route: routed ? '/api/v1/models' : undefined, bearer: null, clientListVersion: null, rateDecision: null, tokenDecision: null, principal: null };
        // A synchronous step: it never holds the request up.
        expect(verifier.arrive(request, arrival)).toBeUndefined();
        return arrival;
      };
    }

    it('is the only marker read of a warm token on that request', async () => {
      const { verifier, add, redisClient } = setup();
      const arrive = withHook(verifier);
      const token = add(8);
      await verifier.verify(token); // warm
      const request = arrive(`Bearer ${token}`);
      expect(redisClient.exists).toHaveBeenCalledTimes(1);
      expect(await verifier.verify(token, request.bearer)).toMatchObject({ tokenId: 8 });
      expect(redisClient.exists).toHaveBeenCalledTimes(1);
    });

    it('refuses a warm token whose marker it finds', async () => {
      const { verifier, add, markers } = setup();
      const arrive = withHook(verifier);
      const token = add(9);
      await verifier.verify(token);
      markers.add(`${config.REDIS_PREFIX}tokens:revoked:9`);
      expect(await verifier.verify(token, arrive(`bearer  ${token} `).bearer)).toBeNull();
    });

    it('is not started for unknown, malformed or cold tokens, nor for unrouted requests', async () => {
      const { verifier, add, redisClient } = setup();
      const arrive = withHook(verifier);
      const warm = add(10);
      await verifier.verify(warm);
      arrive(`Bearer ${generateToken()}`);
      arrive('Bearer aius_short');
      arrive(`Basic ${warm}`);
      arrive(undefined);
      arrive(`Bearer ${warm}`, false);
      expect(redisClient.exists).not.toHaveBeenCalled();
    });

    it('is not used when the request is verified with another token', async () => {
      const { verifier, add, redisClient, markers } = setup();
      const arrive = withHook(verifier);
      const a = add(11);
      const b = add(12);
      await verifier.verify(a);
      await verifier.verify(b);
      markers.add(`${config.REDIS_PREFIX}tokens:revoked:12`);
      const request = arrive(`Bearer ${a}`);
      expect(await verifier.verify(b, request.bearer)).toBeNull();
      expect(redisClient.exists).toHaveBeenCalledTimes(2);
    });
  });

  describe('the same-tick answer (verifyNow)', () => {
    /** A warm token filed under epoch e1, and a request that arrived with it. */
    async function warmRequest(options: { epoch?: string | null; revokedElsewhere?: boolean } = {}) {
      const fixture = setup();
      const token = fixture.add(20);
      fixture.epoch.current = 'e1';
      await fixture.verifier.verify(token); // from Postgres, filed under e1
      fixture.epoch.current = options.epoch === undefined ? 'e1' : options.epoch;
      if (options.revokedElsewhere) fixture.markers.add(`${config.REDIS_PREFIX}tokens:revoked:20`);
      const request = { id: 'req-1', method: 'POST', url: '/api/v1/chat/completions', ip: '127.0.0.1', headers: { authorization: `Bearer ${token}` } };
      const arrival: Arrival = { route: '/api/v1/chat/completions', bearer: null, clientListVersion: null, rateDecision: null, tokenDecision: null, principal: null };
      fixture.verifier.arrive(request, arrival);
      return { ...fixture, token, known: arrival.bearer! };
    }

    it('answers a warm token the epoch vouches for without Redis or Postgres, and counts its use', async () => {
      const { verifier, known, redisClient, findByHash, touch } = await warmRequest();
      touch.mockClear();
      expect(verifier.verifyNow(known)).toMatchObject({ userId: 'usr_20', via: 'bearer', tokenId: 20 });
      expect(redisClient.exists).not.toHaveBeenCalled();
      expect(findByHash).toHaveBeenCalledTimes(1);
      expect(touch).toHaveBeenCalledWith(20);
    });

    it('leaves the token to verify when its marker had to be read (the epoch moved)', async () => {
      const { verifier, token, known, redisClient } = await warmRequest({ epoch: 'e2', revokedElsewhere: true });
      expect(redisClient.exists).toHaveBeenCalledTimes(1);
      expect(verifier.verifyNow(known)).toBeUndefined();
      expect(await verifier.verify(token, known)).toBeNull();
    });

    it('refuses nothing itself, and answers nothing once a revocation was heard after arrival', async () => {
      const { verifier, token, known } = await warmRequest();
      // A revoke on this instance (or its pub/sub message from another) between arrival and the check.
      await verifier.announceRevocations([{ tokenHash: hashToken(token), id: 20 }]);
      expect(verifier.verifyNow(known)).toBeUndefined();
      expect(await verifier.verify(token, known)).toBeNull();
    });
  });
});
