import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CredentialGuard } from './common/credential.guard.js';
import { CredentialsModule } from './credentials.module.js';
import type { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { LifecycleModule } from './lifecycle/lifecycle.module.js';
import { ArtifactsModule } from './modules/artifacts/artifacts.module.js';
import { AdminModule } from './modules/admin/admin.module.js';
import { AgentsModule } from './modules/agents/agents.module.js';
import { AuditModule } from './modules/audit/audit.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { MailModule } from './modules/mail/mail.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { ClientsModule } from './modules/clients/clients.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { OpenApiModule } from './modules/openapi/openapi.module.js';
import { ProjectsModule } from './modules/projects/projects.module.js';
import { ProxyModule } from './modules/proxy/proxy.module.js';
import { RateLimitModule } from './modules/rate-limit/rate-limit.module.js';
import { RunsModule } from './modules/runs/runs.module.js';
import { TokensModule } from './modules/tokens/tokens.module.js';
import { UsageModule } from './modules/usage/usage.module.js';
import { RedisModule } from './redis/redis.module.js';
import { StateMetricsModule } from './state-metrics.module.js';

/** Domain modules register here, one per concern (see README "Adding an endpoint"). */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, extraModules: Type[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LifecycleModule,
        DatabaseModule,
        RedisModule,
        MetricsModule,
        StateMetricsModule,
        RateLimitModule,
        CredentialsModule,
        MailModule,
        HealthModule,
        AuditModule,
        AuthModule,
        ClientsModule,
        TokensModule,
        ProjectsModule,
        UsageModule,
        ProxyModule,
        ArtifactsModule,
        AgentsModule,
        AdminModule,
        RunsModule,
        OpenApiModule,
        ...extraModules,
      ],
      providers: [{ provide: APP_GUARD, useClass: CredentialGuard }],
    };
  }
}
