// tf.utils.plot: a log x axis (for sizes such as widths) and per-x-label ranges, so a panel of
// "error against width" can sit next to a panel of "loss against step". Checked on the Vega-Lite
// specification (curvesSpec is pure; drawing is covered by plot.test.js).
'use strict';
const tf = require('..');

const { curvesSpec } = tf.utils.plot;
const xScaleOf = (spec, i) => spec.concat[i].encoding.x.scale;

test('xScale log gives a log x axis over the panel\'s own range', () => {
  const spec = curvesSpec([
    { title: 'change', xLabel: 'width', xScale: 'log', yLabel: 'Δ', series: [{ name: 'm', points: [[16, 0.1], [1024, 0.01]] }] },
    { title: 'loss', xLabel: 'step', yLabel: 'loss', series: [{ name: 'a', points: [[0, 1], [500, 0.1]] }] },
  ]);
  expect(xScaleOf(spec, 0)).toMatchObject({ type: 'log', domain: [16, 1024] });
  expect(xScaleOf(spec, 1).type).toBeUndefined();
  expect(xScaleOf(spec, 1).domain).toEqual([0, 500]);
});

test('panels with the same x label still share one range', () => {
  const spec = curvesSpec([
    { title: 'a', yLabel: 'a', series: [{ name: 'a', points: [[0, 1], [10, 2]] }] },
    { title: 'b', yLabel: 'b', series: [{ name: 'b', points: [[5, 1], [20, 2]] }] },
  ]);
  expect(xScaleOf(spec, 0).domain).toEqual([0, 20]);
  expect(xScaleOf(spec, 1).domain).toEqual([0, 20]);
});

test('a single x value is widened: by ±1 on a linear axis, by a factor on a log axis', () => {
  const one = (xScale) => curvesSpec([{ title: 't', xScale, yLabel: 'y', series: [{ name: 's', points: [[8, 1]] }] }]);
  expect(xScaleOf(one(undefined), 0).domain).toEqual([7, 9]);
  expect(xScaleOf(one('log'), 0).domain).toEqual([4, 16]);
});

test('a log x axis with a value <= 0 is a RangeError naming the panel', () => {
  expect(() => curvesSpec([{ title: 'bad', xScale: 'log', yLabel: 'y', series: [{ name: 's', points: [[0, 1], [4, 2]] }] }]))
    .toThrow(/plot: panel 'bad' has a log x axis but an x value 0 <= 0/);
});
