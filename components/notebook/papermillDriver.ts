/**
 * The Python side of the notebook component: a script run with the worker's Python (`python -c`,
 * so it travels inside the bundled package) that executes the notebook with papermill on a kernel
 * of that same Python, renders the result with nbconvert, and writes what happened to a JSON file:
 * the component reads that file, never papermill's messages, to tell a failing cell from a missing
 * tool or a dead kernel.
 */
import { z } from 'zod';
import type { Json } from 'sluice/dsl';

/** What the component asks the driver to do (a JSON file, the driver's one argument). */
export interface DriverRequest {
  input: string;
  output: string;
  html: string;
  /** Where the driver writes its `DriverResult`. */
  result: string;
  parameters: Record<string, Json>;
  /** The kernel's working directory: the notebook's own, as in Jupyter. */
  cwd: string;
  /** Scratch space for the kernel spec and Jupyter's runtime files. */
  jupyterDir: string;
  /** Seconds a cell may run; null: no limit. */
  cellTimeoutSeconds: number | null;
  title: string;
}

export const DriverResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), codeCells: z.number().int() }),
  z.object({ status: z.literal('missing'), modules: z.array(z.string()).min(1), python: z.string(), version: z.string() }),
  z.object({
    status: z.literal('cell'),
    cellIndex: z.number().int(),
    executionCount: z.number().int().nullable(),
    source: z.string(),
    ename: z.string(),
    evalue: z.string(),
    traceback: z.array(z.string()),
  }),
  z.object({ status: z.literal('error'), type: z.string(), message: z.string() }),
]);
export type DriverResult = z.infer<typeof DriverResultSchema>;

/** Modules the driver needs, and the pip line that installs them. */
export const NOTEBOOK_MODULES = ['papermill', 'nbconvert', 'ipykernel'] as const;
/** The versions the tests run with (scripts/ensure-notebook.sh pins the same; a test checks). */
export const NOTEBOOK_REQUIREMENTS = ['papermill==2.7.0', 'nbconvert==7.17.2', 'ipykernel==7.4.0'] as const;

// The kernel spec written under `jupyterDir` and put first on JUPYTER_PATH is named "python3" and
// runs this very Python: a "python3" spec installed elsewhere on the worker cannot take its place.
// The HTML uses nbconvert's "basic" template (the cells, no inline CSS or scripts) inside a small
// page of our own: "lab" adds ~270 kB of styles and scripts, which the run view strips anyway and
// which would push the cells past what its preview reads.
export const PAPERMILL_DRIVER = String.raw`
import html, importlib.util, json, logging, os, sys, traceback

with open(sys.argv[1], encoding="utf-8") as f:
    req = json.load(f)

def done(result, code):
    with open(req["result"], "w", encoding="utf-8") as f:
        json.dump(result, f)
    sys.exit(code)

missing = [m for m in ("papermill", "nbconvert", "ipykernel") if importlib.util.find_spec(m) is None]
if missing:
    done({"status": "missing", "modules": missing, "python": sys.executable, "version": sys.version.split()[0]}, 3)

kernels = os.path.join(req["jupyterDir"], "kernels", "python3")
os.makedirs(kernels, exist_ok=True)
with open(os.path.join(kernels, "kernel.json"), "w", encoding="utf-8") as f:
    json.dump({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
               "display_name": "Python 3 (ipykernel)", "language": "python"}, f)
os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (req["jupyterDir"], os.environ.get("JUPYTER_PATH")) if p)
os.environ.setdefault("JUPYTER_RUNTIME_DIR", os.path.join(req["jupyterDir"], "runtime"))
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")

logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
import nbformat
import papermill
from nbconvert import HTMLExporter
from papermill.exceptions import PapermillExecutionError

extra = {"execution_timeout": req["cellTimeoutSeconds"]} if req["cellTimeoutSeconds"] else {}
try:
    papermill.execute_notebook(req["input"], req["output"], parameters=req["parameters"], kernel_name="python3",
                               language="python", progress_bar=False, log_output=True, cwd=req["cwd"], **extra)
except PapermillExecutionError as e:
    done({"status": "cell", "cellIndex": e.cell_index, "executionCount": e.exec_count, "source": e.source or "",
          "ename": e.ename, "evalue": e.evalue, "traceback": list(e.traceback or [])}, 4)
except Exception as e:
    traceback.print_exc()
    done({"status": "error", "type": type(e).__name__, "message": str(e)}, 1)

nb = nbformat.read(req["output"], as_version=4)
body, _ = HTMLExporter(template_name="basic").from_notebook_node(nb)
style = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
         ".cell{margin:1rem 0}.input_area pre,.output_area pre{overflow-x:auto;margin:0}"
         ".input_area{background:#f5f5f5;padding:.25rem .5rem;border-left:3px solid #888}"
         ".prompt{color:#888;font-size:.8em}.output_area{padding:.25rem .5rem}"
         "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem}")
page = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>' + html.escape(req["title"]) +
        "</title><style>" + style + "</style></head><body>\n" + body + "\n</body></html>\n")
with open(req["html"], "w", encoding="utf-8") as f:
    f.write(page)
done({"status": "ok", "codeCells": sum(1 for c in nb.cells if c.cell_type == "code")}, 0)
`;
