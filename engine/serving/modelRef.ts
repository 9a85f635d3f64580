/**
 * How a request names what it wants: `iris` (the default alias, else the latest version),
 * `iris@champion` (an alias; `%40` in a URL is the same), or `iris` with `/versions/3`.
 */
import { badRequest, notFound } from './errors';

export type ModelRef = { model: string; alias: string; version?: undefined } | { model: string; version: number; alias?: undefined } | { model: string; alias?: undefined; version?: undefined };

/** Parses the model name of a URL (already decoded) and the version segment, if any. */
export function parseModelRef(name: string, version: string | undefined): ModelRef {
  const at = name.indexOf('@');
  const model = at < 0 ? name : name.slice(0, at);
  const alias = at < 0 ? undefined : name.slice(at + 1);
  if (model === '') throw badRequest(`model name "${name}" is empty before the "@" (use <model>@<alias>, e.g. iris@champion)`);
  if (alias !== undefined && alias === '') throw badRequest(`model name "${name}" has no alias after the "@" (use <model>@<alias>, e.g. iris@champion)`);
  if (version !== undefined) {
    if (alias !== undefined) throw badRequest(`"${name}" names an alias and /versions/${version} a version: give one of them`);
    if (!/^[1-9]\d{0,9}$/.test(version)) throw notFound(`model "${model}" has no version "${version}" (versions are numbers 1, 2, …)`);
    return { model, version: Number(version) };
  }
  return alias !== undefined ? { model, alias } : { model };
}
