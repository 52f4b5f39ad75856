// The environment, validated once (lib/env.ts): a bad value names its variable and the expected form.
import { describe, expect, it } from 'vitest';
import { parseEnv } from './env';
import { ConfigError } from './errors';

describe('configuration', () => {
  it('names the variable and the expected form for bad values', () => {
    expect(() => parseEnv({ THAW_PORT: '99999' })).toThrow(/THAW_PORT: expected a port from 1 to 65535 \(got "99999"\)/);
    expect(() => parseEnv({ DATABASE_URL: 'mysql://x' })).toThrow(
      /DATABASE_URL: expected a postgresql:\/\/user:password@host:port\/db URL/,
    );
    expect(() => parseEnv({ THAW_STALE_MINUTES: 'soon' })).toThrow(/THAW_STALE_MINUTES: expected a number of minutes/);
    expect(() => parseEnv({ THAW_LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    expect(() => parseEnv({ THAW_HOSTNAME: 'gpu box 3' })).toThrow(/THAW_HOSTNAME: expected a host name like gpu-box-3/);
    expect(() => parseEnv({ THAW_HOSTNAME: '-gpu' })).toThrow(/THAW_HOSTNAME/);
    expect(() => parseEnv({ THAW_HOSTNAME: 'g'.repeat(64) })).toThrow(/THAW_HOSTNAME/);
    expect(parseEnv({ THAW_HOSTNAME: 'gpu-box-3.lab_a' }).THAW_HOSTNAME).toBe('gpu-box-3.lab_a');
  });

  it('applies defaults and treats empty variables as unset', () => {
    const env = parseEnv({ DATABASE_URL: '', THAW_PORT: '' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env).toMatchObject({
      THAW_DATA_DIR: '.thaw',
      THAW_HOST: '127.0.0.1',
      THAW_PORT: 3000,
      THAW_LOGS: './logs',
      THAW_STALE_MINUTES: 10,
    });
  });
});
