-- CreateTable
CREATE TABLE "usage_client_daily" (
    "client_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "model" TEXT NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "prompt_tokens" BIGINT NOT NULL DEFAULT 0,
    "completion_tokens" BIGINT NOT NULL DEFAULT 0,
    "total_tokens" BIGINT NOT NULL DEFAULT 0,
    "latency_ms_sum" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "usage_client_daily_pkey" PRIMARY KEY ("client_id","day","model")
);

-- Backfill from the finer rollups already recorded (hand-written: Prisma generates no data steps).
INSERT INTO "usage_client_daily" ("client_id", "day", "model", "requests", "errors", "prompt_tokens", "completion_tokens", "total_tokens", "latency_ms_sum")
SELECT "client_id", "day", "model", sum("requests"), sum("errors"), sum("prompt_tokens"), sum("completion_tokens"), sum("total_tokens"), sum("latency_ms_sum")
FROM "usage_daily"
GROUP BY "client_id", "day", "model";
