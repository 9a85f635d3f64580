/**
 * Nodes whose dependencies are all final, taken in the scope's declaration order. A scope runs in
 * passes (start what is ready, then wait for a completion); within a pass a node that becomes
 * ready behind the one being handled joins the same pass, one before it the next pass. That is
 * the order the first interpreter found by scanning every pending node on each pass (O(n) per
 * pass, O(n²) per run), so recorded histories replay unchanged; here each node costs O(log n).
 */
export class ReadyQueue {
  private current: number[] = [];
  private next: number[] = [];
  private cursor = -1;

  /** A node's position among the scope's nodes, in declaration order. */
  private readonly order: ReadonlyMap<string, number>;

  constructor(private readonly ids: readonly string[]) {
    this.order = new Map(ids.map((id, i) => [id, i]));
  }

  /** Marks `id` ready: in this pass if it comes after the node being handled, else in the next. */
  add(id: string): void {
    const at = this.order.get(id);
    if (at === undefined) return;
    push(at > this.cursor ? this.current : this.next, at);
  }

  /** Starts a new pass over what became ready since the last one; false when nothing is ready. */
  startPass(): boolean {
    for (const at of this.next) push(this.current, at);
    this.next = [];
    this.cursor = -1;
    return this.current.length > 0;
  }

  /** The next node of this pass, in declaration order; undefined at the end of the pass. */
  take(): string | undefined {
    const at = pop(this.current);
    if (at === undefined) {
      this.cursor = Number.POSITIVE_INFINITY; // the pass is over: whatever becomes ready now waits for the next
      return undefined;
    }
    this.cursor = at;
    return this.ids[at];
  }

  /** Ends this pass early (no room to start more): what is left waits for the next pass, in order. O(1). */
  endPass(): void {
    this.cursor = Number.POSITIVE_INFINITY;
  }
}

// A binary min-heap of positions.
function push(heap: number[], v: number): void {
  heap.push(v);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if ((heap[parent] as number) <= v) break;
    heap[i] = heap[parent] as number;
    i = parent;
  }
  heap[i] = v;
}

function pop(heap: number[]): number | undefined {
  if (heap.length === 0) return undefined;
  const top = heap[0] as number;
  const last = heap.pop() as number;
  if (heap.length > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const c = r < heap.length && (heap[r] as number) < (heap[l] as number) ? r : l;
      if ((heap[c] as number) >= last) break;
      heap[i] = heap[c] as number;
      i = c;
    }
    heap[i] = last;
  }
  return top;
}
