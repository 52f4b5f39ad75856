-- Epoch metrics and validation losses: like StepPoint (migration 20261130161000), a run's deletion
-- removes them through one statement-level trigger instead of a foreign key, whose check costs a
-- trigger call per inserted row (measured: about half the cost of bulk-inserting validation rows,
-- which a 100 MB event file has hundreds of thousands of). Ingest only writes these rows for a run it
-- has just upserted (and so locked) in the same transaction, so the key cannot dangle; deleting a
-- run or its source still removes every row.
ALTER TABLE "EpochMetric" DROP CONSTRAINT "EpochMetric_runId_fkey";

ALTER TABLE "Validation" DROP CONSTRAINT "Validation_runId_fkey";

CREATE FUNCTION "thaw_delete_run_epoch_rows"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "EpochMetric" e USING gone WHERE e."runId" = gone.id;
  DELETE FROM "Validation" v USING gone WHERE v."runId" = gone.id;
  RETURN NULL;
END $$;

CREATE TRIGGER "Run_delete_epoch_rows" AFTER DELETE ON "Run" REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION "thaw_delete_run_epoch_rows"();
