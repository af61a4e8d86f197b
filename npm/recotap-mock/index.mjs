// The package's entry point for import: re-exports the CommonJS implementation (index.cjs), so
// that ES modules and CommonJS share one copy of every class.
import implementation from './index.cjs';

export const { RecotapMock, RecotapMockError, RecotapMockAssertionError, findBinary } = implementation;
export default implementation;
