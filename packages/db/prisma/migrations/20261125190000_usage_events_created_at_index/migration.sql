-- CreateIndex
CREATE INDEX "usage_events_created_at_idx" ON "usage_events"("created_at");
