// Parallel: work split over the configured threads (`BLAS.threads`): the parts of a large GEMM
// (`BLAS.sgemm`) and the loops OpenBLAS does not run (im2col, col2im, pooling, elementwise
// passes). Each part writes only its own outputs, so a result never depends on how many parts
// there were: the same bits at 1 thread or 2. The threads are CKernels' pool (pool.h): they
// spin at most 0.1 ms for the next job, then sleep.
import CKernels

public enum Parallel {
    /// Runs `body(begin, end)` over contiguous chunks covering [0, count): one chunk per BLAS
    /// thread (`BLAS.threads`), fewer when there is less than `grain` work items per chunk;
    /// concurrently, and returns when all are done. `body` must write disjoint memory per chunk.
    public static func chunks(_ count: Int, grain: Int = 1, _ body: (Int, Int) -> Void) {
        let parts = max(1, min(BLAS.threads, count / max(grain, 1)))
        guard parts > 1 else {
            if count > 0 { body(0, count) }
            return
        }
        run(parts: parts) { p in body(count * p / parts, count * (p + 1) / parts) }
    }

    /// Runs `body(p)` for p in 0..<parts concurrently (the calling thread runs parts too) and
    /// returns when all are done; inline when parts is 1, and in order on the calling thread
    /// when called from inside a part. `body` must write disjoint memory per part.
    public static func run(parts: Int, _ body: (Int) -> Void) {
        guard parts > 1 else {
            if parts == 1 { body(0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            var task = body
            withUnsafeMutablePointer(to: &task) { pointer in
                hps_pool_run(Int32(parts), { context, part in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(part))
                }, UnsafeMutableRawPointer(pointer))
            }
        }
    }
}
