import type { NextConfig } from 'next';

// The dashboard and the API share one origin: /api/* is forwarded to the API, so the
// `__Host-` session cookie is first-party for the browser.
const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:8000';

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  transpilePackages: [],
  async rewrites() {
    return [{ source: '/api/:path*', destination: `${apiUrl}/api/:path*` }];
  },
};

export default config;
