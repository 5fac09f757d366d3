import { describe, expect, it } from 'vitest';
import type { PrismaService } from '@aius/db';
import { loadConfig } from '../../config/config.js';
import { UsageRecorder } from './usage-recorder.js';
import type { UsageEvent, UsageRepository } from './usage.repository.js';

/** Only the retention purge uses Prisma, and it never runs in these tests. */
const noDatabase = {} as PrismaService;

const config = (batch: number) =>
  loadConfig({ DATABASE_URL: 'postgresql://x@localhost/x', SESSION_SECRET: 'x'.repeat(32), USAGE_FLUSH_BATCH: String(batch), USAGE_FLUSH_INTERVAL_MS: '60000' });

const event = (i: number): UsageEvent => ({
  tokenId: 1, userId: 'usr_1', clientId: 'client_1', projectId: null, model: `m${i}`,
  promptTokens: 1, completionTokens: 1, totalTokens: 2, latencyMs: 5, status: 200, at: 0,
});

/** A repository that records the batches it is given and fails while `down` is set. */
function fakeRepository(failure?: Error) {
  const batches: UsageEvent[][] = [];
  const state = { down: failure !== undefined };
  const repository = {
    appendBatch: async (events: readonly UsageEvent[]) => {
      if (state.down) throw failure;
      batches.push([...events]);
    },
  } as unknown as UsageRepository;
  return { repository, batches, state };
}

describe(UsageRecorder.name, () => {
  it('writes in batches of USAGE_FLUSH_BATCH, starting one as soon as a batch is full', async () => {
    const { repository, batches } = fakeRepository();
    const recorder = new UsageRecorder(config(3), repository, noDatabase);
    for (let i = 0; i < 3; i++) recorder.record(event(i));
    await recorder.flush(); // waits for the flush the third event started
    expect(batches.map((b) => b.length)).toEqual([3]);
    for (let i = 0; i < 2; i++) recorder.record(event(i));
    await recorder.flush();
    expect(batches.map((b) => b.length)).toEqual([3, 2]);
  });

  it('keeps the events while Postgres is unreachable and writes them once it is back', async () => {
    const { repository, batches, state } = fakeRepository(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    const recorder = new UsageRecorder(config(100), repository, noDatabase);
    recorder.record(event(1));
    recorder.record(event(2));
    await recorder.flush();
    expect(batches).toEqual([]);
    state.down = false;
    recorder.record(event(3));
    await recorder.flush();
    expect(batches.flat().map((e) => e.model)).toEqual(['m1', 'm2', 'm3']);
  });

  it('drops a batch the database refuses for another reason instead of retrying it forever', async () => {
    const { repository, batches, state } = fakeRepository(new Error('value too long'));
    const recorder = new UsageRecorder(config(100), repository, noDatabase);
    recorder.record(event(1));
    await recorder.flush();
    state.down = false;
    await recorder.flush();
    expect(batches).toEqual([]);
  });
});
