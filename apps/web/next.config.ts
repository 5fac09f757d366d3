import type { NextConfig } from 'next';

// /api/* is forwarded to the API by src/proxy.ts (at request time, so API_URL is read
// when the server starts rather than frozen into the build).
const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
};

export default config;
