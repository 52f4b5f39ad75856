import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { getEnv } from '../../lib/env';
import { createLogger, setLogger } from '../../lib/log';
import { startDemoWriters } from '../demo/writers';
import { parseOptions } from '../options';
import { runThaw, startOptions } from './start';

const demoOptions = startOptions.extend({
  dir: z.string().min(1, 'a directory'),
  speed: z.coerce.number({ error: 'a number' }).positive('a positive number').max(100, 'at most 100'),
});

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'Write realistic SmolVLA training logs into a demo folder (two sequential chains with different freeze strategies, repeated seeds,\n' +
        'an overfitting run, a crashed run, and one run still training in real time) and start Thaw on them.',
    )
    .option('--dir <dir>', 'where to write the demo logs', './demo-logs')
    .option('--speed <factor>', 'how fast the live run trains (1 = about 10 tqdm frames a second)', '1')
    .option('--port <port>', 'web UI port (env THAW_PORT)')
    .option('--host <host>', 'web UI bind address (env THAW_HOST)')
    .option('--no-build', 'do not (re)build the web UI, serve the existing .next build')
    .action(async (raw: { dir: string; speed: string; port?: string; host?: string; build: boolean }) => {
      const env = getEnv();
      const options = parseOptions(demoOptions, {
        dir: raw.dir,
        speed: raw.speed,
        logs: [path.resolve(raw.dir)],
        port: raw.port ?? env.THAW_PORT,
        host: raw.host ?? env.THAW_HOST,
        build: raw.build,
      });
      const log = createLogger(env.THAW_LOG_LEVEL);
      setLogger(log);
      const writers = await startDemoWriters(path.resolve(options.dir), { speed: options.speed });
      log.info({ dir: writers.dir }, 'demo logs are being written');
      await runThaw(options, log, () => writers.stop());
    });
}
