import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { requestChildLogger } from './request-logger.js';

function setup(level: pino.LevelWithSilent) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const parent = pino({ level }, sink);
  const child = vi.spyOn(parent, 'child');
  return { parent, child, lines };
}

describe(requestChildLogger.name, () => {
  it('makes no pino child for a request that logs nothing at the configured level', () => {
    const { parent, child } = setup('warn');
    const log = requestChildLogger(parent, { request_id: 'r-1' }, {});
    log.info({ status: 200 }, 'request');
    log.debug('detail');
    expect(child).not.toHaveBeenCalled();
    expect(log.level).toBe('warn');
  });

  it('writes a line with the request id, as a pino child would, once the request logs', async () => {
    const { parent, child, lines } = setup('warn');
    const log = requestChildLogger(parent, { request_id: 'r-2' }, {});
    log.warn({ code: 'X' }, 'first');
    log.error('second');
    await new Promise((r) => setImmediate(r));
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines).toMatchObject([
      { request_id: 'r-2', code: 'X', msg: 'first', level: 40 },
      { request_id: 'r-2', msg: 'second', level: 50 },
    ]);
  });

  it('answers isLevelEnabled as the app logger does', () => {
    const { parent } = setup('info');
    const log = requestChildLogger(parent, { request_id: 'r-3' }, {}) as pino.Logger;
    expect(log.isLevelEnabled('info')).toBe(true);
    expect(log.isLevelEnabled('debug')).toBe(false);
  });

  it('gives a route with its own level a real child at once', () => {
    const { parent, child } = setup('warn');
    const log = requestChildLogger(parent, { request_id: 'r-4' }, { level: 'debug' });
    expect(child).toHaveBeenCalledTimes(1);
    expect(log.level).toBe('debug');
  });
});
