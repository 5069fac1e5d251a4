import { confideVitestConfig } from '../../vitest.shared.js';

export default confideVitestConfig(import.meta.dirname);
