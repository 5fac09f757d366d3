import { ID_PREFIX } from '@aius/contracts';
import { randomId } from '../../common/random-id.js';

/** An OpenAI Chat message, forwarded as it is. */
export type Message = Record<string, unknown>;

export interface ToolCall {
  id: string;
  name: string;
  /** The model's raw `function.arguments` string. */
  arguments: string;
}

/** What one model turn says: its message for the conversation, its text, its tool calls. */
export interface Turn {
  message: Message;
  text: string;
  toolCalls: ToolCall[];
}

/**
 * The first choice's message of a chat completion, or null when the answer has none (a
 * malformed upstream answer). A tool call without an id gets one, written into the message
 * too, so the tool result the client sends can be matched and the conversation stays valid.
 */
export function readTurn(answer: unknown): Turn | null {
  const choices = (answer as { choices?: unknown } | null)?.choices;
  const message = Array.isArray(choices) ? (choices[0] as { message?: unknown } | undefined)?.message : undefined;
  if (!message || typeof message !== 'object') return null;
  const m = message as { content?: unknown; tool_calls?: unknown };
  const text = typeof m.content === 'string' ? m.content : '';
  const seen = new Set<string>();
  const toolCalls: ToolCall[] = [];
  const rawCalls = Array.isArray(m.tool_calls) ? (m.tool_calls as Record<string, unknown>[]) : [];
  const calls = rawCalls.map((call) => {
    const fn = (call?.function ?? {}) as { name?: unknown; arguments?: unknown };
    const id = typeof call?.id === 'string' && call.id !== '' && !seen.has(call.id) ? call.id : randomId(ID_PREFIX.toolCall);
    seen.add(id);
    const args = typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {});
    toolCalls.push({ id, name: typeof fn.name === 'string' ? fn.name : '', arguments: args });
    return { ...call, id, type: 'function', function: { ...fn, arguments: args } };
  });
  const out: Message = { role: 'assistant', content: typeof m.content === 'string' ? m.content : null };
  if (calls.length > 0) out.tool_calls = calls;
  return { message: out, text, toolCalls };
}

export const TITLE_PROMPT =
  'Write a short title (at most 8 words) for a conversation that starts with the user message below. Reply with the title only, no quotes.';

/** The text of the first user message (string content, or the text parts of an array). */
export function firstUserText(messages: Message[]): string {
  const first = messages.find((m) => m.role === 'user');
  const content = first?.content;
  if (typeof content === 'string') return content.trim();
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
    .join(' ')
    .trim();
}

/** The title call's answer as one short line. */
export function titleFrom(answer: unknown): string {
  const turn = readTurn(answer);
  const line = (turn?.text ?? '').trim().split('\n')[0] ?? '';
  return line.replace(/^["'“”]+|["'“”.]+$/g, '').trim().slice(0, 120);
}
