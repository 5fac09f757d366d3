import type { Logger } from '@nestjs/common';
import { RUN_MESSAGES, type RunStartFrame, type RunStatus, ID_PREFIX } from '@aius/contracts';
import type { CredentialCheck } from '../../common/credential-check.js';
import { mayCallModel, type Principal } from '../../common/principal.js';
import { randomId } from '../../common/random-id.js';
import type { AppConfig } from '../../config/config.js';
import type { AgentsService } from '../agents/agents.service.js';
import type { UpstreamMeter } from '../proxy/upstream-meter.js';
import type { UpstreamRegistry, UpstreamRoute } from '../proxy/upstream-registry.js';
import type { RateLimitService } from '../rate-limit/rate-limit.service.js';
import type { OpenRuns } from './open-runs.js';
import type { RunConnection } from './run-connection.js';
import type { RunRecorder } from './run-recorder.js';
import type { RunCallRecord } from './runs.repository.js';
import { readTurn, titleFrom, TITLE_PROMPT, firstUserText, type Message } from './turns.js';

export interface RunDeps {
  config: AppConfig;
  credentials: CredentialCheck;
  rateLimits: RateLimitService;
  agents: AgentsService;
  upstreams: UpstreamRegistry;
  meter: UpstreamMeter;
  recorder: RunRecorder;
  openRuns: OpenRuns;
  logger: Logger;
}

/** nginx's "client closed request", as the chat proxy meters a call its client left. */
const CLIENT_CLOSED = 499;

/**
 * The agent loop of one run (spec §9): upstream call (the agent's system prompt first, the
 * client's messages, the turns so far, the agent's tools) → text and tool calls out → every
 * result of the turn in → next call, until a reply has no tool calls (`completed`) or
 * RUN_MAX_ITERATIONS calls were made (`max_iterations`). Before each call the token is checked
 * again and one call's worth of its quota is taken, as for a chat-proxy call; each call is
 * metered like one (tagged with the run). The run is recorded when it ends, however it ends.
 */
export class AgentRun {
  readonly id = randomId(ID_PREFIX.run);
  private status: RunStatus = 'failed';
  private readonly calls: RunCallRecord[] = [];
  private readonly startedAt = Date.now();
  private execution: Promise<void> | null = null;

  constructor(
    private readonly conn: RunConnection,
    private readonly deps: RunDeps,
    private readonly principal: Principal,
    private readonly token: string,
  ) {}

  /** Settles once the run has stopped and been recorded (at once if it never started). */
  get finished(): Promise<void> {
    return this.execution ?? Promise.resolve();
  }

  /** The run ends because its client went away, was replaced or the server stops, not because it failed. */
  markDisconnected(): void {
    if (this.status === 'failed') this.status = 'disconnected';
  }

  execute(start: RunStartFrame): Promise<void> {
    this.execution = this.loop(start);
    return this.execution;
  }

  private async loop(start: RunStartFrame): Promise<void> {
    const { config, agents, openRuns } = this.deps;
    const tokenId = this.principal.tokenId!;
    const agent = await agents.forRun(start.agent);
    if (!agent) return this.conn.end({ kind: 'refused', reason: RUN_MESSAGES.noAgent });
    const model = this.modelFor(start.model);
    const route = model === null ? null : this.deps.upstreams.route(model);
    if (model === null || route === null) return this.conn.end({ kind: 'error', detail: RUN_MESSAGES.noRoute });
    // The model actually called (after aliases and the default) is the one the token must allow.
    // Final like a bad token (1008): retrying the same start cannot succeed.
    if (!mayCallModel(this.principal, model)) return this.conn.end({ kind: 'refused', reason: RUN_MESSAGES.modelNotAllowed });
    if (!(await openRuns.acquire(tokenId, this.id))) return this.conn.end({ kind: 'error', detail: RUN_MESSAGES.tooManyRuns });

    const ids = {
      session_id: start.session_id ?? randomId(ID_PREFIX.session),
      run_id: start.run_id ?? this.id,
      step_run_id: start.step_run_id ?? randomId(ID_PREFIX.stepRun),
    };
    openRuns.claimSession(ids.session_id, this.conn);
    const wall = setTimeout(() => this.conn.end({ kind: 'error', detail: RUN_MESSAGES.wallTime }), config.RUN_MAX_WALL_SECONDS * 1000);
    const conversation: Message[] = [
      ...(agent.systemPrompt ? [{ role: 'system', content: agent.systemPrompt }] : []),
      ...(start.messages as Message[]),
    ];
    let iterations = 0;
    try {
      if (!this.conn.open) return;
      this.conn.send({ type: 'ready', ...ids });
      const correlation = { 'x-aius-session-id': ids.session_id, 'x-aius-run-id': ids.run_id, 'x-aius-step-run-id': ids.step_run_id };
      const title = start.generate_title ? this.title(route, model, start.messages as Message[], correlation) : null;
      while (iterations < config.RUN_MAX_ITERATIONS) {
        iterations++;
        const body = { messages: conversation, ...(agent.tools.length > 0 ? { tools: agent.tools } : {}) };
        const answer = await this.call('chat', iterations, route, model, body, correlation);
        if (answer === null) return;
        const turn = readTurn(answer);
        if (turn === null) return this.conn.end({ kind: 'error', detail: RUN_MESSAGES.upstreamUnavailable });
        this.calls.at(-1)!.toolCalls = turn.toolCalls.length;
        conversation.push(turn.message);
        if (turn.text !== '') this.conn.send({ type: 'assistant_message', id: randomId(ID_PREFIX.message), message: { role: 'assistant', content: turn.text } });
        if (turn.toolCalls.length === 0) return await this.complete('completed', title, ids);
        // The last call the budget allows: its tool calls would never be answered by a model.
        if (iterations === config.RUN_MAX_ITERATIONS) break;
        for (const c of turn.toolCalls) this.conn.send({ type: 'tool_call', tool_call_id: c.id, name: c.name, arguments: c.arguments });
        const timedOut = `Error: the client sent no result for this tool call within ${config.RUN_TOOL_RESULT_TIMEOUT_SECONDS} seconds.`;
        const results = await this.conn.toolResults(turn.toolCalls.map((c) => c.id), timedOut);
        if (!this.conn.open) return;
        // In the order the model asked, whatever order they arrived in.
        for (const c of turn.toolCalls) conversation.push({ role: 'tool', tool_call_id: c.id, content: results.get(c.id) ?? timedOut });
      }
      await this.complete('max_iterations', title, ids);
    } finally {
      clearTimeout(wall);
      openRuns.release(tokenId, this.id);
      openRuns.releaseSession(ids.session_id, this.conn);
      this.record(ids, agent.name, model, iterations, conversation);
    }
  }

  private async complete(status: 'completed' | 'max_iterations', title: Promise<void> | null, ids: { session_id: string; run_id: string }) {
    if (title) await title;
    if (!this.conn.open) return;
    this.status = status;
    this.conn.send({ type: 'run_completed', status, session_id: ids.session_id, run_id: ids.run_id });
    this.conn.end({ kind: 'completed' });
  }

  /**
   * One upstream call with the token re-checked and its quota taken first. Null when the run
   * must stop (the socket was ended here, or the client left); else the parsed answer.
   */
  private async call(kind: 'chat' | 'title', seq: number, route: UpstreamRoute, model: string, body: Record<string, unknown>, headers: Record<string, string>): Promise<unknown> {
    try {
      await this.deps.credentials.bearer(this.token);
    } catch (error) {
      if (kind === 'chat') this.conn.refuseCredential(error);
      return null;
    }
    const quota = await this.deps.rateLimits.takeTokenQuota(this.principal.tokenId!).catch(() => null);
    if (quota && !quota.allowed) {
      if (kind === 'chat') this.conn.end({ kind: 'error', detail: RUN_MESSAGES.rateLimited });
      return null;
    }
    if (!this.conn.open) return null;
    const startedAt = Date.now();
    const started = performance.now();
    const result = await this.deps.upstreams.complete(route, body, this.conn.signal, headers);
    const latencyMs = Math.round(performance.now() - started);
    const status = result.kind === 'answer' ? result.status : result.kind === 'aborted' ? CLIENT_CLOSED : 503;
    const tokens = result.kind === 'answer' ? result.tokens : null;
    // Named as the chat proxy names them: a client that left, an upstream that could not be reached.
    const errorType = result.kind === 'answer' ? (status >= 400 ? String(status) : null) : result.kind === 'aborted' ? 'client_closed' : 'unreachable';
    this.deps.meter.record(this.principal, { provider: route.upstream.name, model, status, errorType, tokens, latencyMs, runId: this.id });
    this.calls.push({
      seq: kind === 'title' ? 0 : seq,
      kind,
      model,
      status,
      toolCalls: 0,
      promptTokens: tokens?.promptTokens ?? 0,
      completionTokens: tokens?.completionTokens ?? 0,
      totalTokens: tokens?.totalTokens ?? 0,
      latencyMs,
      startedAt,
    });
    if (result.kind === 'aborted' || !this.conn.open) return null;
    if (kind === 'title') return result.kind === 'answer' && result.status < 300 ? result.body : null;
    if (result.kind === 'failed') this.conn.end({ kind: 'error', detail: RUN_MESSAGES.upstreamUnavailable });
    // The status only: an upstream's error body may echo (part of) its key, or be an HTML page.
    else if (result.status >= 300) this.conn.end({ kind: 'error', detail: `${RUN_MESSAGES.upstreamFailed} (HTTP ${result.status})` });
    else return result.body;
    return null;
  }

  /** Best effort: one short call beside the loop; its frame goes out as soon as it is known. */
  private async title(route: UpstreamRoute, model: string, messages: Message[], headers: Record<string, string>): Promise<void> {
    const text = firstUserText(messages);
    if (text === '') return;
    const body = { messages: [{ role: 'system', content: TITLE_PROMPT }, { role: 'user', content: text.slice(0, 4000) }], max_tokens: 24 };
    const answer = await this.call('title', 0, route, model, body, headers).catch(() => null);
    const title = answer === null ? '' : titleFrom(answer);
    if (title !== '') this.conn.send({ type: 'title', title });
  }

  /** RUN_MODEL_ALIASES, then RUN_DEFAULT_MODEL when the model is missing or routes nowhere. */
  private modelFor(requested: string | undefined): string | null {
    const { RUN_MODEL_ALIASES: aliases, RUN_DEFAULT_MODEL: fallback } = this.deps.config;
    const model = requested === undefined ? undefined : (aliases[requested] ?? requested);
    if (model !== undefined && this.deps.upstreams.route(model) !== null) return model;
    return fallback ?? null;
  }

  private record(ids: { session_id: string; run_id: string; step_run_id: string }, agent: string, model: string, iterations: number, conversation: Message[]): void {
    const sum = (k: 'promptTokens' | 'completionTokens' | 'totalTokens') => this.calls.reduce((n, c) => n + c[k], 0);
    this.deps.recorder.record({
      id: this.id,
      runId: ids.run_id,
      sessionId: ids.session_id,
      stepRunId: ids.step_run_id,
      userId: this.principal.userId,
      tokenId: this.principal.tokenId!,
      clientId: this.principal.tokenClientId!,
      agent,
      model,
      status: this.status,
      iterations,
      promptTokens: sum('promptTokens'),
      completionTokens: sum('completionTokens'),
      totalTokens: sum('totalTokens'),
      transcript: this.deps.config.RUN_STORE_TRANSCRIPTS ? conversation : null,
      startedAt: this.startedAt,
      endedAt: Date.now(),
      calls: this.calls,
    });
  }
}
