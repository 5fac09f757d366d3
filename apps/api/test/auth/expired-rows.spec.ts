import { call, registerUser } from '@aius/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '@aius/db';
import { PURGE_BATCH } from '../../src/database/expired-rows-purge.js';
import { SessionService } from '../../src/modules/identity/session.service.js';
import { ChallengeService } from '../../src/modules/two-factor/challenge.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('expired sessions and login challenges are deleted', () => {
  it('in batches, every expired row of each table and nothing that is still live', async () => {
    const prisma = t.app.get(PrismaService);
    const user = await registerUser(t.origin); // its session is live
    const expired = PURGE_BATCH + 7; // more than one batch
    await prisma.$executeRaw`
      INSERT INTO sessions (id, user_id, expires_at)
      SELECT 'expired-' || g, ${user.user.id}, now() - interval '1 minute' FROM generate_series(1, ${expired}) g`;
    await prisma.$executeRaw`
      INSERT INTO two_factor_challenges (id, user_id, token_hash, expires_at)
      VALUES ('old', ${user.user.id}, 'hash-old', now() - interval '1 second'),
             ('new', ${user.user.id}, 'hash-new', now() + interval '5 minutes')`;

    expect(await t.app.get(SessionService).purge.run()).toBe(expired);
    expect(await t.app.get(ChallengeService).purge.run()).toBe(1);

    const sessions = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM sessions WHERE user_id = ${user.user.id}`;
    expect(Number(sessions[0]!.n)).toBe(1);
    const challenges = await prisma.$queryRaw<{ id: string }[]>`SELECT id FROM two_factor_challenges WHERE user_id = ${user.user.id}`;
    expect(challenges.map((c) => c.id)).toEqual(['new']);
    // The live session still signs its owner in.
    expect((await call(t.origin, 'me', { as: { cookie: user.cookie } })).status).toBe(200);
    // Nothing left to do the second time round.
    expect(await t.app.get(SessionService).purge.run()).toBe(0);
  });
});
