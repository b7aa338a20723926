// tf.utils.plot: training curves and bar charts drawn with vega-lite to SVG (PNG where rsvg-convert
// exists). Drawn in a child process: vega is an ES module, which jest's module sandbox cannot import.
// What is checked is the picture's content (titles, labels, scales, legends), not its pixels.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('..');

const ROOT = path.join(__dirname, '..');
const hasRasteriser = spawnSync('rsvg-convert', ['--version']).status === 0;

function draw(dir, body) {
  const script = `const tf = require(${JSON.stringify(ROOT)});
    (async () => { ${body} })().catch((e) => { console.error('ERR ' + e.message); process.exit(3); });`;
  return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: dir });
}

let dir;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorfold-plot-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('scalars become panels by tag prefix, curves by the rest', () => {
  const { panelsFromScalars } = tf.utils.plot;
  const panels = panelsFromScalars({ 'loss/train': [[0, 1]], lr: [[0, 0.1]], 'loss/test': [[0, 2]], 'accuracy/test': [[0, 0.5]], grad: [[0, 3]] }, 'epoch');
  expect(panels.map((p) => [p.title, p.yLabel, p.series.map((s) => s.name)])).toEqual([
    ['Loss', 'loss', ['train', 'test']], ['Accuracy', 'accuracy: test', ['test']], ['Learning rate', 'learning rate', ['lr']], ['grad', 'grad', ['grad']],
  ]);
  expect(panels[0].xLabel).toBe('epoch');
  expect(panels[1].yFormat).toBe('.0%');
});

test('training curves: titles, axis labels, legend, log scale for a loss spanning decades', () => {
  const svg = path.join(dir, 'curves.svg');
  const r = draw(dir, `
    const s = { 'loss/train': [], 'loss/test': [], 'accuracy/test': [], lr: [] };
    for (let i = 0; i <= 10; i++) {
      s['loss/train'].push([i, 2 * Math.exp(-i / 2)]); s['loss/test'].push([i, 2.2 * Math.exp(-i / 2.5)]);
      s['accuracy/test'].push([i, 1 - 0.9 * Math.exp(-i)]); s.lr.push([i, 0.1 * 0.6 ** i]);
    }
    console.log(JSON.stringify(await tf.utils.plot.plotScalars(s, ${JSON.stringify(svg)}, { title: 'my run', xLabel: 'epoch' })));`);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const written = JSON.parse(r.stdout);
  expect(written).toEqual(hasRasteriser ? [svg, svg.replace(/svg$/, 'png')] : [svg]);
  const text = fs.readFileSync(svg, 'utf8');
  for (const s of ['>my run<', '>Loss<', '>Accuracy<', '>Learning rate<', '>epoch<', '>loss<', '>train<', '>test<', '>accuracy: test<', '>log scale<', '>100%<'])
    expect(text).toContain(s);
  // Two log panels (loss spans a decade; so does lr): two 'log scale' subtitles; accuracy stays linear.
  expect(text.match(/>log scale</g)).toHaveLength(2);
  if (hasRasteriser) expect(fs.readFileSync(written[1]).subarray(1, 4).toString()).toBe('PNG');
});

test('bar charts: one bar and label per row, reference line', () => {
  const svg = path.join(dir, 'bars.svg');
  const r = draw(dir, `await tf.utils.plot.plotBars([{ label: 'a', value: 0.5, text: 'half' }, { label: 'b', value: 2, text: 'double' }],
    ${JSON.stringify(svg)}, { title: 'T', xLabel: 'ratio', logX: true, rule: 1, png: false });`);
  expect(r.status).toBe(0);
  const text = fs.readFileSync(svg, 'utf8');
  for (const s of ['>T<', '>ratio<', '>a<', '>b<', '>half<', '>double<']) expect(text).toContain(s);
  expect(fs.readdirSync(dir)).toEqual(['bars.svg']);
});

test('nothing to draw is an error', () => {
  const r = draw(dir, `await tf.utils.plot.plotCurves([], 'x.svg');`);
  expect(r.status).toBe(3);
  expect(r.stderr).toMatch(/ERR plot: no curves to draw/);
});
