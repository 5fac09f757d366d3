import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RouteDef } from '@aius/contracts';
import { map, type Observable } from 'rxjs';
import { ROUTE_DEF } from './endpoint.decorator.js';

/**
 * Passes every response through its contract schema: zod objects drop undeclared keys,
 * so a column such as a password or token hash can never leak by accident.
 */
@Injectable()
export class ResponseSerializerInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const def = this.reflector.get<RouteDef | undefined>(ROUTE_DEF, context.getHandler());
    const schema = def?.response;
    if (!schema) return next.handle();
    return next.handle().pipe(map((body: unknown) => schema.parse(body)));
  }
}
