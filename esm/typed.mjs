// ESM entry point of tensorfold/typed (see esm/index.mjs).
export * from '../dist/typed.js';
import cjs from '../dist/typed.js';
export default cjs;
