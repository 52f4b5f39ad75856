// POST /api/auth/login (the /login form): a valid token sets the httpOnly session cookie.
import { SESSION_COOKIE, safeEqual, safeNextPath, sessionValue } from '@/lib/api/auth';
import { withApi } from '@/lib/api/errors';
import { getEnv } from '@/lib/env';

export const dynamic = 'force-dynamic';

export const POST = withApi(async (request: Request) => {
  const form = await request.formData().catch(() => null);
  const given = form?.get('token');
  const next = safeNextPath(typeof form?.get('next') === 'string' ? (form.get('next') as string) : '/');
  const token = getEnv().THAW_TOKEN;
  const redirect = (location: string, cookie?: string) =>
    new Response(null, { status: 303, headers: { Location: location, ...(cookie ? { 'Set-Cookie': cookie } : {}) } });
  if (!token) return redirect(next);
  if (typeof given !== 'string' || !safeEqual(given.trim(), token)) {
    return redirect(`/login?error=1&next=${encodeURIComponent(next)}`);
  }
  const secure = new URL(request.url).protocol === 'https:' ? '; Secure' : '';
  return redirect(next, `${SESSION_COOKIE}=${sessionValue(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000${secure}`);
});
