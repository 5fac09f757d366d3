import { PrismaService, type User } from '@aius/db';
import { Injectable } from '@nestjs/common';
import type { User as WireUser } from '@aius/contracts';

/** Read access to the `users` table for the modules that need a user (2FA, me, login). */
@Injectable()
export class UsersService {
  constructor(private readonly prisma: PrismaService) {}

  findById(id: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { id } });
  }

  /** id → email, for lists that show who did something (the run history). */
  async emailsOf(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.prisma.user.findMany({ where: { id: { in: ids } }, select: { id: true, email: true } });
    return new Map(rows.map((r) => [r.id, r.email]));
  }

  /** `email` is already lower-cased by the contract schema (emails compare case-insensitively). */
  findByEmail(email: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { email } });
  }
}

/** The user object of spec §4. */
export function toWireUser(user: Pick<User, 'id' | 'email' | 'name' | 'createdAt'>): WireUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    provider: 'email',
    provider_id: user.email,
    created_at: Math.floor(user.createdAt.getTime() / 1000),
  };
}
