import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'packages/engine',
      'packages/relay',
      'packages/staff-ui',
      'packages/portal-ui',
      'test',
    ],
  },
});
