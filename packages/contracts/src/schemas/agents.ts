import { z } from 'zod';
import { storable, unixSeconds } from './fields.js';

// Agent configuration (spec §10): what the CLI's seeding script sends.

const agentName = z
  .string({ error: 'INVALID_REQUEST' })
  .trim()
  .min(1, 'MISSING_NAME')
  .max(128, 'INVALID_REQUEST')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'INVALID_REQUEST');
const version = z.number({ error: 'INVALID_REQUEST' }).int('INVALID_REQUEST').min(1, 'INVALID_REQUEST').max(1_000_000, 'INVALID_REQUEST').default(1);
/** A system prompt or a tool schema can be long (a full coding agent's prompt is ~30 KB). */
const MAX_TEXT = 1_000_000;

export const putPromptRequest = z.object({
  name: agentName,
  text: z.string({ error: 'INVALID_REQUEST' }).max(MAX_TEXT, 'INVALID_REQUEST').refine(storable, 'INVALID_REQUEST'),
  version,
});
export type PutPromptRequest = z.infer<typeof putPromptRequest>;

/** One OpenAI tool object. */
export const toolObject = z.object({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()),
  }),
});
export type ToolObject = z.infer<typeof toolObject>;

/** `schema_json` is a string holding one tool object whose `function.name` is `name`. */
export const putToolRequest = z
  .object({
    name: agentName,
    schema_json: z.string({ error: 'INVALID_REQUEST' }).max(MAX_TEXT, 'INVALID_REQUEST').refine(storable, 'INVALID_REQUEST'),
    version,
  })
  .superRefine((body, ctx) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.schema_json);
    } catch {
      parsed = undefined;
    }
    const tool = toolObject.safeParse(parsed);
    if (!tool.success || tool.data.function.name !== body.name) {
      ctx.addIssue({ code: 'custom', path: ['schema_json'], message: 'INVALID_REQUEST' });
    }
  });
export type PutToolRequest = z.infer<typeof putToolRequest>;

export const putAgentRequest = z.object({
  name: agentName,
  prompt_name: agentName.optional(),
  tool_names: z.array(agentName, { error: 'INVALID_REQUEST' }).max(500, 'INVALID_REQUEST').default([]),
  version,
});
export type PutAgentRequest = z.infer<typeof putAgentRequest>;

export const versionedResponse = z.object({ name: z.string(), version: z.number().int() });
export type VersionedResponse = z.infer<typeof versionedResponse>;

export const agentNameParams = z.object({ name: z.string().max(128, 'NOT_FOUND') });

export const agentResponse = z.object({ name: z.string(), system_prompt: z.string(), tools: z.array(toolObject) });
export type AgentResponse = z.infer<typeof agentResponse>;

/** One agent's newest version as the dashboard's admin view shows it (decided: the list of §10's store). */
export const agentSummary = z.object({
  name: z.string(),
  version: z.number().int(),
  /** The prompt it names (its newest version is used); null: none, the system prompt is empty. */
  prompt_name: z.string().nullable(),
  prompt_version: z.number().int().nullable(),
  system_prompt: z.string(),
  /** In the agent's order; `version` is the newest, which the run loop sends. */
  tools: z.array(z.object({ name: z.string(), version: z.number().int(), description: z.string().nullable() })),
  /** When this version of the agent was written. */
  updated_at: unixSeconds,
});
export type AgentSummary = z.infer<typeof agentSummary>;

/**
 * Every configured agent, by name, and how the run loop picks a model for them (spec §9). No
 * upstream appears here: its base URL and key stay in the server's configuration.
 */
export const agentListResponse = z.object({
  data: z.array(agentSummary),
  run_loop: z.object({ default_model: z.string().nullable(), model_aliases: z.record(z.string(), z.string()), max_iterations: z.number().int() }),
});
export type AgentListResponse = z.infer<typeof agentListResponse>;

/** AGENT_CONFIG_FILE: the same bodies the admin routes take, in one JSON document. */
export const agentConfigFile = z.strictObject({
  prompts: z.array(putPromptRequest).default([]),
  tools: z.array(putToolRequest).default([]),
  agents: z.array(putAgentRequest).default([]),
});
export type AgentConfigFile = z.infer<typeof agentConfigFile>;
