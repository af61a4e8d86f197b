// Types of recotap-mock/vitest: Vitest's exports, with `test` and `it` carrying the `recotap`
// fixture, and the values recotap-mock/vitest/setup provides.
import type { TestAPI } from 'vitest';
import type { RecotapMock } from '../index.js';

export * from 'vitest';

export interface RecotapFixtures {
  /** A fresh session on the run's mock: point the code under test at `recotap.baseUrl` with `recotap.apiKey`. */
  recotap: RecotapMock;
}

export declare const test: TestAPI<RecotapFixtures>;
export declare const it: TestAPI<RecotapFixtures>;

declare module 'vitest' {
  export interface ProvidedContext {
    recotapMockUrl: string;
    recotapMockAdminToken: string | null;
  }
}
