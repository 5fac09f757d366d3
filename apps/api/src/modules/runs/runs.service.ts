import { Injectable } from '@nestjs/common';
import type { ListRunsQuery, RunDetail, RunListResponse, RunStatus, RunSummary } from '@aius/contracts';
import type { Run } from '@aius/db';
import { ApiError } from '../../common/api-error.js';
import { UsersService } from '../auth/users.service.js';
import { ClientsService } from '../clients/clients.service.js';
import { RunsRepository } from './runs.repository.js';

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** Run history (GET /runs, GET /runs/{id}): members of the run's client. */
@Injectable()
export class RunsService {
  constructor(
    private readonly repository: RunsRepository,
    private readonly clients: ClientsService,
    private readonly users: UsersService,
  ) {}

  async list(userId: string, query: ListRunsQuery): Promise<RunListResponse> {
    await this.clients.assertMember(userId, query.org_id);
    const rows = await this.repository.list(query.org_id, query.limit + 1, parseCursor(query.before));
    const page = rows.slice(0, query.limit);
    const emails = await this.users.emailsOf([...new Set(page.map((r) => r.userId))]);
    const last = page.at(-1);
    return {
      data: page.map((r) => summary(r, emails.get(r.userId) ?? null)),
      next_before: rows.length > query.limit && last ? `${last.startedAt.getTime()}.${last.id}` : null,
    };
  }

  async get(userId: string, id: string): Promise<RunDetail> {
    const run = await this.repository.find(id);
    if (!run) throw new ApiError('NOT_FOUND');
    await this.clients.assertMember(userId, run.clientId);
    const emails = await this.users.emailsOf([run.userId]);
    return {
      ...summary(run, emails.get(run.userId) ?? null),
      calls: run.calls.map((c) => ({
        iteration: c.seq,
        kind: c.kind === 'title' ? 'title' : 'chat',
        model: c.model,
        status: c.status,
        tool_calls: c.toolCalls,
        prompt_tokens: c.promptTokens,
        completion_tokens: c.completionTokens,
        total_tokens: c.totalTokens,
        latency_ms: c.latencyMs,
        started_at: seconds(c.startedAt),
        offset_ms: Math.max(0, c.startedAt.getTime() - run.startedAt.getTime()),
      })),
      transcript: Array.isArray(run.transcript) ? (run.transcript as Record<string, unknown>[]) : null,
    };
  }
}

/** `<startedAt ms>.<id>`; anything else is a bad request. */
function parseCursor(before: string | undefined): { startedAt: Date; id: string } | null {
  if (before === undefined) return null;
  const match = /^(\d{1,15})\.(run_[A-Za-z0-9]{1,40})$/.exec(before);
  if (!match) throw new ApiError('INVALID_REQUEST', { message: 'Invalid before cursor' });
  return { startedAt: new Date(Number(match[1])), id: match[2]! };
}

function summary(r: Run, email: string | null): RunSummary {
  return {
    id: r.id,
    run_id: r.runId,
    session_id: r.sessionId,
    step_run_id: r.stepRunId,
    org_id: r.clientId,
    user_id: r.userId,
    user_email: email,
    token_id: r.tokenId,
    agent: r.agent,
    model: r.model,
    status: r.status as RunStatus,
    iterations: r.iterations,
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    total_tokens: r.totalTokens,
    started_at: seconds(r.startedAt),
    ended_at: seconds(r.endedAt),
    duration_ms: r.endedAt.getTime() - r.startedAt.getTime(),
  };
}
