import { z } from 'zod';
import { RUN_CLOSE, RUN_CLOSE_MEANINGS, runClientFrames, runServerFrames } from '../schemas/runs.js';
import { API_BASE, API_BASE_ALIAS, routes } from '../routes.js';
import { componentNames, componentSchemas } from './component-names.js';

type Json = Record<string, unknown>;
type Frame = (typeof runClientFrames.options)[number] | (typeof runServerFrames.options)[number];

/** The version of the AsyncAPI WebSocket channel binding this document uses. */
const WS_BINDING_VERSION = '0.1.0';

/**
 * The AsyncAPI 3.1 description of the run loop's WebSocket (spec §9), generated from the same
 * zod schemas the socket parses and encodes its frames with: one message per frame, named
 * after its `type`, received (client → server) or sent (server → client) on one channel.
 *
 * Why AsyncAPI beside the OpenAPI document: OpenAPI 3.1 can name a WebSocket route but has no
 * words for its messages or their direction; AsyncAPI 3 is the standard for exactly that, and
 * its tools (parsers, code generators) read it. Payloads are JSON Schema draft 7, the dialect
 * AsyncAPI's own schema format extends.
 */
export function asyncApiDocument(): Json {
  const names = componentNames();
  const name = (schema: z.ZodType): string => names.get(schema)!;
  const client = runClientFrames.options;
  const server = runServerFrames.options;
  const schemas = {
    ...componentSchemas(client, { io: 'input', target: 'draft-7', name }),
    ...componentSchemas(server, { io: 'output', target: 'draft-7', name }),
  };
  const messages = Object.fromEntries([...client, ...server].map((frame) => [typeOf(frame), message(frame, name)]));
  const channelMessages = Object.fromEntries(
    [...client, ...server].map((frame) => [typeOf(frame), { $ref: `#/components/messages/${typeOf(frame)}` }]),
  );
  const onChannel = (frames: readonly Frame[]) => frames.map((frame) => ({ $ref: `#/channels/runs/messages/${typeOf(frame)}` }));

  return {
    asyncapi: '3.1.0',
    info: {
      title: 'AIUS run loop',
      version: '1.0.0',
      description:
        'The WebSocket the AIUS CLI sends every prompt through. The server runs the agent loop (it calls the ' +
        "upstream model with the agent's system prompt and tools); the client runs the tools. Text frames, " +
        'one JSON object each. The client sends `auth` and `start` back to back right after the socket opens, ' +
        'then one `tool_result` per `tool_call`. Every failure the client may retry sends `error` before the ' +
        'close; 1008 is final. The HTTP routes are described by the OpenAPI document at ' +
        `\`${API_BASE}${routes.openApi.path}\`.`,
    },
    servers: Object.fromEntries(
      [
        ['api', API_BASE],
        ['alias', API_BASE_ALIAS],
      ].map(([id, pathname]) => [
        id,
        {
          host: '{host}',
          protocol: 'wss',
          pathname,
          description: `Served under \`${pathname}\` on the API's own port; behind a TLS reverse proxy that upgrades it (see deploy/).`,
          variables: { host: { default: 'localhost:8000', description: 'The AIUS server, or its reverse proxy' } },
        },
      ]),
    ),
    defaultContentType: 'application/json',
    channels: {
      runs: {
        address: routes.runSocket.path,
        title: 'Run socket',
        description:
          'One run per socket. The bearer token travels in the first frame, not in a header. ' +
          'Close codes: ' +
          (Object.keys(RUN_CLOSE) as (keyof typeof RUN_CLOSE)[]).map((key) => `${RUN_CLOSE[key]}: ${RUN_CLOSE_MEANINGS[key]}`).join(' '),
        messages: channelMessages,
        bindings: { ws: { method: 'GET', bindingVersion: WS_BINDING_VERSION } },
        'x-aius-close-codes': Object.fromEntries(
          (Object.keys(RUN_CLOSE) as (keyof typeof RUN_CLOSE)[]).map((key) => [String(RUN_CLOSE[key]), RUN_CLOSE_MEANINGS[key]]),
        ),
      },
    },
    operations: {
      receiveClientFrames: {
        action: 'receive',
        channel: { $ref: '#/channels/runs' },
        title: 'Frames the client sends',
        summary: '`auth`, then `start`, then one `tool_result` per `tool_call`.',
        messages: onChannel(client),
      },
      sendServerFrames: {
        action: 'send',
        channel: { $ref: '#/channels/runs' },
        title: 'Frames the server sends',
        summary: '`ready`, then per model turn `assistant_message` and `tool_call`s, optionally `title`, and `run_completed` or `error`.',
        messages: onChannel(server),
      },
    },
    components: { schemas, messages },
  };
}

/** The frame's `type` literal, which names its message. */
export function typeOf(frame: Frame): string {
  return frame.shape.type.value;
}

function message(frame: Frame, name: (s: z.ZodType) => string): Json {
  const description = z.globalRegistry.get(frame)?.description;
  return {
    name: typeOf(frame),
    title: typeOf(frame),
    ...(description && { summary: description }),
    contentType: 'application/json',
    payload: { $ref: `#/components/schemas/${name(frame)}` },
  };
}
