import { Injectable } from '@nestjs/common';
import { PrismaService, type Prisma, type User } from '@aius/db';

/** The only code that touches `users`. */
@Injectable()
export class UsersRepository {
  constructor(private readonly prisma: PrismaService) {}

  findById(id: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { id } });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { email } });
  }

  /** id, email and name of each of these users (those that still exist). */
  profiles(ids: readonly string[]): Promise<Pick<User, 'id' | 'email' | 'name'>[]> {
    return this.prisma.user.findMany({ where: { id: { in: [...ids] } }, select: { id: true, email: true, name: true } });
  }

  async defaultClientOf(id: string): Promise<string | null> {
    const row = await this.prisma.user.findUnique({ where: { id }, select: { defaultClientId: true } });
    return row?.defaultClientId ?? null;
  }

  insert(tx: Prisma.TransactionClient, data: { id: string; email: string; name: string; passwordHash: string }): Promise<User> {
    return tx.user.create({ data });
  }

  async setDefaultClient(tx: Prisma.TransactionClient, id: string, clientId: string): Promise<void> {
    await tx.user.update({ where: { id }, data: { defaultClientId: clientId } });
  }

  async setPasswordHash(tx: Prisma.TransactionClient, id: string, passwordHash: string): Promise<void> {
    await tx.user.update({ where: { id }, data: { passwordHash } });
  }
}
