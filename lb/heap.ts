/**
 * A thread's heap after a full garbage collection: what is still reachable, which is what a leak
 * test or a soak compares (resident memory also counts what V8 and the allocator keep after a
 * load). Each isolate collects its own heap, so the data plane's worker and the control plane on
 * the main thread each measure themselves.
 */
import v8 from "node:v8";
import vm from "node:vm";

export interface HeapFigures {
  /** Bytes of the JavaScript heap in use. */
  heapUsed: number;
  /** Memory outside the heap that its objects hold (socket buffers of the deno engine). */
  external: number;
}

/** Collects this isolate's garbage, then reads its heap. Takes a few milliseconds. */
export function heapAfterGc(): HeapFigures {
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
  const { heapUsed, external } = Deno.memoryUsage();
  return { heapUsed, external };
}
