/**
 * The run search filter, MLflow's syntax: clauses joined by `and`, each `<entity>.<key> <op> <value>`
 * or an attribute (`status`, `run_id`, …) alone:
 *
 *   metrics.accuracy > 0.9 and params.epochs = 40 and tags.team = 'vision' and status = 'succeeded'
 *
 * Parsed into typed clauses here, once, for MLflow's runs/search and Sluice's own listings; the
 * store turns clauses into SQL with bound parameters (tracking/DrizzleTrackingStore.ts), so no
 * filter text ever reaches SQL. A bad filter is a RunFilterError naming the token and its position.
 */
import type { RunStatus } from '../MetadataStore';

export type FilterEntity = 'metric' | 'param' | 'tag' | 'attribute';
export type Comparator = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'like' | 'ilike' | 'in' | 'not in';
export type RunAttribute = 'status' | 'run_id' | 'run_name' | 'start_time' | 'end_time' | 'pipeline';

export type FilterClause =
  | { entity: 'metric'; key: string; op: '=' | '!=' | '>' | '>=' | '<' | '<='; value: number }
  | { entity: 'param'; key: string; op: Comparator; value: string | number }
  | { entity: 'tag'; key: string; op: '=' | '!=' | 'like' | 'ilike'; value: string }
  | { entity: 'attribute'; key: 'status'; op: '=' | '!=' | 'in' | 'not in'; value: RunStatus[] }
  | { entity: 'attribute'; key: 'run_id'; op: '=' | '!=' | 'in' | 'not in'; value: string[] }
  | { entity: 'attribute'; key: 'run_name' | 'pipeline'; op: '=' | '!=' | 'like' | 'ilike'; value: string }
  | { entity: 'attribute'; key: 'start_time' | 'end_time'; op: '=' | '!=' | '>' | '>=' | '<' | '<='; value: number };

/** A conjunction of clauses (an empty filter: every run). */
export type RunFilterExpr = FilterClause[];

/**
 * An ordering of search results: `start_time DESC`, `metrics.accuracy ASC`, `params.epochs`, … A
 * metric orders by its latest value, a param numerically where it holds a number, then as text.
 */
export type RunOrder = {
  by: { entity: 'attribute'; key: 'start_time' | 'end_time' } | { entity: 'metric'; key: string } | { entity: 'param'; key: string };
  descending: boolean;
};

export class RunFilterError extends Error {
  override readonly name = 'RunFilterError';
  readonly code = 'bad-filter';
  constructor(
    message: string,
    /** The offending token as written, and its 0-based offset in the filter. */
    readonly token: string,
    readonly position: number,
  ) {
    super(message);
  }
}

/** Sluice's statuses, and MLflow's names for them (a filter may use either). */
const STATUS_NAMES: Record<string, RunStatus> = {
  pending: 'pending',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  scheduled: 'pending',
  finished: 'succeeded',
  killed: 'cancelled',
};

const ENTITY_PREFIXES: Record<string, FilterEntity> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
};

const ATTRIBUTES: Record<string, RunAttribute> = {
  status: 'status',
  run_id: 'run_id',
  id: 'run_id',
  run_name: 'run_name',
  name: 'run_name',
  start_time: 'start_time',
  created: 'start_time',
  end_time: 'end_time',
  pipeline: 'pipeline',
};

type Token =
  | { kind: 'word'; text: string; pos: number }
  | { kind: 'ident'; entity: string; key: string; text: string; pos: number }
  | { kind: 'string'; value: string; text: string; pos: number }
  | { kind: 'number'; value: number; text: string; pos: number }
  | { kind: 'op'; text: string; pos: number }
  | { kind: 'punct'; text: '(' | ')' | ','; pos: number };

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/;
const WORD = /^[A-Za-z_][A-Za-z0-9_.\-/:]*/;

function readQuoted(text: string, start: number): { value: string; end: number } {
  const quote = text[start] ?? '';
  let value = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length) throw new RunFilterError(`unterminated ${quote === '`' ? 'quoted name' : 'string'} ${text.slice(start, start + 40)} at position ${start}: close it with ${quote}`, text.slice(start), start);
    const c = text[i] ?? '';
    if (c === quote) {
      // A doubled quote stands for one quote character.
      if (text[i + 1] === quote) {
        value += quote;
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += c;
    i++;
  }
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = text.slice(i);
    if (c === '(' || c === ')' || c === ',') {
      out.push({ kind: 'punct', text: c, pos: i });
      i++;
      continue;
    }
    const op = /^(?:>=|<=|!=|<>|==|=|>|<)/.exec(rest)?.[0];
    if (op) {
      out.push({ kind: 'op', text: op === '<>' ? '!=' : op === '==' ? '=' : op, pos: i });
      i += op.length;
      continue;
    }
    if (c === "'" || c === '"') {
      const q = readQuoted(text, i);
      out.push({ kind: 'string', value: q.value, text: text.slice(i, q.end), pos: i });
      i = q.end;
      continue;
    }
    const num = NUMBER.exec(rest)?.[0];
    if (num && (c !== '+' && c !== '-' ? true : /\d|\./.test(rest[1] ?? ''))) {
      out.push({ kind: 'number', value: Number(num), text: num, pos: i });
      i += num.length;
      continue;
    }
    const word = WORD.exec(rest)?.[0];
    if (word) {
      const dot = /^([A-Za-z_]+)\.(.*)$/.exec(word);
      const entity = dot?.[1]?.toLowerCase();
      if (dot && entity !== undefined && entity in ENTITY_PREFIXES) {
        // `metrics.accuracy`, or `metrics.` followed by a quoted key: metrics.`val loss`, tags."a b".
        let key = dot[2] ?? '';
        let end = i + word.length;
        if (key === '' && (text[end] === '`' || text[end] === '"')) {
          const q = readQuoted(text, end);
          key = q.value;
          end = q.end;
        } else if (word.endsWith('.')) {
          key = '';
        }
        if (key === '') throw new RunFilterError(`"${text.slice(i, end)}" names no key: write ${entity}.<key>, quoting a key with spaces in backticks`, text.slice(i, end), i);
        out.push({ kind: 'ident', entity, key, text: text.slice(i, end), pos: i });
        i = end;
        continue;
      }
      out.push({ kind: 'word', text: word, pos: i });
      i += word.length;
      continue;
    }
    if (c === '`') {
      const q = readQuoted(text, i);
      out.push({ kind: 'word', text: q.value, pos: i });
      i = q.end;
      continue;
    }
    throw new RunFilterError(`unexpected character "${c}" at position ${i}`, c, i);
  }
  return out;
}

const describe = (t: Token | undefined): string => (t ? `"${t.text}" at position ${t.pos}` : 'the end of the filter');

/** Parses a filter; an empty or blank one is the empty conjunction. Throws RunFilterError. */
export function parseRunFilter(text: string): RunFilterExpr {
  const tokens = tokenize(text);
  const clauses: RunFilterExpr = [];
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const fail = (t: Token | undefined, message: string): never => {
    throw new RunFilterError(`${message} (at ${describe(t)})`, t?.text ?? '', t?.pos ?? text.length);
  };
  const isWord = (t: Token | undefined, w: string): boolean => t?.kind === 'word' && t.text.toLowerCase() === w;

  while (i < tokens.length) {
    if (clauses.length > 0) {
      const t = peek();
      if (isWord(t, 'or')) fail(t, '"or" is not supported: a filter is clauses joined by "and"');
      if (!isWord(t, 'and')) fail(t, 'expected "and" between clauses');
      i++;
    }
    const subject = peek();
    i++;
    let entity: FilterEntity;
    let key: string;
    if (subject?.kind === 'ident') {
      entity = ENTITY_PREFIXES[subject.entity] as FilterEntity;
      key = subject.key;
    } else if (subject?.kind === 'word' && !['and', 'or', 'not', 'in', 'like', 'ilike'].includes(subject.text.toLowerCase())) {
      entity = 'attribute';
      key = subject.text;
    } else {
      return fail(subject, 'expected a name such as metrics.<key>, params.<key>, tags.<key> or an attribute (status, run_id, run_name, start_time, end_time, pipeline)');
    }
    if (entity === 'attribute') {
      const attribute = ATTRIBUTES[key.toLowerCase()];
      if (!attribute) return fail(subject, `unknown attribute "${key}": use status, run_id, run_name, start_time, end_time or pipeline, or prefix a key with metrics., params. or tags.`);
      key = attribute;
    }

    // The comparator: an operator, LIKE / ILIKE, IN, NOT IN.
    const opToken = peek();
    i++;
    let op: Comparator;
    if (opToken?.kind === 'op') op = opToken.text as Comparator;
    else if (isWord(opToken, 'like') || isWord(opToken, 'ilike') || isWord(opToken, 'in')) op = (opToken as { text: string }).text.toLowerCase() as Comparator;
    else if (isWord(opToken, 'not') && isWord(peek(), 'in')) {
      i++;
      op = 'not in';
    } else return fail(opToken, `expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN) after ${describe(subject)}`);

    // The value: a number, a string, or a parenthesised list of strings.
    let value: string | number | string[];
    const valueToken = peek();
    if (op === 'in' || op === 'not in') {
      if (valueToken?.kind !== 'punct' || valueToken.text !== '(') return fail(valueToken, `expected "(" and a list of strings after ${op.toUpperCase()}`);
      i++;
      const list: string[] = [];
      for (;;) {
        const v = peek();
        i++;
        if (v?.kind !== 'string') return fail(v, 'expected a quoted string in the list');
        list.push(v.value);
        const sep = peek();
        i++;
        if (sep?.kind === 'punct' && sep.text === ')') break;
        if (sep?.kind !== 'punct' || sep.text !== ',') return fail(sep, 'expected "," or ")" in the list');
      }
      value = list;
    } else {
      i++;
      if (valueToken?.kind === 'number') value = valueToken.value;
      else if (valueToken?.kind === 'string') value = valueToken.value;
      else return fail(valueToken, `expected a number or a quoted string after ${op}`);
    }
    clauses.push(typedClause(entity, key, op, value, subject, opToken, valueToken, fail));
  }
  return clauses;
}

function typedClause(
  entity: FilterEntity,
  key: string,
  op: Comparator,
  value: string | number | string[],
  subject: Token,
  opToken: Token | undefined,
  valueToken: Token | undefined,
  fail: (t: Token | undefined, message: string) => never,
): FilterClause {
  const numericOps = ['=', '!=', '>', '>=', '<', '<='] as const;
  const textOps = ['=', '!=', 'like', 'ilike'] as const;
  const listOps = ['=', '!=', 'in', 'not in'] as const;
  const isOneOf = <T extends string>(ops: readonly T[], o: string): o is T => (ops as readonly string[]).includes(o);
  const name = subject.text;
  switch (entity) {
    case 'metric':
      if (!isOneOf(numericOps, op)) return fail(opToken, `${name} is a metric: compare it with =, !=, <, <=, > or >=`);
      if (typeof value !== 'number') return fail(valueToken, `${name} is a metric: compare it with a number, not ${describe(valueToken)}`);
      return { entity, key, op, value };
    case 'param':
      if (Array.isArray(value)) return fail(opToken, `${name}: IN lists apply to status and run_id only`);
      if ((op === 'like' || op === 'ilike') && typeof value !== 'string') return fail(valueToken, `${op.toUpperCase()} needs a quoted pattern`);
      if (typeof value === 'string' && !isOneOf(textOps, op)) return fail(opToken, `${name} compared with text: use =, !=, LIKE or ILIKE (or compare with a number)`);
      return { entity, key, op, value };
    case 'tag':
      if (!isOneOf(textOps, op)) return fail(opToken, `${name} is a tag: compare it with =, !=, LIKE or ILIKE`);
      if (typeof value !== 'string') return fail(valueToken, `${name} is a tag (text): quote the value`);
      return { entity, key, op, value };
    case 'attribute':
      break;
  }
  if (key === 'status' || key === 'run_id') {
    if (!isOneOf(listOps, op)) return fail(opToken, `${name} compares with =, !=, IN or NOT IN`);
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v !== 'string')) return fail(valueToken, `${name} compares with quoted text`);
    const texts = values as string[];
    if (key === 'run_id') return { entity, key, op, value: texts };
    const statuses: RunStatus[] = [];
    for (const s of texts) {
      const status = STATUS_NAMES[s.toLowerCase()];
      if (!status) return fail(valueToken, `unknown status "${s}": use pending, running, succeeded, failed or cancelled (or MLflow's RUNNING, SCHEDULED, FINISHED, FAILED, KILLED)`);
      statuses.push(status);
    }
    return { entity, key, op, value: statuses };
  }
  if (key === 'run_name' || key === 'pipeline') {
    if (!isOneOf(textOps, op)) return fail(opToken, `${name} compares with =, !=, LIKE or ILIKE`);
    if (typeof value !== 'string') return fail(valueToken, `${name} compares with quoted text`);
    return { entity, key, op, value };
  }
  // start_time / end_time: milliseconds since the epoch, as MLflow writes them.
  if (!isOneOf(numericOps, op)) return fail(opToken, `${name} compares with =, !=, <, <=, > or >=`);
  if (typeof value !== 'number') return fail(valueToken, `${name} compares with a number (milliseconds since 1970)`);
  return { entity, key: key as 'start_time' | 'end_time', op, value };
}

/** Parses MLflow's order_by entries (`start_time DESC`, `metrics.loss`, `attributes.end_time ASC`). */
export function parseRunOrder(entries: readonly string[]): RunOrder[] {
  return entries.map((entry) => {
    const m = /^\s*(.+?)(?:\s+(asc|desc))?\s*$/i.exec(entry);
    const subject = m?.[1] ?? '';
    const descending = (m?.[2] ?? 'asc').toLowerCase() === 'desc';
    const tokens = tokenize(subject);
    const t = tokens[0];
    if (tokens.length !== 1 || !t) throw new RunFilterError(`cannot order by "${entry}": write a name and optionally ASC or DESC`, entry, 0);
    if (t.kind === 'ident' && ENTITY_PREFIXES[t.entity] === 'metric') return { by: { entity: 'metric', key: t.key }, descending };
    if (t.kind === 'ident' && ENTITY_PREFIXES[t.entity] === 'param') return { by: { entity: 'param', key: t.key }, descending };
    const attr = t.kind === 'ident' && ENTITY_PREFIXES[t.entity] === 'attribute' ? t.key : t.kind === 'word' ? t.text : '';
    const a = ATTRIBUTES[attr.toLowerCase()];
    if (a === 'start_time' || a === 'end_time') return { by: { entity: 'attribute', key: a }, descending };
    throw new RunFilterError(`cannot order by "${subject}": order by start_time, end_time, metrics.<key> or params.<key>`, subject, 0);
  });
}
