// tf.utils.plot: shaded bands around curves (a spread over seeds) and scatter panels coloured by
// group (a 2-D embedding coloured by class). Checked on the Vega-Lite specifications, which are
// pure; one scatter is drawn in a child process (vega is an ES module jest cannot import).
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('..');

const { curvesSpec, scatterSpec } = tf.utils.plot;
const ROOT = path.join(__dirname, '..');
const hasPlotting = (() => { try { require.resolve('vega-lite', { paths: [ROOT] }); return true; } catch { return false; } })();

describe('bands', () => {
  const panel = (band) => curvesSpec([{ title: 'acc', yLabel: 'accuracy', series: [
    { name: 'a', points: [[10, 0.5], [20, 0.7]], band },
    { name: 'b', points: [[10, 0.4], [20, 0.6]] },
  ] }]).concat[0];

  test('a series with a band gets an area layer first, from lo to hi, in the series colour', () => {
    const p = panel([[10, 0.45, 0.55], [20, 0.65, 0.75]]);
    const area = p.layer[0];
    expect(area.mark.type).toBe('area');
    expect(area.transform).toEqual([{ filter: 'datum.band' }]);
    expect(area.encoding.y.field).toBe('lo');
    expect(area.encoding.y2).toEqual({ field: 'hi' });
    // The colour comes from the panel's shared encoding, by series name.
    expect(p.encoding.color.field).toBe('series');
    const rows = p.data.values.filter((v) => v.band);
    expect(rows).toEqual([
      { step: 10, lo: 0.45, hi: 0.55, series: 'a', band: true },
      { step: 20, lo: 0.65, hi: 0.75, series: 'a', band: true },
    ]);
  });

  test('band rows stay out of the curve layers; the curves are unchanged', () => {
    const p = panel([[10, 0.45, 0.55], [20, 0.65, 0.75]]);
    const line = p.layer.find((l) => l.mark.type === 'line' && l.mark.strokeWidth === 2);
    expect(line.transform).toEqual([{ filter: '!datum.band' }]);
    const points = p.layer.find((l) => l.mark.type === 'point');
    expect(points.transform).toEqual([{ filter: 'datum.marked' }]);
    expect(p.data.values.filter((v) => !v.band)).toHaveLength(4);
  });

  test('no band: no area layer; non-finite band ends are dropped', () => {
    expect(panel(undefined).layer.some((l) => l.mark.type === 'area')).toBe(false);
    const p = panel([[10, NaN, 0.55], [20, 0.65, 0.75]]);
    expect(p.data.values.filter((v) => v.band).map((v) => v.step)).toEqual([20]);
  });
});

describe('scatter', () => {
  const pts = (g) => [[0, 1, g], [1, 2, g], [2, NaN, g]];

  test('one panel per entry, shared colour per group, groups in the given then first-seen order', () => {
    const spec = scatterSpec([
      { title: 'left', xLabel: 'PC 1', yLabel: 'PC 2', points: [...pts('3'), ...pts('1')] },
      { title: 'right', points: pts('7') },
    ], { title: 'T', groupTitle: 'digit', groups: ['1'], columns: 2 });
    expect(spec.concat.map((p) => p.title)).toEqual(['left', 'right']);
    expect(spec.columns).toBe(2);
    expect(spec.resolve.scale.color).toBe('shared');
    const color = spec.concat[0].encoding.color;
    expect(color).toMatchObject({ field: 'group', title: 'digit' });
    expect(color.scale.domain).toEqual(['1', '3', '7']);
    expect(spec.concat[1].encoding.color.scale.domain).toEqual(['1', '3', '7']);
    expect(spec.concat[0].encoding.x.title).toBe('PC 1');
    expect(spec.concat[1].encoding.y.title).toBe('y');
    // Non-finite points are left out.
    expect(spec.concat[0].data.values).toHaveLength(4);
    expect(spec.concat[0].data.values[0]).toEqual({ x: 0, y: 1, group: '3' });
  });

  test('no panels is a RangeError with a code', () => {
    let err;
    try { scatterSpec([]); } catch (e) { err = e; }
    expect(err.name).toBe('RangeError');
    expect(err.code).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(err.message).toMatch(/plot: no scatter panels/);
  });

  (hasPlotting ? test : test.skip)('plotScatter draws an SVG with the titles and the legend', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorfold-scatter-'));
    try {
      const file = path.join(dir, 's.svg');
      const script = `require(${JSON.stringify(ROOT)}).utils.plot.plotScatter([{ title: 'panel A', points: [[0, 0, 'cats'], [1, 1, 'dogs']] }],
        ${JSON.stringify(file)}, { title: 'Pets', groupTitle: 'kind', png: false }).catch((e) => { console.error(e); process.exit(3); });`;
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const svg = fs.readFileSync(file, 'utf8');
      expect(svg).toMatch(/^<svg /);
      for (const text of ['Pets', 'panel A', 'cats', 'dogs', 'kind']) expect(svg).toContain(text);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
