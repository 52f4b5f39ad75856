// Errors the user can act on. Anything that reaches the CLI's top level as a ThawError prints its
// message as one line and exits with its exit code; anything else is a bug and keeps its stack.

export class ThawError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
    readonly code: string = 'thaw_error',
  ) {
    super(message);
    this.name = 'ThawError';
  }
}

/** A bad environment variable or flag: names the variable and the expected form. */
export class ConfigError extends ThawError {
  constructor(message: string) {
    super(message, 2, 'config_error');
    this.name = 'ConfigError';
  }
}

/** The database cannot be reached, started or migrated. */
export class DatabaseError extends ThawError {
  constructor(message: string) {
    super(message, 1, 'database_error');
    this.name = 'DatabaseError';
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
