import { defineConfig } from 'vitest/config';

// Unit tests live beside the source; e2e/ belongs to Playwright.
export default defineConfig({ test: { include: ['src/**/*.spec.ts'] } });
