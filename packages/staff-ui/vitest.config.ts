import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'staff-ui',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
