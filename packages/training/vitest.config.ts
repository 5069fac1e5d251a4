import { confideVitestConfig } from '../../vitest.shared.js';

// The runner tests start real Python processes that train and generate on CPU.
export default confideVitestConfig(import.meta.dirname, { testTimeout: 180_000 });
