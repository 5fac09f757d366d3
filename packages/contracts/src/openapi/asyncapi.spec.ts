import { Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as contracts from '../index.js';
import { RUN_CLOSE, runClientFrames, runServerFrames } from '../schemas/runs.js';
import { asyncApiDocument, typeOf } from './asyncapi.js';
import { openApiDocument } from './document.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const doc = asyncApiDocument() as Json;

/** Follows `#/…` references inside the document, so a payload can be compared with zod's inline output. */
const resolve = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(resolve)
  : value && typeof value === 'object'
    ? '$ref' in value
      ? resolve((value as { $ref: string }).$ref.slice(2).split('/').reduce((node: Json, key) => node[key], doc))
      : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]))
  : value;

const zodPayload = (frame: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _s, ...json } = z.toJSONSchema(frame, { io, target: 'draft-7', unrepresentable: 'any', reused: 'inline' }) as Json;
  return json;
};

describe('AsyncAPI document of the run socket', () => {
  it('validates with the AsyncAPI parser without a single diagnostic', async () => {
    const diagnostics = await new Parser().validate(JSON.stringify(doc));
    expect(diagnostics.map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`)).toEqual([]);
    // The parser loads its rule sets on first use: seconds on a busy machine, not a timing claim.
  }, 60_000);

  it('describes every frame the client sends as a message the server receives, payload as zod parses it', () => {
    const received = doc.operations.receiveClientFrames;
    expect(received.action).toBe('receive');
    expect(received.messages.map((m: Json) => m.$ref)).toEqual(runClientFrames.options.map((f) => `#/channels/runs/messages/${typeOf(f)}`));
    for (const frame of runClientFrames.options) {
      const message = resolve(doc.channels.runs.messages[typeOf(frame)]) as Json;
      expect(message.name).toBe(typeOf(frame));
      expect(message.payload, typeOf(frame)).toEqual(zodPayload(frame, 'input'));
    }
  });

  it('describes every frame the server sends as a message it sends, payload as zod encodes it', () => {
    const sent = doc.operations.sendServerFrames;
    expect(sent.action).toBe('send');
    expect(sent.messages.map((m: Json) => m.$ref)).toEqual(runServerFrames.options.map((f) => `#/channels/runs/messages/${typeOf(f)}`));
    expect(runServerFrames.options.map(typeOf).sort()).toEqual(['assistant_message', 'error', 'ready', 'run_completed', 'title', 'tool_call']);
    for (const frame of runServerFrames.options) {
      const message = resolve(doc.channels.runs.messages[typeOf(frame)]) as Json;
      expect(message.payload, typeOf(frame)).toEqual(zodPayload(frame, 'output'));
      expect(message.summary, `${typeOf(frame)} says when it is sent`).toEqual(expect.any(String));
    }
  });

  it('leaves no frame schema of the contracts out of the two frame unions, so none is missing from the document', () => {
    const inUnions = new Set<unknown>([...runClientFrames.options, ...runServerFrames.options]);
    const frames = Object.entries(contracts).filter(([key, value]) => value instanceof z.ZodType && key.endsWith('Frame'));
    expect(frames.length).toBeGreaterThanOrEqual(9);
    for (const [key, schema] of frames) expect(inUnions.has(schema), `${key} is in runClientFrames or runServerFrames`).toBe(true);
    expect(Object.keys(doc.channels.runs.messages).sort()).toEqual([...inUnions].map((f) => typeOf(f as never)).sort());
  });

  it('gives the socket its address on both prefixes and every close code its meaning', () => {
    expect(doc.channels.runs.address).toBe(contracts.routes.runSocket.path);
    expect(Object.values(doc.servers as Record<string, Json>).map((s) => s.pathname)).toEqual([contracts.API_BASE, contracts.API_BASE_ALIAS]);
    expect(Object.keys(doc.channels.runs['x-aius-close-codes']).map(Number)).toEqual(Object.values(RUN_CLOSE));
  });

  it('is pointed to from the OpenAPI document, whose socket operation answers an upgrade', () => {
    const openapi = openApiDocument() as Json;
    const operation = openapi.paths[contracts.routes.runSocket.path].get;
    expect(Object.keys(operation.responses)).toContain('101');
    expect(operation.responses['200']).toBeUndefined();
    expect(operation.externalDocs.url).toBe(`${contracts.API_BASE}${contracts.routes.asyncApi.path}`);
    for (const frame of [...runClientFrames.options, ...runServerFrames.options]) {
      expect(Object.keys(openapi.components.schemas)).toContain(componentName(frame));
    }
  });
});

function componentName(frame: z.ZodType): string {
  const key = Object.entries(contracts).find(([, value]) => value === frame)![0];
  return key.charAt(0).toUpperCase() + key.slice(1);
}
