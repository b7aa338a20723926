// Command-line options for the examples: `--name value` or `--flag`, typed by the defaults given.
export function parseArgs<T extends Record<string, string | number | boolean>>(defaults: T, argv = process.argv.slice(2)): T {
  const out: Record<string, string | number | boolean> = { ...defaults };
  const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument ${JSON.stringify(argv[i])} (options: ${Object.keys(defaults).map((k) => '--' + k).join(' ')})`);
    const key = camel(m[1]);
    if (!(key in defaults)) throw new Error(`unknown option --${m[1]} (options: ${Object.keys(defaults).map((k) => '--' + k).join(' ')})`);
    const kind = typeof defaults[key];
    if (kind === 'boolean' && m[2] === undefined) {
      out[key] = true;
      continue;
    }
    const raw = m[2] ?? argv[++i];
    if (raw === undefined) throw new Error(`option --${m[1]} needs a value`);
    if (kind === 'number') {
      const v = Number(raw);
      if (!Number.isFinite(v)) throw new Error(`option --${m[1]} must be a number, got ${JSON.stringify(raw)}`);
      out[key] = v;
    } else if (kind === 'boolean') out[key] = raw !== 'false' && raw !== '0';
    else out[key] = raw;
  }
  return out as T;
}
