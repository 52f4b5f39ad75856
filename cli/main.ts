// `thaw` command-line entry. commander parses and documents the commands; each command lives in
// cli/commands/ and returns an exit code. User-facing failures (ThawError) print one line.
import { Command, CommanderError } from 'commander';
import { ThawError } from '../lib/errors';
import { registerAlertsCommand } from './commands/alerts';
import { registerDemoCommand } from './commands/demo';
import { registerIngestCommand } from './commands/ingest';
import { registerMigrateCommand } from './commands/migrate';
import { registerParseCommand } from './commands/parse';
import { registerStartCommand } from './commands/start';

export function buildProgram(): Command {
  const program = new Command('thaw')
    .description(
      'Thaw: a log-first experiment tracker for SmolVLA training runs.\n' +
        'It tails your training logs into PostgreSQL and shows freeze strategies, overfitting and multi-task forgetting.',
    )
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerStartCommand(program);
  registerParseCommand(program);
  registerIngestCommand(program);
  registerMigrateCommand(program);
  registerDemoCommand(program);
  registerAlertsCommand(program);
  return program;
}

/** Runs the CLI and resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are "errors" to commander but successes to the user.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
    }
    if (error instanceof ThawError) {
      for (const line of error.message.split('\n')) process.stderr.write(`thaw: ${line}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
