// Vega-Lite specs → SVG files (and PNG where a rasteriser is installed), in Node, with no browser.
//
// vega and vega-lite are development dependencies of tensorfold, not runtime ones: the engine must
// install without 80 charting packages. They are loaded on first use; when they are missing the
// error says what to install. Both are ES modules only, so they are loaded with import(), kept out
// of TypeScript's CommonJS rewriting (which would turn it into a require() that Node 18 rejects).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { tfError } from '../../errors';

/** The npm packages plotting needs (`npm install vega vega-lite`). */
export const PLOT_PACKAGES = 'vega vega-lite';

// eslint-disable-next-line @typescript-eslint/no-implied-eval
// Made on first use, not at load: under --disallow-code-generation-from-strings only plotting
// fails, not `require('tensorfold')`.
let importModuleFn: ((url: string) => Promise<Record<string, any>>) | null = null;
const importModule = (url: string): Promise<Record<string, any>> =>
  (importModuleFn ??= new Function('url', 'return import(url)') as (url: string) => Promise<Record<string, any>>)(url);

interface Vega {
  vega: Record<string, any>;
  vegaLite: Record<string, any>;
}
let loaded: Promise<Vega> | null = null;

async function load(name: string): Promise<Record<string, any>> {
  let file: string;
  try {
    file = require.resolve(name);
  } catch {
    throw tfError('ARGUMENT', `plot: drawing charts needs the ${PLOT_PACKAGES} packages, which are not installed; ` +
      `run \`npm install --save-dev ${PLOT_PACKAGES}\``);
  }
  return importModule(pathToFileURL(file).href);
}

function loadVega(): Promise<Vega> {
  loaded ??= Promise.all([load('vega'), load('vega-lite')]).then(([vega, vegaLite]) => ({ vega, vegaLite }));
  // A failed load is retried next time (the user may install the packages meanwhile).
  loaded.catch(() => {
    loaded = null;
  });
  return loaded;
}

/** True when vega and vega-lite can be loaded. */
export function plottingAvailable(): boolean {
  try {
    require.resolve('vega');
    require.resolve('vega-lite');
    return true;
  } catch {
    return false;
  }
}

/** A Vega-Lite specification (https://vega.github.io/vega-lite/docs/spec.html). */
export type VegaLiteSpec = Record<string, unknown>;

/** Renders a Vega-Lite specification to an SVG string (headless; needs vega and vega-lite). */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const { vega, vegaLite } = await loadVega();
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The first SVG → PNG converter found on PATH: rsvg-convert (librsvg), else ImageMagick. */
let rasteriserCache: string[] | null | undefined;
/** The first SVG → PNG converter found on PATH (rsvg-convert, else ImageMagick) as a command, or null. */
export function rasteriser(): string[] | null {
  if (rasteriserCache !== undefined) return rasteriserCache;
  const works = (cmd: string, args: string[], expect: RegExp): boolean => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return r.status === 0 && expect.test(r.stdout);
  };
  if (works('rsvg-convert', ['--version'], /rsvg-convert/)) rasteriserCache = ['rsvg-convert'];
  else if (works('magick', ['-version'], /^Version: ImageMagick/)) rasteriserCache = ['magick'];
  else if (works('convert', ['-version'], /^Version: ImageMagick/)) rasteriserCache = ['convert'];
  else rasteriserCache = null;
  return rasteriserCache;
}

/** Converts an SVG file to PNG; false when no rasteriser is installed. Throws when one fails. */
export function svgToPng(svgFile: string, pngFile: string): boolean {
  const r = rasteriser();
  if (!r) return false;
  // Twice the SVG's size: the charts stay sharp on high-density screens.
  const args = r[0] === 'rsvg-convert' ? ['--zoom', '2', '-o', pngFile, svgFile] : ['-density', '192', svgFile, pngFile];
  const out = spawnSync(r[0], args, { encoding: 'utf8' });
  if (out.status !== 0) throw tfError('ARGUMENT', `plot: ${r[0]} could not convert ${svgFile} to PNG: ${out.stderr || out.error}`);
  return true;
}

/** Options of the functions that write a chart file. */
export interface WriteOptions {
  /** Also write a PNG next to the SVG when a rasteriser is installed (default true). */
  png?: boolean;
}

/**
 * Renders `spec` to `file`. A `.svg` file gets a `.png` twin when a rasteriser exists; a `.png`
 * file is rasterised from a temporary SVG (an Error if no rasteriser exists). Returns the files written.
 */
export async function writeChart(spec: VegaLiteSpec, file: string, opts: WriteOptions = {}): Promise<string[]> {
  const svg = await renderSvg(spec);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  if (/\.png$/i.test(file)) {
    const tmp = `${file}.tmp.svg`;
    fs.writeFileSync(tmp, svg);
    try {
      if (!svgToPng(tmp, file)) throw tfError('ARGUMENT', `plot: writing ${file} needs rsvg-convert (Debian: apt-get install librsvg2-bin) or ImageMagick; write an .svg instead`);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    return [file];
  }
  fs.writeFileSync(file, svg);
  const written = [file];
  if (opts.png !== false) {
    const png = file.replace(/\.svg$/i, '') + '.png';
    if (svgToPng(file, png)) written.push(png);
  }
  return written;
}
