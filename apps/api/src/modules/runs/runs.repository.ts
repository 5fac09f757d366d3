import { Prisma, PrismaService, type Run, type RunCall } from '@aius/db';
import { Injectable } from '@nestjs/common';
import type { RunStatus } from '@aius/contracts';

/** One upstream call of a run, as recorded. */
export interface RunCallRecord {
  seq: number;
  kind: 'chat' | 'title';
  model: string;
  status: number;
  toolCalls: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  latencyMs: number;
  /** Unix milliseconds. */
  startedAt: number;
}

/** A finished run with its calls. */
export interface RunRecord {
  id: string;
  runId: string;
  sessionId: string;
  stepRunId: string;
  userId: string;
  tokenId: number;
  clientId: string;
  agent: string;
  model: string;
  status: RunStatus;
  iterations: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  transcript: unknown[] | null;
  startedAt: number;
  endedAt: number;
  calls: RunCallRecord[];
}

/** The only file that touches `runs` and `run_calls`. */
@Injectable()
export class RunsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A batch of finished runs and their calls, in one transaction. */
  async appendBatch(runs: readonly RunRecord[]): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.run.createMany({
        data: runs.map(({ calls: _calls, transcript, startedAt, endedAt, ...run }) => ({
          ...run,
          transcript: transcript === null ? Prisma.DbNull : (transcript as Prisma.InputJsonValue),
          startedAt: new Date(startedAt),
          endedAt: new Date(endedAt),
        })),
        skipDuplicates: true,
      }),
      this.prisma.runCall.createMany({
        data: runs.flatMap((r) => r.calls.map((c) => ({ ...c, runId: r.id, startedAt: new Date(c.startedAt) }))),
        skipDuplicates: true,
      }),
    ]);
  }

  /** Newest first; `before` is the (startedAt, id) of the last row of the previous page. */
  list(clientId: string, limit: number, before: { startedAt: Date; id: string } | null): Promise<Run[]> {
    return this.prisma.run.findMany({
      where: {
        clientId,
        ...(before ? { OR: [{ startedAt: { lt: before.startedAt } }, { startedAt: before.startedAt, id: { lt: before.id } }] } : {}),
      },
      orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
  }

  async find(id: string): Promise<(Run & { calls: RunCall[] }) | null> {
    const run = await this.prisma.run.findUnique({ where: { id } });
    if (!run) return null;
    const calls = await this.prisma.runCall.findMany({ where: { runId: id }, orderBy: { seq: 'asc' } });
    return { ...run, calls };
  }
}
