import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../database/prisma.service.js';

/** Two-factor state of a user (spec §4). Owns `two_factor`, `recovery_codes`, `two_factor_challenges`. */
@Injectable()
export class TwoFactorService {
  constructor(private readonly prisma: PrismaService) {}

  async isEnabled(userId: string): Promise<boolean> {
    const row = await this.prisma.twoFactor.findUnique({ where: { userId }, select: { enabledAt: true } });
    return row?.enabledAt != null;
  }
}
