/** Repeatable `name=value` flags of the CLI (`--param`, `--map`). */
import { CliError } from './CliError';

/** Commander accumulator for repeatable options. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `['a=1', 'b=x=y']` → `{ a: '1', b: 'x=y' }`; anything without a name before "=" is refused. */
export function nameValuePairs(flags: string[], flag = '--param'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of flags) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new CliError(`${flag} "${f}" is not of the form name=value`);
    out[f.slice(0, eq)] = f.slice(eq + 1);
  }
  return out;
}
