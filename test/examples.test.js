// Every example whose first line is `// ci: <args>` compiles and runs at a small size, so the
// examples users copy cannot rot. The README's training example runs too.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');

test('examples run in small mode', () => {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'run-examples.js')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) console.log(r.stdout + r.stderr);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/=== summary/);
  expect(r.stdout).not.toMatch(/^FAIL/m);
}, 300000);

test("the README's example trains (loss falls)", () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const m = readme.match(/<!-- example:start -->\s*```js\n([\s\S]*?)```/);
  expect(m).not.toBeNull();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorfold-readme-'));
  const file = path.join(dir, 'example.js');
  // The README says require('tensorfold'); here that is this checkout.
  fs.writeFileSync(file, m[1].replace("require('tensorfold')", `require(${JSON.stringify(root)})`));
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) console.log(r.stdout + r.stderr);
  expect(r.status).toBe(0);
  const losses = [...r.stdout.matchAll(/loss ([0-9.e-]+)/g)].map((x) => Number(x[1]));
  expect(losses.length).toBeGreaterThan(2);
  expect(losses[losses.length - 1]).toBeLessThan(losses[0] / 10);
}, 120000);
