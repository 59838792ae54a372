import type { NextConfig } from 'next';

const securityHeaders = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  {
    key: 'Content-Security-Policy',
    // 'wasm-unsafe-eval' lets tfjs's WASM backend compile; blob: lets it start Web Workers.
    value: [
      "default-src 'self'",
      "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval' blob:",
      "worker-src 'self' blob:",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' blob: data:",
      "font-src 'self' data:",
      "connect-src 'self' blob: data:",
      "frame-ancestors 'none'",
      "base-uri 'self'",
      "form-action 'self'",
    ].join('; '),
  },
];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // `npm run typecheck` (part of `npm test`) checks types for the whole repo; the build needn't repeat it.
  typescript: { ignoreBuildErrors: true },
  serverExternalPackages: ['better-sqlite3', 'sharp', 'pg', '@prisma/adapter-better-sqlite3', '@prisma/adapter-pg', 'yauzl'],
  experimental: {
    // Upload bodies are streamed by our own route; this only affects server actions.
    serverActions: { bodySizeLimit: '1mb' },
  },
  async headers() {
    // Stored images keep the sandboxing CSP their route sets ("default-src 'none'; sandbox"): a global
    // Content-Security-Policy header here would replace it, so those two routes get the others only.
    const imageBytes = '/api/images/:id/(file|thumb)';
    return [
      { source: '/((?!api/images/[^/]+/(?:file|thumb)$).*)', headers: securityHeaders },
      { source: imageBytes, headers: securityHeaders.filter((h) => h.key !== 'Content-Security-Policy') },
    ];
  },
};

export default nextConfig;
