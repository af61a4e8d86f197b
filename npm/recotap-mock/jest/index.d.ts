// Types of recotap-mock/jest: recotapSession().
import type { RecotapMock, SessionOptions } from '../index.js';

/**
 * A Jest test function that runs `fn` with a fresh session on the run's mock: verified when
 * `fn` passes, its report added to the error when `fn` fails, deleted either way.
 */
export declare function recotapSession<Args extends unknown[] = []>(
  fn: (recotap: RecotapMock, ...args: Args) => unknown,
): (...args: Args) => Promise<void>;
export declare function recotapSession<Args extends unknown[] = []>(
  options: SessionOptions,
  fn: (recotap: RecotapMock, ...args: Args) => unknown,
): (...args: Args) => Promise<void>;
