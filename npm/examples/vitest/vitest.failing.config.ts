// The deliberately failing tests (failing/), kept out of `npm test`: `npm run test:failing`
// shows what a failure looks like, with the session's report in the output.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['recotap-mock/vitest/setup'],
    include: ['failing/**/*.test.ts'],
  },
});
