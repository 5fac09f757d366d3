import { readFile } from 'node:fs/promises';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  agentConfigFile,
  type AgentListResponse,
  type AgentResponse,
  type PutAgentRequest,
  type PutPromptRequest,
  type PutToolRequest,
  type VersionedResponse,
} from '@aius/contracts';
import { LRUCache } from 'lru-cache';
import { ApiError } from '../../common/api-error.js';
import { unixSeconds } from '../../common/unix-time.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { UsersService } from '../identity/users.service.js';
import { AgentsRepository, type ResolvedAgent } from './agents.repository.js';

/**
 * How long the run loop reuses an agent it read: a run start costs no Postgres round trip on a
 * warm instance, and an admin's change reaches every instance within this.
 */
const AGENT_CACHE_MS = 5_000;

/** Agent configuration and instance admins (spec §10). */
@Injectable()
export class AgentsService implements OnModuleInit {
  private readonly logger = new Logger('Agents');
  private readonly cache = new LRUCache<string, { agent: ResolvedAgent | null }>({ max: 1000, ttl: AGENT_CACHE_MS });
  private readonly adminEmails: Set<string>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: AgentsRepository,
    private readonly users: UsersService,
  ) {
    this.adminEmails = new Set(config.ADMIN_EMAILS);
  }

  /** AGENT_CONFIG_FILE, applied at boot through the same rules as the admin routes; a bad file stops the boot. */
  async onModuleInit(): Promise<void> {
    const path = this.config.AGENT_CONFIG_FILE;
    if (!path) return;
    let file;
    try {
      file = agentConfigFile.parse(JSON.parse(await readFile(path, 'utf8')));
    } catch (error) {
      throw new Error(`AGENT_CONFIG_FILE ${path}: ${error instanceof SyntaxError ? 'not JSON' : 'not a valid agent file'} (${(error as Error).message.slice(0, 300)})`, { cause: error });
    }
    for (const p of file.prompts) await this.repository.putPrompt(p);
    for (const t of file.tools) await this.repository.putTool(t);
    for (const a of file.agents) await this.repository.putAgent(a);
    this.logger.log(`${path}: ${file.prompts.length} prompts, ${file.tools.length} tools, ${file.agents.length} agents`);
  }

  async assertAdmin(userId: string): Promise<void> {
    const user = await this.users.findById(userId);
    // A disabled admin has no session or token left; this also covers a call racing the disable.
    if (user && !user.disabledAt && (await this.isAdminEmail(user.email))) return;
    throw new ApiError('NO_ACCESS');
  }

  /** Listed in ADMIN_EMAILS or granted with `admin grant` (GET /me tells the dashboard). */
  async isAdminEmail(email: string): Promise<boolean> {
    const lower = email.toLowerCase();
    return this.adminEmails.has(lower) || (await this.repository.isGranted(lower));
  }

  /** Which of these emails are instance admins (ADMIN_EMAILS or granted), for the admins' users list. */
  async adminsAmong(emails: readonly string[]): Promise<Set<string>> {
    const granted = emails.length === 0 ? [] : await this.repository.grantedAmong(emails);
    return new Set([...emails.filter((e) => this.adminEmails.has(e)), ...granted]);
  }

  putPrompt(userId: string, body: PutPromptRequest): Promise<VersionedResponse> {
    return this.write(userId, body, () => this.repository.putPrompt(body));
  }

  putTool(userId: string, body: PutToolRequest): Promise<VersionedResponse> {
    return this.write(userId, body, () => this.repository.putTool(body));
  }

  putAgent(userId: string, body: PutAgentRequest): Promise<VersionedResponse> {
    return this.write(userId, body, () => this.repository.putAgent(body));
  }

  /** An admin's upsert; this instance's cached agents are dropped (the others' expire within AGENT_CACHE_MS). */
  private async write(userId: string, body: VersionedResponse, upsert: () => Promise<void>): Promise<VersionedResponse> {
    await this.assertAdmin(userId);
    await upsert();
    this.cache.clear();
    return { name: body.name, version: body.version };
  }

  async getAgent(userId: string, name: string): Promise<AgentResponse> {
    await this.assertAdmin(userId);
    const agent = await this.repository.resolve(name);
    if (!agent) throw new ApiError('NOT_FOUND');
    return { name: agent.name, system_prompt: agent.systemPrompt, tools: agent.tools };
  }

  /** The dashboard's read of the whole store; the system prompt is shown, never an upstream's key. */
  async listAgents(userId: string): Promise<AgentListResponse> {
    await this.assertAdmin(userId);
    const agents = await this.repository.listNewest();
    return {
      data: agents.map((a) => ({
        name: a.name,
        version: a.version,
        prompt_name: a.promptName,
        prompt_version: a.promptVersion,
        system_prompt: a.systemPrompt,
        tools: a.tools.map((t) => ({ name: t.name, version: t.version, description: t.tool.function.description ?? null })),
        updated_at: unixSeconds(a.createdAt),
      })),
      run_loop: { default_model: this.config.RUN_DEFAULT_MODEL ?? null, model_aliases: this.config.RUN_MODEL_ALIASES, max_iterations: this.config.RUN_MAX_ITERATIONS },
    };
  }

  /** For the run loop: the named agent, else `build` (spec §9); null when neither is configured. */
  async forRun(name: string | undefined): Promise<ResolvedAgent | null> {
    const wanted = name ? await this.cached(name) : null;
    return wanted ?? (await this.cached('build'));
  }

  private async cached(name: string): Promise<ResolvedAgent | null> {
    const hit = this.cache.get(name);
    if (hit) return hit.agent;
    const agent = await this.repository.resolve(name);
    this.cache.set(name, { agent });
    return agent;
  }
}
