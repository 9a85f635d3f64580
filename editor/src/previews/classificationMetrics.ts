/**
 * Reads a ClassificationMetrics artifact (components/evaluate/classificationMetrics.ts) for its
 * viewer, tolerant of what later versions add: the confusion matrix, per-class scores, and ROC /
 * precision-recall curves in whichever of a few plain shapes they come (points as {fpr,tpr},
 * {recall,precision}, {x,y} or [x,y]; one curve, a list of labelled curves, or curves by label;
 * or parallel arrays fpr/tpr, recall/precision).
 */
export interface Curve {
  label: string;
  points: { x: number; y: number }[];
  /** Area under the curve when the artifact says it. */
  area?: number;
}

export interface ClassificationView {
  accuracy?: number;
  n?: number;
  macro?: { precision?: number; recall?: number; f1?: number; extra: Record<string, number> };
  perClass: { label: string; precision?: number; recall?: number; f1?: number; support?: number; extra: Record<string, number> }[];
  confusion?: { labels: string[]; matrix: number[][] };
  roc: Curve[];
  pr: Curve[];
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

const KNOWN = new Set(['label', 'precision', 'recall', 'f1', 'support']);
/** Numbers a newer evaluator adds (rocAuc, averagePrecision, …), shown as extra columns. */
const extras = (r: Rec): Record<string, number> =>
  Object.fromEntries(Object.entries(r).flatMap(([k, v]) => (!KNOWN.has(k) && num(v) !== undefined ? [[k, v as number]] : [])));

function point(p: unknown, xKey: string, yKey: string): { x: number; y: number } | undefined {
  if (Array.isArray(p) && p.length >= 2) {
    const x = num(p[0]);
    const y = num(p[1]);
    return x !== undefined && y !== undefined ? { x, y } : undefined;
  }
  if (!isRec(p)) return undefined;
  const x = num(p[xKey]) ?? num(p.x);
  const y = num(p[yKey]) ?? num(p.y);
  return x !== undefined && y !== undefined ? { x, y } : undefined;
}

/** One curve from an object or an array of points. */
function curve(value: unknown, label: string, xKey: string, yKey: string): Curve | undefined {
  if (Array.isArray(value)) {
    const points = value.flatMap((p) => point(p, xKey, yKey) ?? []);
    return points.length >= 2 ? { label, points } : undefined;
  }
  if (!isRec(value)) return undefined;
  const name = typeof value.label === 'string' ? value.label : typeof value.class === 'string' ? value.class : label;
  const area = num(value.auc) ?? num(value.area) ?? num(value.averagePrecision) ?? num(value.ap);
  let points: { x: number; y: number }[] = [];
  if (Array.isArray(value.points)) points = value.points.flatMap((p) => point(p, xKey, yKey) ?? []);
  else if (Array.isArray(value[xKey]) && Array.isArray(value[yKey])) {
    const xs = value[xKey] as unknown[];
    const ys = value[yKey] as unknown[];
    points = xs.flatMap((x, i) => {
      const px = num(x);
      const py = num(ys[i]);
      return px !== undefined && py !== undefined ? [{ x: px, y: py }] : [];
    });
  }
  if (points.length < 2) return undefined;
  return { label: name, points, ...(area !== undefined ? { area } : {}) };
}

/** Curves under any of `keys`: a curve, a list of curves, or curves by label ({ setosa: curve }). */
function curves(obj: Rec, keys: string[], xKey: string, yKey: string): Curve[] {
  const isCurveObject = (v: unknown): boolean => isRec(v) && (Array.isArray(v.points) || Array.isArray(v[xKey]));
  const list = (items: unknown[]): Curve[] => items.flatMap((v, i) => curve(v, `curve ${i + 1}`, xKey, yKey) ?? []);
  for (const key of keys) {
    const value = obj[key];
    if (Array.isArray(value)) {
      const found = value.some(isCurveObject) ? list(value) : [curve(value, key, xKey, yKey)].flatMap((c) => c ?? []);
      if (found.length) return found;
    } else if (isRec(value)) {
      if (isCurveObject(value)) {
        const single = curve(value, key, xKey, yKey);
        if (single) return [single];
      }
      const container = value.perClass ?? value.curves ?? value;
      const found = Array.isArray(container)
        ? list(container)
        : isRec(container)
          ? Object.entries(container).flatMap(([label, v]) => curve(v, label, xKey, yKey) ?? [])
          : [];
      if (found.length) return found;
    }
  }
  return [];
}

/** Undefined when the value does not look like classification metrics at all. */
export function readClassificationMetrics(value: unknown): ClassificationView | undefined {
  if (!isRec(value)) return undefined;
  const view: ClassificationView = { perClass: [], roc: [], pr: [] };
  const accuracy = num(value.accuracy);
  if (accuracy !== undefined) view.accuracy = accuracy;
  const n = num(value.n);
  if (n !== undefined) view.n = n;
  if (isRec(value.macro)) {
    const m = value.macro;
    view.macro = {
      ...(num(m.precision) !== undefined ? { precision: num(m.precision) } : {}),
      ...(num(m.recall) !== undefined ? { recall: num(m.recall) } : {}),
      ...(num(m.f1) !== undefined ? { f1: num(m.f1) } : {}),
      extra: extras(m),
    };
  }
  if (Array.isArray(value.perClass)) {
    view.perClass = value.perClass.filter(isRec).map((c, i) => ({
      label: typeof c.label === 'string' ? c.label : `class ${i + 1}`,
      ...(num(c.precision) !== undefined ? { precision: num(c.precision) } : {}),
      ...(num(c.recall) !== undefined ? { recall: num(c.recall) } : {}),
      ...(num(c.f1) !== undefined ? { f1: num(c.f1) } : {}),
      ...(num(c.support) !== undefined ? { support: num(c.support) } : {}),
      extra: extras(c),
    }));
  }
  const cm = value.confusionMatrix;
  if (isRec(cm) && Array.isArray(cm.matrix) && cm.matrix.every((r) => Array.isArray(r) && r.every((c) => typeof c === 'number'))) {
    const matrix = cm.matrix;
    const labels = Array.isArray(cm.labels) && cm.labels.length === matrix.length ? cm.labels.map(String) : matrix.map((_, i) => `class ${i + 1}`);
    view.confusion = { labels, matrix };
  } else if (Array.isArray(cm) && cm.every((r) => Array.isArray(r) && r.every((c) => typeof c === 'number'))) {
    const matrix = cm;
    const labels = Array.isArray(value.labels) && value.labels.length === matrix.length ? value.labels.map(String) : matrix.map((_, i) => `class ${i + 1}`);
    view.confusion = { labels, matrix };
  }
  view.roc = curves(value, ['roc', 'rocCurve', 'rocCurves', 'roc_curve'], 'fpr', 'tpr');
  view.pr = curves(value, ['pr', 'prCurve', 'prCurves', 'precisionRecall', 'precisionRecallCurve', 'pr_curve'], 'recall', 'precision');
  if (view.accuracy === undefined && !view.confusion && view.perClass.length === 0 && view.roc.length === 0 && view.pr.length === 0) return undefined;
  return view;
}
