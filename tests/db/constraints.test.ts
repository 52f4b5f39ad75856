// Re-ingesting the same bytes must be a no-op: the natural keys below are what make it so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

let database: TestDatabase;
let sourceId: number;
let runId: number;

beforeAll(async () => {
  database = await createTestDatabase('constraints');
  const source = await database.prisma.logSource.create({
    data: { host: 'gpu-1', path: '/logs/a.log', device: '2049', inode: '1234', fingerprint: 'f'.repeat(64), fingerprintLength: 64 },
  });
  sourceId = source.id;
  const run = await database.prisma.run.create({ data: { sourceId, runKey: 0n, format: 'smolvla_sequential', taskId: 1 } });
  runId = run.id;
});
afterAll(() => database.drop());

const uniqueViolation = { code: 'P2002' };

describe('uniqueness constraints', () => {
  it('one source per host + device + inode + fingerprint', async () => {
    await expect(
      database.prisma.logSource.create({
        data: {
          host: 'gpu-1',
          path: '/logs/renamed.log',
          device: '2049',
          inode: '1234',
          fingerprint: 'f'.repeat(64),
          fingerprintLength: 64,
        },
      }),
    ).rejects.toMatchObject(uniqueViolation);
    // The same inode on another host is another file.
    await expect(
      database.prisma.logSource.create({
        data: { host: 'gpu-2', path: '/logs/a.log', device: '2049', inode: '1234', fingerprint: 'f'.repeat(64), fingerprintLength: 64 },
      }),
    ).resolves.toMatchObject({ host: 'gpu-2' });
  });

  it('one run per source + run key', async () => {
    await expect(database.prisma.run.create({ data: { sourceId, runKey: 0n, format: 'smolvla_sequential' } })).rejects.toMatchObject(
      uniqueViolation,
    );
  });

  it('one strategy per run', async () => {
    await database.prisma.visionStrategy.create({
      data: { runId, kind: 'unfreeze', applied: true, frozenLayers: [0, 1, 2], unfrozenLayers: [3, 4, 5, 6, 7, 8, 9, 10, 11] },
    });
    await expect(database.prisma.visionStrategy.create({ data: { runId, kind: 'ratio', applied: true } })).rejects.toMatchObject(
      uniqueViolation,
    );
  });

  it('one epoch metric per run + epoch, one step point per run + step', async () => {
    await database.prisma.epochMetric.create({ data: { runId, epoch: 1, trainLoss: 0.5 } });
    await expect(database.prisma.epochMetric.create({ data: { runId, epoch: 1, trainLoss: 0.4 } })).rejects.toMatchObject(uniqueViolation);
    await database.prisma.stepPoint.create({ data: { runId, step: 1, epoch: 1, loss: 0.9 } });
    await expect(database.prisma.stepPoint.create({ data: { runId, step: 1, epoch: 1, loss: 0.8 } })).rejects.toMatchObject(
      uniqueViolation,
    );
  });

  it('one validation per run + epoch + final + task', async () => {
    await database.prisma.validation.create({ data: { runId, epoch: 5, final: false, taskId: 1, loss: 0.7 } });
    await database.prisma.validation.create({ data: { runId, epoch: 5, final: true, taskId: 1, loss: 0.6 } });
    await expect(
      database.prisma.validation.create({ data: { runId, epoch: 5, final: false, taskId: 1, loss: 0.7 } }),
    ).rejects.toMatchObject(uniqueViolation);
  });

  it('one event per run + kind + line, one warning per source + line + message', async () => {
    await database.prisma.runEvent.create({ data: { runId, kind: 'best_saved', line: 120, epoch: 3, loss: 0.1 } });
    await expect(database.prisma.runEvent.create({ data: { runId, kind: 'best_saved', line: 120 } })).rejects.toMatchObject(
      uniqueViolation,
    );
    await database.prisma.parseWarning.create({ data: { sourceId, runId, line: 7, message: 'bad loss' } });
    await expect(database.prisma.parseWarning.create({ data: { sourceId, line: 7, message: 'bad loss' } })).rejects.toMatchObject(
      uniqueViolation,
    );
  });

  it('keeps NaN and infinite losses as such', async () => {
    await database.prisma.epochMetric.create({ data: { runId, epoch: 2, trainLoss: Number.NaN } });
    await database.prisma.epochMetric.create({ data: { runId, epoch: 3, trainLoss: Number.POSITIVE_INFINITY } });
    const rows = await database.query<{ epoch: number; trainLoss: number }>(
      `SELECT epoch, "trainLoss" FROM "EpochMetric" WHERE "runId" = $1 AND epoch IN (2, 3) ORDER BY epoch`,
      [runId],
    );
    expect(Number.isNaN(rows[0]!.trainLoss)).toBe(true);
    expect(rows[1]!.trainLoss).toBe(Number.POSITIVE_INFINITY);
  });

  it('deleting a source removes its runs and everything under them', async () => {
    await database.prisma.logSource.delete({ where: { id: sourceId } });
    const counts = await database.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM "Run") + (SELECT count(*) FROM "EpochMetric") + (SELECT count(*) FROM "StepPoint") + (SELECT count(*) FROM "Validation") + (SELECT count(*) FROM "RunEvent") + (SELECT count(*) FROM "ParseWarning") + (SELECT count(*) FROM "VisionStrategy") AS n`,
    );
    expect(Number(counts[0]!.n)).toBe(0);
  });
});
