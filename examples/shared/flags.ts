/**
 * A small `--name value` / `--name=value` flag parser for the examples: typed defaults in,
 * typed values out, and a clear message for an unknown flag or a value of the wrong kind.
 */

/** Flag defaults; a flag's type is its default's type. */
export type FlagSpec = Record<string, number | string | boolean>;

/** Parses `argv` (without node and script) against `spec`; exits with usage on a bad flag. */
export function parseFlags<S extends FlagSpec>(argv: readonly string[], spec: S, usage: string): S {
  const out: FlagSpec = { ...spec };
  const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const fail = (msg: string): never => {
    console.error(`${msg}\n${usage}`);
    process.exit(2);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    }
    if (!arg.startsWith('--')) fail(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = camel(arg.slice(2, eq < 0 ? undefined : eq));
    if (!(name in spec)) fail(`unknown flag '${arg}'`);
    const def = spec[name];
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else if (typeof def === 'boolean') raw = 'true';
    else if (i + 1 < argv.length) raw = argv[++i]!;
    else raw = fail(`flag '${arg}' needs a value`);
    if (typeof def === 'number') {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) fail(`flag '${arg}' needs a number, got '${raw}'`);
      out[name] = v;
    } else if (typeof def === 'boolean') {
      if (raw !== 'true' && raw !== 'false') fail(`flag '${arg}' is true or false, got '${raw}'`);
      out[name] = raw === 'true';
    } else {
      out[name] = raw;
    }
  }
  return out as S;
}
