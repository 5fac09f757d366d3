import { vi } from 'vitest';
import { PrismaService } from '@aius/db';
import { RedisService } from '../../src/redis/redis.service.js';
import type { TestApp } from './test-app.js';

/** Counts the `command` calls an instance makes on its shared Redis connection from now on. */
export function countRedisCommand(app: TestApp, command: 'get' | 'exists'): () => number {
  const redis = app.app.get(RedisService);
  const client = redis.client!;
  let calls = 0;
  const counting = new Proxy(client, {
    get: (target, property) => {
      const value = Reflect.get(target, property) as unknown;
      if (property !== command || typeof value !== 'function') return value;
      return (...args: unknown[]) => (calls++, (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
  Object.defineProperty(redis, 'client', { value: counting });
  return () => calls;
}

/**
 * Keeps an instance busy, one request after another, until `stop()`; each answer is kept with
 * the time its request was sent, so a test can look at those sent after some moment.
 */
export function busyTraffic<T>(send: () => Promise<T>) {
  const answers: { sentAt: number; answer: T }[] = [];
  let stopped = false;
  const running = (async () => {
    while (!stopped) {
      const sentAt = performance.now();
      answers.push({ sentAt, answer: await send() });
    }
  })();
  return {
    answers,
    /**
     * Resolves once `count` answers have come (how long that takes depends on the machine: CI runs
     * test files side by side). A test that asserts what a *busy* instance does waits for this
     * instead of a fixed time, then looks at what happens over the next answers.
     */
    answered: async (count: number, timeoutMs = 15_000) => {
      const deadline = performance.now() + timeoutMs;
      while (answers.length < count) {
        if (performance.now() > deadline) throw new Error(`busy traffic: ${answers.length} answers in ${timeoutMs} ms, ${count} expected`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    sentAfter: (moment: number) => answers.filter((x) => x.sentAt > moment).map((x) => x.answer),
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}

/** Counts the prepared statements named `name` an instance sends to Postgres from now on. */
export function namedQueries(app: TestApp, name: string): () => number {
  const query = vi.spyOn(app.app.get(PrismaService).pool, 'query');
  return () => query.mock.calls.filter(([q]) => typeof q === 'object' && q !== null && (q as { name?: string }).name === name).length;
}
