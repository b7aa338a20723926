export * from '../dist/index.js';
import * as cjs from '../dist/index.js';
export default cjs;
