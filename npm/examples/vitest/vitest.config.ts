// One recotap-mock binary for the whole run (the global setup), a fresh session per test (the
// `recotap` fixture of recotap-mock/vitest).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['recotap-mock/vitest/setup'],
    include: ['test/**/*.test.ts'],
  },
});
