import { Body, Delete, Get, HttpCode, Param, Patch, Post, Query, SetMetadata, applyDecorators } from '@nestjs/common';
import type { RouteDef } from '@aius/contracts';
import { ContractPipe } from './contract-pipe.js';

export const ROUTE_DEF = 'aius:route';

const METHOD = { GET: Get, POST: Post, PATCH: Patch, DELETE: Delete } as const;

/**
 * Binds a handler to a route of the contract table: method, path, status 200 (the spec
 * has no 201/204), and the route definition as metadata for the credential guard, the
 * rate limiter and the response serializer.
 */
export function Endpoint(def: RouteDef): MethodDecorator {
  return applyDecorators(METHOD[def.method](def.path), HttpCode(200), SetMetadata(ROUTE_DEF, def));
}

type WithBody = RouteDef & { body: NonNullable<RouteDef['body']> };
type WithQuery = RouteDef & { query: NonNullable<RouteDef['query']> };
type WithParams = RouteDef & { params: NonNullable<RouteDef['params']> };

/** The request body, parsed by the route's contract schema. */
export const ContractBody = (def: WithBody) => Body(new ContractPipe(def.body, def.statusOverrides));
/** The query string, parsed by the route's contract schema. */
export const ContractQuery = (def: WithQuery) => Query(new ContractPipe(def.query, def.statusOverrides));
/** The path parameters, parsed by the route's contract schema. */
export const ContractParams = (def: WithParams) => Param(new ContractPipe(def.params, def.statusOverrides));
