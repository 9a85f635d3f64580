/**
 * Iris in a notebook: load the flowers, hold out a test share, and let a Jupyter notebook
 * (examples/notebooks/iris-summary.ipynb) summarise the training rows per species. papermill
 * injects the notebook's parameters and the dataset's local path; the run view shows the executed
 * notebook's HTML rendering.
 *
 *   bash scripts/ensure-notebook.sh   # a Python with papermill, nbconvert, ipykernel; prints its path
 *   SLUICE_NOTEBOOK_PYTHON=$(bash scripts/ensure-notebook.sh) npx sluice run examples/iris-notebook.ts --param 'parameters={"decimals": 3}'
 *
 * The notebook path is relative to the worker's working directory, inside its data roots
 * (SLUICE_DATA_ROOTS): run the worker from the project root.
 */
import { loadIris, runNotebook, split } from 'sluice/components';
import { pipeline, t } from 'sluice/dsl';

export default pipeline(
  {
    name: 'iris-notebook',
    description: 'Summarise the iris training rows per species in a parameterised Jupyter notebook (papermill), rendered as HTML.',
    inputs: {
      testFraction: t.float({ default: 0.2, description: 'share of rows held out (the notebook sees the rest)' }),
      parameters: t.json({ default: { title: 'Iris training rows by species', decimals: 2 }, description: 'injected into the notebook by papermill' }),
    },
  },
  (p) => {
    const data = p.task(loadIris, {});
    const parts = p.task(split, { dataset: data.outputs.dataset, testFraction: p.inputs.testFraction });
    const summary = p.task(runNotebook, {
      notebook: 'examples/notebooks/iris-summary.ipynb',
      parameters: p.inputs.parameters,
      dataset: parts.outputs.train,
      otherDataset: parts.outputs.test,
    });
    return { notebook: summary.outputs.executed, html: summary.outputs.html };
  },
);
