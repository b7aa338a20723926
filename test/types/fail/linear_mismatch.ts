// Must NOT compile: test/types.test.js checks that the error names both sizes.
import { Linear, Sequential } from '../../../lib/typed';

new Sequential(new Linear(784, 128), new Linear(64, 10));
