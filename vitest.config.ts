import { defineConfig } from 'vitest/config'

// Three kinds of tests: `unit` (pure logic), `api` (the built server + a throwaway MariaDB database,
// real HTTP and WebSocket clients) and `browser` (Debian Chromium through playwright-core).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'api',
          include: ['tests/api/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/helpers/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Hostile input, floods and storms against the built server; each file starts its own
          // server (to read its output and memory), one file at a time so timings are not shared.
          name: 'abuse',
          include: ['tests/abuse/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          // What a page shows after a server round trip may take more than a second on a busy CI machine.
          expect: { poll: { timeout: 5000 } },
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/helpers/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
