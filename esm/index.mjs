// ESM entry point of tensorfold: the CommonJS build itself, re-exported, so `import` and
// `require` share one instance (one engine, one tidy stack). Node finds the CommonJS names.
export * from '../dist/index.js';
import cjs from '../dist/index.js';
export default cjs;
