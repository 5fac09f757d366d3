import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, PrismaService } from '@aius/db';
import { loadConfig } from '../../src/config/config.js';
import { databaseOptions } from '../../src/database/database.module.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Every model and every field of schema.prisma round-trips through the generated client. */
let db: TestDatabase;
let prisma: PrismaService;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.url);
  prisma = new PrismaService(databaseOptions(loadConfig({ DATABASE_URL: db.url, SESSION_SECRET: 'x'.repeat(32) })));
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

const at = new Date('2026-01-02T03:04:05.678Z');

describe('Prisma client over the migrated database', () => {
  it('writes and reads every model with every field', async () => {
    const client = await prisma.client.create({ data: { id: 'client_1', name: 'Acme', createdAt: at } });
    const user = await prisma.user.create({
      data: { id: 'usr_1', email: 'ada@example.com', name: 'Ada', passwordHash: '$argon2id$x', defaultClientId: client.id, createdAt: at },
    });
    expect(user).toMatchObject({ defaultClientId: 'client_1', createdAt: at });
    expect(user.updatedAt).toBeInstanceOf(Date);

    await prisma.membership.create({ data: { clientId: client.id, userId: user.id, role: 'owner', createdAt: at } });
    await prisma.session.create({
      data: { id: 'ses_1', userId: user.id, createdAt: at, expiresAt: at, revokedAt: at, userAgent: 'ua', ip: '127.0.0.1' },
    });
    await prisma.twoFactor.create({
      data: { userId: user.id, secretEnc: 's', pendingSecretEnc: 'p', enabledAt: at, lastUsedStep: 59_000_000n },
    });
    await prisma.recoveryCode.create({ data: { id: 'rc_1', userId: user.id, codeHash: 'h', usedAt: at, createdAt: at } });
    await prisma.twoFactorChallenge.create({
      data: { id: 'ch_1', userId: user.id, tokenHash: 'th', attempts: 2, expiresAt: at, usedAt: at, createdAt: at },
    });
    const original = await prisma.project.create({
      data: { id: 'proj_1', clientId: client.id, name: 'P', description: 'd', createdAt: at },
    });
    await prisma.project.create({ data: { id: 'proj_2', clientId: client.id, name: 'P (fork)', forkedFromId: original.id } });
    const token = await prisma.apiToken.create({
      data: { userId: user.id, clientId: client.id, name: 't', tokenHash: 'hash', prefix: 'aius_abcdefg', createdAt: at, lastUsedAt: at, revokedAt: at },
    });
    expect(token.id).toBeTypeOf('number');
    const event = await prisma.usageEvent.create({
      data: {
        tokenId: token.id, userId: user.id, clientId: client.id, projectId: original.id, model: 'm',
        promptTokens: 1, completionTokens: 2, totalTokens: 3, latencyMs: 4, status: 200, createdAt: at,
      },
    });
    expect(event.id).toBeTypeOf('bigint');
    await prisma.usageDaily.create({
      data: {
        day: new Date('2026-01-02'), clientId: client.id, projectId: '', tokenId: token.id, model: 'm',
        requests: 1, errors: 0, promptTokens: 1n, completionTokens: 2n, totalTokens: 3n, latencyMsSum: 4n,
      },
    });

    const loaded = await prisma.user.findUniqueOrThrow({
      where: { email: 'ada@example.com' },
      include: { sessions: true, twoFactor: true, recoveryCodes: true, challenges: true, memberships: true, apiTokens: true, defaultClient: true },
    });
    expect(loaded.sessions[0]).toMatchObject({ userAgent: 'ua', ip: '127.0.0.1', revokedAt: at });
    expect(loaded.twoFactor).toMatchObject({ lastUsedStep: 59_000_000n, enabledAt: at });
    expect(loaded.recoveryCodes[0]).toMatchObject({ codeHash: 'h', usedAt: at });
    expect(loaded.challenges[0]).toMatchObject({ attempts: 2 });
    expect(loaded.memberships[0]).toMatchObject({ role: 'owner' });
    expect(loaded.apiTokens[0]).toMatchObject({ prefix: 'aius_abcdefg', lastUsedAt: at });
    expect(loaded.defaultClient?.name).toBe('Acme');

    const fork = await prisma.project.findUniqueOrThrow({ where: { id: 'proj_2' }, include: { forkedFrom: true } });
    expect(fork.forkedFrom?.id).toBe('proj_1');
    const daily = await prisma.usageDaily.findFirstOrThrow({ where: { clientId: client.id } });
    expect(daily.totalTokens).toBe(3n);
    expect(daily.day.toISOString().slice(0, 10)).toBe('2026-01-02');

    // Deleting the user cascades to everything it owns; usage rows (no FKs) survive.
    await prisma.user.delete({ where: { id: user.id } });
    expect(await prisma.session.count()).toBe(0);
    expect(await prisma.apiToken.count()).toBe(0);
    expect(await prisma.usageEvent.count()).toBe(1);
  });
});
