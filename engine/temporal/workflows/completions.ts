/**
 * Waiting for whichever of many running things finishes next, in O(1) per completion.
 * `Promise.race` over n pending promises creates n promises per call, and the workflow sandbox
 * records a stack trace for each: with hundreds of tasks in flight a workflow task then runs for
 * seconds and the server force-closes it. Here each tracked promise settles into a queue once.
 */
export class Completions<T> {
  private readonly done: T[] = [];
  private wake: (() => void) | undefined;

  /** Tracks `p`; its settled value (map rejections yourself) joins the queue. */
  add(p: Promise<T>): void {
    void p.then((value) => {
      this.done.push(value);
      this.wake?.();
    });
  }

  /** The next settled value (in settlement order); waits if none has settled yet. */
  async next(): Promise<T> {
    while (this.done.length === 0) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
    return this.done.shift() as T;
  }
}
