import { describe, expect, it } from 'vitest';
import { GracefulShutdown } from '../../src/lifecycle/graceful-shutdown.js';
import { startTestApp } from '../support/test-app.js';

describe(GracefulShutdown.name, () => {
  it('fails readiness, runs the drain hooks while the server still answers, then closes the app', async () => {
    const t = await startTestApp({ SHUTDOWN_DELAY_MS: '200' });
    const shutdown = t.app.get(GracefulShutdown);
    const seen: string[] = [];
    shutdown.onDrain('probe', async () => {
      const ready = await fetch(`${t.base}/ready`);
      seen.push(`ready ${ready.status} ${JSON.stringify(await ready.json())} ${ready.headers.get('connection')}`);
      seen.push(`health ${(await fetch(`${t.base}/health`)).status}`);
    });
    shutdown.onDrain('broken', () => {
      throw new Error('a failing hook does not stop the shutdown');
    });
    expect((await fetch(`${t.base}/ready`)).status).toBe(200);
    await shutdown.shutdown(t.app, 'test');
    expect(seen).toEqual(['ready 503 {"detail":"shutting down"} close', 'health 200']);
    await expect(fetch(`${t.base}/health`)).rejects.toThrow();
    await t.db.drop();
  });
});
