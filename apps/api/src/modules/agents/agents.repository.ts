import { Injectable } from '@nestjs/common';
import type { PutAgentRequest, PutPromptRequest, PutToolRequest, ToolObject } from '@aius/contracts';
import { PrismaService } from '@aius/db';
import { ApiError } from '../../common/api-error.js';

/** An agent as the run loop uses it: its newest version, with the newest prompt and tools. */
export interface ResolvedAgent {
  name: string;
  systemPrompt: string;
  tools: ToolObject[];
}

/** An agent with the versions it resolves to, for the admins' list. */
export interface StoredAgent {
  name: string;
  version: number;
  promptName: string | null;
  promptVersion: number | null;
  systemPrompt: string;
  tools: { name: string; version: number; tool: ToolObject }[];
  createdAt: Date;
}

/** The only file that touches `agent_prompts`, `agent_tools` and `agents`. */
@Injectable()
export class AgentsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async putPrompt(p: PutPromptRequest): Promise<void> {
    await this.prisma.agentPrompt.upsert({
      where: { name_version: { name: p.name, version: p.version } },
      create: { name: p.name, version: p.version, text: p.text },
      update: { text: p.text },
    });
  }

  async putTool(t: PutToolRequest): Promise<void> {
    await this.prisma.agentTool.upsert({
      where: { name_version: { name: t.name, version: t.version } },
      create: { name: t.name, version: t.version, schemaJson: t.schema_json },
      update: { schemaJson: t.schema_json },
    });
  }

  /** The prompt and every tool must exist (any version), checked in the same transaction. */
  async putAgent(a: PutAgentRequest): Promise<void> {
    const toolNames = [...new Set(a.tool_names)];
    await this.prisma.$transaction(async (tx) => {
      if (a.prompt_name !== undefined && (await tx.agentPrompt.count({ where: { name: a.prompt_name } })) === 0) {
        throw new ApiError('NOT_FOUND', { message: `Unknown prompt ${a.prompt_name}` });
      }
      const known = await tx.agentTool.findMany({ where: { name: { in: toolNames } }, distinct: ['name'], select: { name: true } });
      const missing = toolNames.filter((n) => !known.some((k) => k.name === n));
      if (missing.length > 0) throw new ApiError('NOT_FOUND', { message: `Unknown tool ${missing[0]}` });
      await tx.agent.upsert({
        where: { name_version: { name: a.name, version: a.version } },
        create: { name: a.name, version: a.version, promptName: a.prompt_name ?? null, toolNames },
        update: { promptName: a.prompt_name ?? null, toolNames },
      });
    });
  }

  async resolve(name: string): Promise<ResolvedAgent | null> {
    const agent = await this.prisma.agent.findFirst({ where: { name }, orderBy: { version: 'desc' } });
    if (!agent) return null;
    const toolNames = agent.toolNames as string[];
    const [prompt, tools] = await Promise.all([
      agent.promptName ? this.prisma.agentPrompt.findFirst({ where: { name: agent.promptName }, orderBy: { version: 'desc' } }) : null,
      this.prisma.agentTool.findMany({ where: { name: { in: toolNames } }, orderBy: [{ name: 'asc' }, { version: 'desc' }], distinct: ['name'] }),
    ]);
    const byName = new Map(tools.map((t) => [t.name, JSON.parse(t.schemaJson) as ToolObject]));
    return {
      name: agent.name,
      systemPrompt: prompt?.text ?? '',
      // In the order the agent lists them.
      tools: toolNames.flatMap((n) => (byName.has(n) ? [byName.get(n)!] : [])),
    };
  }

  /** Every agent's newest version, by name, with the newest versions of its prompt and tools (the admins' view). */
  async listNewest(): Promise<StoredAgent[]> {
    const agents = await this.prisma.agent.findMany({ orderBy: [{ name: 'asc' }, { version: 'desc' }], distinct: ['name'] });
    const promptNames = [...new Set(agents.flatMap((a) => (a.promptName ? [a.promptName] : [])))];
    const toolNames = [...new Set(agents.flatMap((a) => a.toolNames as string[]))];
    const [prompts, tools] = await Promise.all([
      this.prisma.agentPrompt.findMany({ where: { name: { in: promptNames } }, orderBy: [{ name: 'asc' }, { version: 'desc' }], distinct: ['name'] }),
      this.prisma.agentTool.findMany({ where: { name: { in: toolNames } }, orderBy: [{ name: 'asc' }, { version: 'desc' }], distinct: ['name'] }),
    ]);
    const promptOf = new Map(prompts.map((p) => [p.name, p]));
    const toolOf = new Map(tools.map((t) => [t.name, { name: t.name, version: t.version, tool: JSON.parse(t.schemaJson) as ToolObject }]));
    return agents.map((a) => {
      const prompt = a.promptName ? promptOf.get(a.promptName) : undefined;
      return {
        name: a.name,
        version: a.version,
        promptName: a.promptName,
        promptVersion: prompt?.version ?? null,
        systemPrompt: prompt?.text ?? '',
        tools: (a.toolNames as string[]).flatMap((n) => (toolOf.has(n) ? [toolOf.get(n)!] : [])),
        createdAt: a.createdAt,
      };
    });
  }

  async isGranted(email: string): Promise<boolean> {
    return (await this.prisma.instanceAdmin.count({ where: { email } })) > 0;
  }

  /** Which of these emails hold a grant. */
  async grantedAmong(emails: readonly string[]): Promise<string[]> {
    return (await this.prisma.instanceAdmin.findMany({ where: { email: { in: [...emails] } }, select: { email: true } })).map((r) => r.email);
  }

  async grant(email: string): Promise<void> {
    await this.prisma.instanceAdmin.upsert({ where: { email }, create: { email }, update: {} });
  }

  /** True when a grant was removed. */
  async revoke(email: string): Promise<boolean> {
    return (await this.prisma.instanceAdmin.deleteMany({ where: { email } })).count > 0;
  }
}
