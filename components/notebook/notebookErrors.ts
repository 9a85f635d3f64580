/**
 * What can go wrong running a notebook, one class per condition, each with its `code`. Only a kernel
 * that died or a driver that broke unexpectedly is retryable: everything else would fail the same way again.
 */
import { NonRetryableError, SluiceError } from 'sluice/dsl';

/** The file is not a Jupyter notebook (not JSON, or no `cells`), or the parameters do not fit it. */
export class InvalidNotebookError extends NonRetryableError {
  override readonly name: string = 'InvalidNotebookError';
  override readonly code: string = 'invalid-notebook';
}

/** The Python named by SLUICE_NOTEBOOK_PYTHON (or `python3` on PATH) does not exist on this worker. */
export class NotebookPythonNotFoundError extends NonRetryableError {
  override readonly name: string = 'NotebookPythonNotFoundError';
  override readonly code: string = 'notebook-python-not-found';
}

/** The worker's Python lacks papermill, nbconvert or ipykernel. */
export class NotebookToolsMissingError extends NonRetryableError {
  override readonly name: string = 'NotebookToolsMissingError';
  override readonly code: string = 'notebook-tools-missing';
}

/** A cell raised: the notebook's own error, so running it again gives the same one. */
export class NotebookCellError extends NonRetryableError {
  override readonly name: string = 'NotebookCellError';
  override readonly code: string = 'notebook-cell-failed';
  constructor(
    message: string,
    /** The cell's index in the executed notebook (0-based, every cell counted). */
    readonly cellIndex: number,
    /** Its execution count, the `In [n]` Jupyter shows; null when it never started. */
    readonly executionCount: number | null,
    readonly errorName: string,
  ) {
    super(message);
  }
}

/** papermill stopped for another reason (the kernel died, out of memory, …): may be transient. */
export class NotebookFailedError extends SluiceError {
  override readonly name: string = 'NotebookFailedError';
  override readonly code: string = 'notebook-failed';
}

/** The attempt was cancelled and papermill and its kernel were stopped. */
export class NotebookCancelledError extends SluiceError {
  override readonly name: string = 'NotebookCancelledError';
  override readonly code: string = 'notebook-cancelled';
}
