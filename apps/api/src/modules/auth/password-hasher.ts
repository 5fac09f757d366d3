import { randomBytes } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { hash, verify, type Algorithm } from '@node-rs/argon2';

/**
 * argon2id, OWASP's memory-hard profile raised one step: 46 MiB, 2 passes, 1 lane
 * (~40–50 ms a hash on this hardware). The parameters live in each hash string, so
 * raising them later still verifies old hashes.
 */
// Algorithm.Argon2id is an ambient const enum, which isolated modules cannot read.
const ARGON2ID = 2 as Algorithm;
const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 47_104, timeCost: 2, parallelism: 1 } as const;

@Injectable()
export class PasswordHasher implements OnModuleInit {
  /**
   * A hash of a random password nobody knows, made with the same parameters at boot.
   * A login for an unknown email is verified against it, so it costs what a wrong
   * password costs and response time does not reveal which emails have accounts.
   */
  private dummyHash = '';

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hash(randomBytes(32).toString('base64url'));
  }

  hash(password: string): Promise<string> {
    return hash(password, ARGON2_OPTIONS);
  }

  /** Checks `password` against `passwordHash`, or against the dummy when there is no account. */
  async verify(passwordHash: string | undefined, password: string): Promise<boolean> {
    const ok = await verify(passwordHash ?? this.dummyHash, password).catch(() => false);
    return ok && passwordHash !== undefined;
  }
}
