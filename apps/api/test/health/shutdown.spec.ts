import { describe, expect, it } from 'vitest';
import { GracefulShutdown } from '../../src/lifecycle/graceful-shutdown.js';
import { call } from '@aius/test-support';
import { startTestApp } from '../support/test-app.js';

describe(GracefulShutdown.name, () => {
  it('fails readiness, runs the drain hooks while the server still answers, then closes the app', async () => {
    const t = await startTestApp({ SHUTDOWN_DELAY_MS: '200' });
    const shutdown = t.app.get(GracefulShutdown);
    const seen: string[] = [];
    shutdown.onDrain('probe', async () => {
      const ready = await call(t.origin, 'ready');
      seen.push(`ready ${ready.status} ${JSON.stringify(ready.body)} ${ready.headers.get('connection')}`);
      seen.push(`health ${(await call(t.origin, 'health')).status}`);
    });
    shutdown.onDrain('broken', () => {
      throw new Error('a failing hook does not stop the shutdown');
    });
    expect((await call(t.origin, 'ready')).status).toBe(200);
    await shutdown.shutdown(t.app, 'test');
    expect(seen).toEqual(['ready 503 {"detail":"shutting down"} close', 'health 200']);
    await expect(call(t.origin, 'health')).rejects.toThrow();
    await t.db.drop();
  });
});
