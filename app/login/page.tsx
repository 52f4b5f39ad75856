// The token form (only needed when THAW_TOKEN is set). Works without JavaScript.
import { safeNextPath } from '@/lib/api/auth';
import { getEnv } from '@/lib/env';

export const dynamic = 'force-dynamic';

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeNextPath(typeof params.next === 'string' ? params.next : '/');
  const required = Boolean(getEnv().THAW_TOKEN);
  return (
    <section className="panel login" data-testid="login">
      <h1>Sign in to Thaw</h1>
      {required ? (
        <form method="post" action="/api/auth/login">
          <input type="hidden" name="next" value={next} />
          <label>
            Token (THAW_TOKEN)
            <input type="password" name="token" autoComplete="current-password" required autoFocus />
          </label>
          <button type="submit">Sign in</button>
          {params.error && <p className="error-note">That token is not right.</p>}
        </form>
      ) : (
        <p>
          This Thaw needs no token (it listens on this machine only). <a href={next}>Continue</a>.
        </p>
      )}
    </section>
  );
}
