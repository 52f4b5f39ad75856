-- Issue 13 (the runs table at 10,000 runs): every listing first asks which runs have no summary, or
-- one computed by other rules. With ("runId", rules) that is an anti-join of two index-only scans
-- instead of a hash join over the wide summary rows (view jsonb, search text).
CREATE INDEX "RunSummary_runId_rules_idx" ON "RunSummary"("runId", "rules");
