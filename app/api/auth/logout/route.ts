import { SESSION_COOKIE } from '@/lib/api/auth';
import { withApi } from '@/lib/api/errors';

export const dynamic = 'force-dynamic';

export const POST = withApi(
  () =>
    new Response(null, {
      status: 303,
      headers: { Location: '/login', 'Set-Cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` },
    }),
);
