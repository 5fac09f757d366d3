import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RouteDef } from '@aius/contracts';
import { CredentialCheck, type CredentialRequest } from './credential-check.js';
import { ROUTE_DEF } from './endpoint.decorator.js';

/** The route table's `auth` column on every Nest route (global guard); the rules live in CredentialCheck. */
@Injectable()
export class CredentialGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialCheck,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const def = this.reflector.get<RouteDef | undefined>(ROUTE_DEF, context.getHandler());
    if (!def || def.auth === 'none') return true;
    await this.credentials.authenticate(def, context.switchToHttp().getRequest<CredentialRequest>());
    return true;
  }
}
