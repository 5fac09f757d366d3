import { Body, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, SetMetadata, applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { RouteDef } from '@aius/contracts';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ContractPipe } from './contract-pipe.js';

export const ROUTE_DEF = 'aius:route';

const METHOD = { GET: Get, POST: Post, PUT: Put, PATCH: Patch, DELETE: Delete } as const;

/**
 * Binds a handler to a route of the contract table: method, path, status 200 (the spec
 * has no 201/204), the route definition as metadata for the credential guard and the rate
 * limiter, and the response schema applied to whatever the handler returns.
 */
export function Endpoint(def: RouteDef): MethodDecorator {
  const decorators = [METHOD[def.method](def.path), HttpCode(200), SetMetadata(ROUTE_DEF, def)];
  if (def.response) decorators.unshift(SerializeWith(def.response));
  return applyDecorators(...decorators);
}

/**
 * Passes the handler's result through its contract schema: zod objects drop undeclared keys,
 * so a column such as a password or token hash can never leak by accident. Done by wrapping
 * the handler rather than with a global Nest interceptor: an interceptor puts an rxjs chain on
 * every request of every route, which measured about a third of the framework's cost on a
 * trivial route (GET /health: ~17k → ~23k req/s without it, same machine and run).
 */
function SerializeWith(schema: z.ZodType): MethodDecorator {
  return (_target, _key, descriptor: PropertyDescriptor) => {
    const handler = descriptor.value as (...args: unknown[]) => unknown;
    const serialized = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
      return schema.parse(await handler.apply(this, args));
    };
    // Nest keeps route metadata on the function object: the wrapper must carry what the
    // decorators applied before this one (listed after it) put on the original.
    for (const key of Reflect.getMetadataKeys(handler)) {
      Reflect.defineMetadata(key, Reflect.getMetadata(key, handler), serialized);
    }
    Object.defineProperty(serialized, 'name', { value: handler.name });
    descriptor.value = serialized;
    return descriptor;
  };
}

type WithBody = RouteDef & { body: NonNullable<RouteDef['body']> };
type WithQuery = RouteDef & { query: NonNullable<RouteDef['query']> };
type WithParams = RouteDef & { params: NonNullable<RouteDef['params']> };
type WithHeaders = RouteDef & { headers: NonNullable<RouteDef['headers']> };

/** The request body, parsed by the route's contract schema. */
export const ContractBody = (def: WithBody) => Body(new ContractPipe(def.body, def.statusOverrides));
/** The query string, parsed by the route's contract schema. */
export const ContractQuery = (def: WithQuery) => Query(new ContractPipe(def.query, def.statusOverrides));
/** The path parameters, parsed by the route's contract schema. */
export const ContractParams = (def: WithParams) => Param(new ContractPipe(def.params, def.statusOverrides));

// Nest's own @Headers() takes no pipe; a parameter decorator made here does.
const RequestHeaders = createParamDecorator((_: unknown, ctx: ExecutionContext) => ctx.switchToHttp().getRequest<FastifyRequest>().headers);
/** The request headers the route declares (lower-case names), parsed by its contract schema; the others are dropped. */
export const ContractHeaders = (def: WithHeaders) => RequestHeaders(new ContractPipe(def.headers, def.statusOverrides));
