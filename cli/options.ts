// Flag validation for the CLI: each command's options go through a zod schema, and a bad value
// fails with the flag's name and the form it expects (the same wording as env errors).
import type { z } from 'zod';
import { ConfigError } from '../lib/errors';
import { formatIssues } from '../lib/env';

export function parseOptions<T extends z.ZodType>(schema: T, options: Record<string, unknown>): z.infer<T> {
  const result = schema.safeParse(options);
  if (result.success) return result.data;
  const flag = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  throw new ConfigError(formatIssues(result.error.issues, flag, options));
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}
