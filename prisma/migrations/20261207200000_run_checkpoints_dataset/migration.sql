-- Issue 26: a run's status is what its artefacts prove, and LeRobot runs have a task (their dataset).

-- LeRobot's dataset.repo_id (from train_config.json or the config the console log prints): what a
-- LeRobot run is trained on, its task for faceting and ranking when it has no task id.
ALTER TABLE "Run" ADD COLUMN "dataset" TEXT;

-- A run's checkpoints by optimiser step: LeRobot's checkpoints/<step>/ folders (read from their
-- train_config.json: onDisk) and the "Checkpoint policy after step N" lines of its log.
CREATE TABLE "Checkpoint" (
    "runId" INTEGER NOT NULL,
    "step" INTEGER NOT NULL,
    "path" TEXT,
    "onDisk" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "Checkpoint_pkey" PRIMARY KEY ("runId","step")
);

-- AddForeignKey
ALTER TABLE "Checkpoint" ADD CONSTRAINT "Checkpoint_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
