/**
 * One source for every wire type: the API contract (engine/contract, `sluice/api`). The editor and the
 * CLI import its types; they never write their own copy (a copy drifts: the editor once typed
 * `waitingFor` as a string while the server sent an object, and the run view broke on every task
 * waiting for a GPU worker).
 *
 * This test reads every interface and type alias declared in editor/ and engine/cli/ (tests included)
 * and fails when one
 *   1. has the name of a type the contract exports (`interface Run`, `type TaskStatus`): import it; or
 *   2. is an object shape whose fields (three or more) are all fields of one object of the contract —
 *      a renamed copy (`interface LiveTask { state; startedAt; error }` copies TaskStatus).
 * A type built from a contract type (`Omit<LineageNode, 'depth'> & { depth?: number }`) is derived,
 * not copied, and passes. The contract's objects are found by walking its zod schemas: records, route
 * requests and answers, event payloads, nested objects.
 *
 * The lint rules add the other half: editor/src and engine/cli may not call fetch() or open an
 * EventSource themselves, so every answer they read comes typed from the contract's client.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as contract from '../../engine/contract/index';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Where copies are looked for. */
const CHECKED = ['editor', 'engine/cli'];
/** Fields a shape must have before the subset rule applies (two-field shapes such as { x, y } are everywhere). */
const MIN_FIELDS = 3;

function listSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : listSources(full);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

const parse = (file: string, text: string): ts.SourceFile =>
  ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);

/** The type names the contract exports (its interfaces, type aliases and classes). */
function contractTypeNames(): Set<string> {
  const names = new Set<string>();
  for (const file of listSources(path.join(repoRoot, 'engine/contract'))) {
    const source = parse(file, readFileSync(file, 'utf8'));
    for (const statement of source.statements) {
      const exported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (!exported) continue;
      if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isClassDeclaration(statement)) {
        if (statement.name) names.add(statement.name.text);
      }
    }
  }
  return names;
}

interface Shape {
  name: string;
  keys: ReadonlySet<string>;
}

/** Every object the contract's schemas describe, with its fields (walked through wrappers, arrays, unions). */
function contractShapes(): Shape[] {
  const shapes: Shape[] = [];
  const seen = new Set<z.ZodType>();
  const visit = (schema: unknown, where: string): void => {
    if (!(schema instanceof z.ZodType) || seen.has(schema)) return;
    seen.add(schema);
    const id = (schema.meta() as { id?: unknown } | undefined)?.id;
    const name = typeof id === 'string' ? id : where;
    if (schema instanceof z.ZodObject) {
      shapes.push({ name, keys: new Set(Object.keys(schema.shape)) });
      for (const [k, v] of Object.entries(schema.shape)) visit(v, `${name}.${k}`);
    } else if (schema instanceof z.ZodArray) visit(schema.element, `${name}[]`);
    else if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault) visit(schema.unwrap(), name);
    else if (schema instanceof z.ZodUnion) schema.options.forEach((o, i) => visit(o, `${name}|${i}`));
    else if (schema instanceof z.ZodRecord) visit(schema.valueType, `${name}{}`);
    else if (schema instanceof z.ZodPipe) {
      visit(schema.in, name);
      visit(schema.out, name);
    }
  };
  for (const [name, value] of Object.entries(contract)) visit(value, name);
  for (const [operation, route] of Object.entries(contract.apiRoutes) as [string, contract.RouteDef][]) {
    visit(route.params, `${operation} params`);
    visit(route.query, `${operation} query`);
    visit(route.body, `${operation} body`);
    for (const [status, answer] of Object.entries(route.responses)) {
      visit(answer.schema, `${operation} ${status}`);
      for (const [event, data] of Object.entries(answer.events ?? {})) visit(data, `${operation} event ${event}`);
    }
  }
  return shapes;
}

/** The field names of an object type literal or interface (methods and index signatures left out). */
function fieldsOf(members: ts.NodeArray<ts.TypeElement>): string[] {
  return members.flatMap((m) => (ts.isPropertySignature(m) && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) ? [m.name.text] : []));
}

/** Whether a declaration is built from a contract type (a reference to one anywhere in it). */
function derivesFrom(node: ts.Node, names: ReadonlySet<string>): boolean {
  let found = false;
  const walk = (n: ts.Node): void => {
    if (found) return;
    if (ts.isTypeReferenceNode(n)) {
      const ref = ts.isIdentifier(n.typeName) ? n.typeName.text : n.typeName.right.text;
      if (names.has(ref)) found = true;
    }
    ts.forEachChild(n, walk);
  };
  walk(node);
  return found;
}

/** The copies of wire types declared in one file. */
export function findWireCopies(file: string, text: string, names: ReadonlySet<string>, shapes: readonly Shape[]): string[] {
  const source = parse(file, text);
  const problems: string[] = [];
  const where = (node: ts.Node): string => `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const checkShape = (label: string, node: ts.Node, fields: string[]): void => {
    if (fields.length < MIN_FIELDS) return;
    // The closest contract object: the smallest that holds every field.
    const copied = shapes.filter((s) => fields.every((f) => s.keys.has(f))).sort((a, b) => a.keys.size - b.keys.size)[0];
    if (copied) {
      problems.push(
        `${where(node)}: ${label} { ${fields.join(', ')} } has only fields of the contract's ${copied.name}: a copy of a wire type. Import the type from sluice/api (or derive from it: Pick, Omit, &).`,
      );
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) {
      const name = node.name.text;
      if (names.has(name)) {
        problems.push(`${where(node)}: declares its own ${name}, a type of the API contract: import it from sluice/api instead (one source for wire types).`);
      } else if (!derivesFrom(node, names)) {
        if (ts.isInterfaceDeclaration(node)) checkShape(`interface ${name}`, node, fieldsOf(node.members));
        else {
          const literals: ts.TypeLiteralNode[] = [];
          const collect = (n: ts.Node): void => {
            if (ts.isTypeLiteralNode(n)) literals.push(n);
            ts.forEachChild(n, collect);
          };
          collect(node.type);
          for (const literal of literals) checkShape(`type ${name}`, literal, fieldsOf(literal.members));
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return problems;
}

describe('no copies of wire types outside the API contract', () => {
  const names = contractTypeNames();
  const shapes = contractShapes();

  it('knows the contract: its type names and the objects of its schemas', () => {
    for (const name of ['Run', 'Execution', 'TaskStatus', 'LiveStatus', 'RunDetail', 'LogLine', 'ArtifactPreview', 'CatalogComponent', 'Workers']) expect(names).toContain(name);
    expect(shapes.find((s) => s.name === 'TaskStatus')?.keys).toContain('waitingFor');
    expect(shapes.find((s) => s.name === 'listRuns 200')?.keys).toEqual(new Set(['runs', 'nextCursor']));
    expect(shapes.some((s) => s.name.startsWith('streamRun event'))).toBe(true);
  });

  it('finds none in editor/ and engine/cli/', () => {
    const problems = CHECKED.flatMap((dir) =>
      listSources(path.join(repoRoot, dir)).flatMap((file) => findWireCopies(path.relative(repoRoot, file), readFileSync(file, 'utf8'), names, shapes)),
    );
    expect(problems).toEqual([]);
  });

  it('catches a copy by name and a renamed copy, and lets derived and view types pass', () => {
    const source = [
      // The bug this test exists for: the editor's own TaskStatus, waitingFor a string.
      'export interface TaskStatus { state: string; waitingFor?: string }',
      // The same copy renamed.
      'interface LiveTask { state: string; startedAt?: number; error?: string; executionId?: string }',
      // A copy hidden in a union alias (the old ArtifactPreview's PreviewDto).
      "type PreviewDto = { kind: 'text'; mediaType: string; text: string; truncated: boolean } | { kind: 'none'; reason: string };",
      // Derived from the contract: fine.
      "type HeldNode = Omit<LineageNode, 'depth'> & { depth?: number; kind: string; id: string };",
      // The run view's own state: fields of its own, fine.
      "interface TaskView { taskId: string; state: string; attempt: number; cachedFrom?: string; startedAt?: number }",
    ].join('\n');
    expect(findWireCopies('editor/src/probe.ts', source, names, shapes)).toEqual([
      expect.stringMatching(/^editor\/src\/probe\.ts:1: declares its own TaskStatus, a type of the API contract/),
      expect.stringMatching(/^editor\/src\/probe\.ts:2: interface LiveTask \{ state, startedAt, error, executionId \} has only fields of the contract's TaskStatus/),
      expect.stringMatching(/^editor\/src\/probe\.ts:3: type PreviewDto \{ kind, mediaType, text, truncated \} has only fields of the contract's /),
    ]);
  });
});
