import { ID_PREFIX, RUN_CLOSE, RUN_MESSAGES, runAuthFrame, runServerFrames, runStartFrame, runToolResultFrame, type RunServerFrame } from '@aius/contracts';
import type { RawData, WebSocket } from 'ws';
import { ApiError } from '../../common/api-error.js';
import type { Principal } from '../../common/principal.js';
import { randomId } from '../../common/random-id.js';
import { AgentRun, type RunDeps } from './agent-run.js';
import type { SessionHolder } from './open-runs.js';

/** How a run's socket ends (each path is final: the first one wins). */
export type Ending =
  /** run_completed was sent: close 1000. */
  | { kind: 'completed' }
  /** A retryable failure: an `error` frame, then close 1011 (1012 at shutdown). */
  | { kind: 'error'; detail: string; code?: number }
  /** Not retried: close 1008 with this reason (bad token, malformed auth/start, no agent). */
  | { kind: 'refused'; reason: string }
  /** The session's run was taken over by a newer start: close 1008, so the old client does not retry into it. */
  | { kind: 'replaced' };

const TOKEN_REFUSALS = new Set(['INVALID_TOKEN', 'INVALID_BEARER_TOKEN']);

/**
 * Every server frame goes out through the contract's schema (undeclared fields dropped, a
 * malformed frame thrown as a bug), so what the socket sends is what asyncapi.json describes.
 */
export const encodeFrame = (frame: RunServerFrame): string => JSON.stringify(runServerFrames.parse(frame));

/**
 * One run socket (spec §9): `auth` (verified exactly as a bearer) and `start` within
 * RUN_AUTH_TIMEOUT_MS, then the agent loop (AgentRun) with this connection as its channel:
 * frames out, tool results in. Frames are handled one at a time in arrival order, so a
 * `start` sent right behind `auth` waits for the token check. Closing the socket aborts the
 * upstream call in flight at once (`signal`) and wakes a loop waiting for tool results.
 */
export class RunConnection implements SessionHolder {
  readonly key = randomId(ID_PREFIX.runConnection, 16);
  /** Cleared by each keepalive ping, set by the pong. */
  alive = true;
  private phase: 'auth' | 'start' | 'running' | 'ended' = 'auth';
  private frames: Promise<void> = Promise.resolve();
  private readonly aborter = new AbortController();
  private readonly startTimer: NodeJS.Timeout;
  private waiter: ((id: string, content: string) => void) | null = null;
  private run: AgentRun | null = null;
  /** Settles when the socket is closed and the run (if any) has been recorded. */
  readonly done: Promise<void>;
  private settle!: () => void;

  constructor(
    private readonly socket: WebSocket,
    private readonly deps: RunDeps,
  ) {
    this.done = new Promise((resolve) => (this.settle = resolve));
    this.startTimer = setTimeout(
      () => this.end({ kind: 'refused', reason: this.phase === 'auth' ? RUN_MESSAGES.authTimeout : RUN_MESSAGES.startTimeout }),
      deps.config.RUN_AUTH_TIMEOUT_MS,
    );
    socket.on('message', (data: RawData) => {
      this.frames = this.frames.then(() => this.onFrame(data)).catch((error: unknown) => this.crash(error));
    });
    socket.on('pong', () => (this.alive = true));
    socket.once('close', () => this.onClose());
  }

  /** Fires when the socket closes or the run ends: everything in flight stops. */
  get signal(): AbortSignal {
    return this.aborter.signal;
  }

  get open(): boolean {
    return this.phase !== 'ended';
  }

  send(frame: RunServerFrame): void {
    if (this.phase !== 'ended') this.socket.send(encodeFrame(frame));
  }

  ping(): void {
    if (!this.alive) {
      // No pong since the last ping: the peer is gone without a close.
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
  }

  /**
   * The results of one turn's tool calls, keyed by id, in whatever order they arrive. A call
   * whose result has not come within RUN_TOOL_RESULT_TIMEOUT_SECONDS gets `timedOut` instead,
   * so the conversation never holds a tool call without its result. Resolves early (partial)
   * when the socket closes; the loop then sees `signal` aborted.
   */
  toolResults(ids: readonly string[], timedOut: string): Promise<Map<string, string>> {
    return new Promise((resolve) => {
      const results = new Map<string, string>();
      const pending = new Set(ids);
      const finish = () => {
        clearTimeout(timer);
        this.aborter.signal.removeEventListener('abort', finish);
        this.waiter = null;
        resolve(results);
      };
      const timer = setTimeout(() => {
        for (const id of pending) results.set(id, timedOut);
        finish();
      }, this.deps.config.RUN_TOOL_RESULT_TIMEOUT_SECONDS * 1000);
      this.aborter.signal.addEventListener('abort', finish);
      this.waiter = (id, content) => {
        // Unknown or repeated ids (a late answer to a call that already timed out) are dropped.
        if (!pending.delete(id)) return;
        results.set(id, content);
        if (pending.size === 0) finish();
      };
      if (this.aborter.signal.aborted) finish();
    });
  }

  /** Ends the socket as `ending` says; later calls are ignored. */
  end(ending: Ending): void {
    if (this.phase === 'ended') return;
    if (ending.kind === 'error') this.socket.send(encodeFrame({ type: 'error', detail: ending.detail }));
    this.phase = 'ended';
    clearTimeout(this.startTimer);
    this.aborter.abort();
    switch (ending.kind) {
      case 'completed':
        return this.socket.close(RUN_CLOSE.NORMAL);
      case 'error':
        return this.socket.close(ending.code ?? RUN_CLOSE.INTERNAL);
      case 'refused':
        return this.socket.close(RUN_CLOSE.POLICY, ending.reason);
      case 'replaced':
        this.run?.markDisconnected();
        return this.socket.close(RUN_CLOSE.POLICY, RUN_MESSAGES.replaced);
    }
  }

  endReplaced(): void {
    this.end({ kind: 'replaced' });
  }

  /** At shutdown: the retryable `error` frame, then 1012 (Service Restart). */
  shutdown(): void {
    this.run?.markDisconnected();
    this.end({ kind: 'error', detail: RUN_MESSAGES.restarting, code: RUN_CLOSE.RESTART });
  }

  /** Turns a credential failure into the socket's answer: a bad token is final, an outage retryable. */
  refuseCredential(error: unknown): void {
    if (error instanceof ApiError && TOKEN_REFUSALS.has(error.key)) return this.end({ kind: 'refused', reason: RUN_MESSAGES.invalidToken });
    this.end({ kind: 'error', detail: RUN_MESSAGES.accountUnavailable });
  }

  private async onFrame(data: RawData): Promise<void> {
    if (this.phase === 'ended') return;
    const frame = parseFrame(data);
    if (this.phase === 'auth') {
      const auth = runAuthFrame.safeParse(frame);
      if (!auth.success) return this.end({ kind: 'refused', reason: RUN_MESSAGES.invalidToken });
      let principal: Principal;
      try {
        principal = await this.deps.credentials.bearer(auth.data.token);
      } catch (error) {
        return this.refuseCredential(error);
      }
      if (this.phase !== 'auth') return;
      this.phase = 'start';
      this.run = new AgentRun(this, this.deps, principal, auth.data.token);
      return;
    }
    if (this.phase === 'start') {
      const start = runStartFrame.safeParse(frame);
      if (!start.success) return this.end({ kind: 'refused', reason: RUN_MESSAGES.invalidStart });
      clearTimeout(this.startTimer);
      this.phase = 'running';
      // Not awaited: tool results must keep flowing in while the loop waits for them.
      void this.run!.execute(start.data).catch((error: unknown) => this.crash(error));
      return;
    }
    const result = runToolResultFrame.safeParse(frame);
    if (!result.success) return;
    const { tool_call_id: id, result: value, status } = result.data;
    const content = typeof value === 'string' ? value : JSON.stringify(value ?? null);
    this.waiter?.(id, status === undefined || status === 'ok' ? content : `Error (tool status: ${status}): ${content}`);
  }

  /** A bug: logged without the frame (it may hold secrets), and the client told to retry. */
  private crash(error: unknown): void {
    this.deps.logger.error(`run socket: ${(error as Error)?.message ?? String(error)}`, (error as Error)?.stack);
    this.end({ kind: 'error', detail: RUN_MESSAGES.internal });
  }

  private onClose(): void {
    // Closed by the client (or the network) rather than by an ending of ours.
    if (this.phase !== 'ended') this.run?.markDisconnected();
    this.phase = 'ended';
    clearTimeout(this.startTimer);
    this.aborter.abort();
    const run = this.run;
    if (!run) return this.settle();
    void run.finished.then(() => this.settle());
  }
}

function parseFrame(data: RawData): unknown {
  try {
    return JSON.parse(Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString());
  } catch {
    return null;
  }
}
