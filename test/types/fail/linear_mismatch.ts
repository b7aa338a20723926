// Must NOT compile: test/types.test.js checks that the error names both sizes. This is the plain
// tf.nn API, exactly as issue 5 writes it.
import * as tf from '../../../lib/index';
import { nn } from '../../../lib/index';

new nn.Sequential(new nn.Linear(784, 128), new nn.Linear(64, 10));
void tf;
