export * from '../dist/typed.js';
import * as cjs from '../dist/typed.js';
export default cjs;
