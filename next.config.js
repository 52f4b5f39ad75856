/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages loaded from node_modules at run time instead of being bundled:
  // the pg driver and Prisma's runtime load files relative to themselves.
  serverExternalPackages: ['@prisma/client', '@prisma/adapter-pg', 'pg', 'pino'],
  // `npm test` type-checks the whole project with tsc; the build does not need to repeat it.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  reactStrictMode: true,
  devIndicators: false,
};

export default nextConfig;
