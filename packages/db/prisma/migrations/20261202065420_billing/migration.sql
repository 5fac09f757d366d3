-- Credits and budgets (spec §12): one account per client (plan, period, what is left) and the
-- append-only ledger the balances are rebuilt from. Amounts in micro-credits.
CREATE TABLE "billing_accounts" (
    "client_id" TEXT NOT NULL,
    "plan_name" TEXT NOT NULL,
    "monthly_quota" BIGINT NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "quota_remaining" BIGINT NOT NULL,
    "topup_balance" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "billing_accounts_pkey" PRIMARY KEY ("client_id")
);

CREATE TABLE "credit_transactions" (
    "id" BIGSERIAL NOT NULL,
    "client_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "request_id" TEXT,
    "amount" BIGINT NOT NULL,
    "balance_after" BIGINT NOT NULL,
    "model" TEXT,
    "run_id" TEXT,
    "token_id" INTEGER,
    "estimated" BOOLEAN NOT NULL DEFAULT false,
    "note" TEXT,
    "actor_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "credit_transactions_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "credit_transactions_request_id_key" ON "credit_transactions"("request_id");
CREATE INDEX "credit_transactions_client_id_id_idx" ON "credit_transactions"("client_id", "id");
