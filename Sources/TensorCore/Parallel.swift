// Parallel: a batch split over the configured BLAS threads for the loops OpenBLAS does not run
// (im2col, col2im, pooling, elementwise passes). Each chunk writes only its own outputs, so a
// result never depends on how many chunks there were: the same bits at 1 thread or 2.
import Dispatch

public enum Parallel {
    /// Runs `body(begin, end)` over contiguous chunks covering [0, count): one chunk per BLAS
    /// thread (`BLAS.threads`), fewer when there is less than `grain` work items per chunk;
    /// concurrently on Dispatch's pool (which sleeps idle threads: nothing spins), and returns when
    /// all are done. `body` must write disjoint memory per chunk.
    public static func chunks(_ count: Int, grain: Int = 1, _ body: (Int, Int) -> Void) {
        let parts = max(1, min(BLAS.threads, count / max(grain, 1)))
        guard parts > 1 else {
            if count > 0 { body(0, count) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UnsafeSendable(body)
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                box.value(count * p / parts, count * (p + 1) / parts)
            }
        }
    }

    /// Lets a non-Sendable closure cross into Dispatch's workers; `chunks` guarantees the calls
    /// touch disjoint memory and finish before it returns.
    private struct UnsafeSendable<T>: @unchecked Sendable {
        let value: T
        init(_ value: T) { self.value = value }
    }
}
