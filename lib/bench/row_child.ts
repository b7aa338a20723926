// One tensorfold bench row in a fresh Node process (started by runner.ts's runIsolated): argv is
// workload id, target seconds, engine threads and the progress tag. Progress lines go to stderr;
// the row goes to stdout as JSON on the last line.
import * as tf from '../index';
import { runOne } from './runner';
import { WORKLOADS } from './workloads';

const [id, targetS, threads, tag] = process.argv.slice(2);
const w = WORKLOADS.find((x) => x.id === id);
if (!w) {
  process.stderr.write(`bench row child: unknown workload ${JSON.stringify(id)}\n`);
  process.exit(2);
}
tf.setNumThreads(Number(threads));
const row = runOne(w, Number(targetS), tag, (line) => process.stderr.write(line + '\n'));
process.stdout.write(JSON.stringify(row) + '\n');
