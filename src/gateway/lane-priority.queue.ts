interface Entry<Lane> {
  lane: Lane;
  key: number;
  /** Order of arrival, so that lanes with equal keys go first come, first served. */
  seq: number;
}

/**
 * The lanes waiting for a slice, lowest key first (a binary heap): O(log n)
 * to add or take one, however many connections wait at once.
 */
export class LanePriorityQueue<Lane> {
  private readonly heap: Array<Entry<Lane>> = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(lane: Lane, key: number): void {
    const heap = this.heap;
    heap.push({ lane, key, seq: this.seq++ });
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  /** The lane with the lowest key; `undefined` when none waits. */
  pop(): Lane | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let first = index;
        if (left < heap.length && this.before(heap[left]!, heap[first]!)) first = left;
        if (right < heap.length && this.before(heap[right]!, heap[first]!)) first = right;
        if (first === index) break;
        [heap[index], heap[first]] = [heap[first]!, heap[index]!];
        index = first;
      }
    }
    return top.lane;
  }

  private before(a: Entry<Lane>, b: Entry<Lane>): boolean {
    return a.key < b.key || (a.key === b.key && a.seq < b.seq);
  }
}
