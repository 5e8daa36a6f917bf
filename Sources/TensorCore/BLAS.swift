// BLAS: the one place TensorCore talks to OpenBLAS. Thread count is always set explicitly:
// OpenBLAS's default (all cores, per process) halves the speed of oversubscribed MPI ranks.
//
// Threading contract: BLAS calls (and so tensor operations) come from one thread at a time per
// process — a rank trains one model on one thread. OpenBLAS runs single-threaded; the configured
// thread count is how many parts `sgemm` and `Parallel` split work into, on CKernels' pool.
import CBLAS
import Foundation

public enum BLAS {
    /// The thread count set through `setThreads`: how many parts large GEMMs and `Parallel` loops
    /// split into.
    nonisolated(unsafe) private static var configuredThreads: Int32 = 1

    /// OpenBLAS lowered to one thread, once, before the first call (its own default is one
    /// thread per core).
    private static let openBLASSingleThreaded: Void = openblas_set_num_threads(1)

    /// GEMMs smaller than this many multiply-adds stay whole on one thread: below it, waking a
    /// second core costs more than it saves (measured on the MLP benchmark).
    public static let smallGEMM = 1 << 21

    /// Sets the thread count for this process's GEMMs and parallel loops (at least 1).
    public static func setThreads(_ n: Int) {
        configuredThreads = Int32(max(1, n))
        _ = openBLASSingleThreaded
    }

    /// The configured BLAS thread count.
    public static var threads: Int { Int(configuredThreads) }

    /// Applies `HPSEARCH_BLAS_THREADS` if set, otherwise `fallback`; returns the count used.
    /// A value that is not a positive integer is an error naming the variable.
    @discardableResult
    public static func configureThreads(fallback: Int,
                                        environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int {
        var n = max(1, fallback)
        if let raw = environment["HPSEARCH_BLAS_THREADS"] {
            guard let v = Int(raw.trimmingCharacters(in: .whitespaces)), v >= 1 else {
                throw BLASConfigurationError(value: raw)
            }
            n = v
        }
        setThreads(n)
        return n
    }

    /// Cores on this machine.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// The kernel set OpenBLAS chose for this CPU (`Zen`, `Haswell`, `SkylakeX`, …): which GEMMs
    /// round alike at different thread counts depends on it (README, Determinism). Recorded with
    /// every sweep (`blas_core`).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Whether OpenBLAS runs its AVX-512 sgemm kernels here (`SkylakeX`, `Cooperlake`,
    /// `SapphireRapids`), which keep direct and small-matrix kernels for small products (`sgemm`
    /// keeps its parts above them) and beside which the small-K convolution kernel reproduces
    /// OpenBLAS's rounding. Decided by OpenBLAS's choice, not by the CPU's flags: OpenBLAS
    /// 0.3.21 gave one AMD EPYC Zen 4 VM its `Haswell` kernels and another `Cooperlake` (it
    /// goes by the features the CPU reports).
    public static let usesAVX512Kernels: Bool = ["SkylakeX", "Cooperlake", "SapphireRapids"].contains(coreName)

    /// C[m×n] = alpha · op(A) · op(B) + beta · C, all row-major; op(A) is m×k, op(B) is k×n.
    /// `lda`/`ldb` are the row strides of A and B as stored (before transposition).
    ///
    /// OpenBLAS itself always runs on one thread. A GEMM of at least `smallGEMM` multiply-adds
    /// splits over `threads` cores here instead, by rows of C starting at multiples of
    /// `rowAlignment`, each part one single-threaded OpenBLAS call on a `Parallel` thread. Two
    /// reasons: OpenBLAS's idle threads spin (`sched_yield`) for about 0.1 s after every
    /// threaded call, taking the second core from the im2col, pooling and elementwise loops that
    /// `Parallel` runs next (a CNN step lost a fifth of its speed to that at two threads); and
    /// such a split sums every element exactly as one whole call does, so a product has the same
    /// bits at any thread count (tested). A product with too few rows splits by columns of C
    /// instead, but only on OpenBLAS's AVX-512 kernels (`columnParts`): elsewhere they round an
    /// element differently depending on where its column falls (measured on `Zen`).
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                             alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        let parts = splitParts(m: m, n: n, k: k)
        func call(_ rows: Int, _ a: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>) {
            serialSGEMM(transA: transA, transB: transB, m: rows, n: n, k: k, alpha: alpha,
                        a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
        guard parts > 1 else {
            // Too few rows to split (a weight gradient dyᵀ·x has as many as the layer has
            // outputs): by columns of C instead, where that keeps every element's bits.
            let columns = columnParts(m: m, n: n, k: k)
            guard columns > 1 else { return call(m, a, c) }
            return sgemmByColumns(parts: columns, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                  a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
        Parallel.run(parts: parts) { p in
            let from = splitRow(p, of: parts, m), to = splitRow(p + 1, of: parts, m)
            // Rows from..<to of op(A): rows of A as stored, or its columns when transposed.
            if to > from { call(to - from, a + (transA ? from : from * lda), c + from * ldc) }
        }
    }

    /// `sgemm` as `parts` single-threaded calls on `Parallel` threads, each for the columns
    /// splitColumn(p)..<splitColumn(p + 1) of C (`sgemm` calls it when `columnParts` > 1; tests
    /// call it on any kernels).
    static func sgemmByColumns(parts: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                               a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                               beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        Parallel.run(parts: parts) { p in
            let from = splitColumn(p, of: parts, n), to = splitColumn(p + 1, of: parts, n)
            // Columns from..<to of op(B): columns of B as stored, or its rows when transposed.
            if to > from {
                serialSGEMM(transA: transA, transB: transB, m: m, n: to - from, k: k, alpha: alpha,
                            a: a, lda: lda, b: b + (transB ? from * ldb : from), ldb: ldb, beta: beta, c: c + from, ldc: ldc)
            }
        }
    }

    /// Multiply-adds below which OpenBLAS 0.3.21's AVX-512 kernels may take their direct (NN,
    /// alpha 1, beta 0) or small-matrix paths, which round differently from the blocked kernel a
    /// larger call runs: every part of a split keeps at least this much, measured on the part
    /// the aligned boundaries actually give.
    static let directKernelWork = 28 * 512 * 512

    /// `parts` lowered until the smallest part that `boundary` gives keeps `perLine` × its lines
    /// at or above `directKernelWork` (on the AVX-512 kernels; elsewhere `parts` itself).
    static func keepingPartsAboveDirectKernels(_ parts: Int, lines: Int, perLine: Int,
                                               _ boundary: (Int, Int, Int) -> Int) -> Int {
        guard usesAVX512Kernels else { return parts }
        var parts = parts
        while parts > 1 {
            var smallest = lines
            for p in 0..<parts { smallest = Swift.min(smallest, boundary(p + 1, parts, lines) - boundary(p, parts, lines)) }
            if smallest * perLine >= directKernelWork { break }
            parts -= 1
        }
        return parts
    }

    /// How many parts `sgemm` splits an m×n×k product into by columns of C when its rows do not
    /// split (`splitParts` is 1): only on OpenBLAS's AVX-512 kernels, where a column's offset
    /// does not change how its elements round (measured on `Cooperlake`: the bits of the whole
    /// call at every offset tried, 1 to 64; on `Zen` they differ), each part at least
    /// `columnAlignment` columns and above the AVX-512 small-matrix sizes as in `splitParts`.
    static func columnParts(m: Int, n: Int, k: Int) -> Int {
        let work = m * n * k
        guard usesAVX512Kernels, configuredThreads > 1, work >= smallGEMM else { return 1 }
        let parts = Swift.max(1, Swift.min(Int(configuredThreads), work / (32 * 512 * 512), n / columnAlignment))
        return keepingPartsAboveDirectKernels(parts, lines: n, perLine: m * k, splitColumn)
    }

    /// Columns at which `columnParts` splits: multiples of the AVX-512 kernels' tile width, 16.
    static let columnAlignment = 16

    /// Where column part p of `parts` starts: the multiple of `columnAlignment` nearest to p·n/parts.
    static func splitColumn(_ p: Int, of parts: Int, _ n: Int) -> Int {
        if p >= parts { return n }
        return Swift.min(n, (n * p / parts + columnAlignment / 2) / columnAlignment * columnAlignment)
    }

    /// Where part p of `parts` starts: the multiple of `rowAlignment` nearest to p·m/parts.
    static func splitRow(_ p: Int, of parts: Int, _ m: Int) -> Int {
        if p >= parts { return m }
        return Swift.min(m, (m * p / parts + rowAlignment / 2) / rowAlignment * rowAlignment)
    }

    /// Rows of C at which a split keeps OpenBLAS's tiling, and so each element's rounding: its
    /// kernels tile rows of a row-major C by 12 on `Zen`/`Haswell` (measured: any multiple of 12
    /// gives the bits of the whole call, other offsets do not); 16 on the AVX-512 kernels
    /// (measured on `Cooperlake`: every offset tried, 1 to 48, gives the whole call's bits; 16
    /// is their tile); 48 elsewhere, a multiple of every tile height OpenBLAS uses (4, 8, 12, 16, 24).
    static let rowAlignment = usesAVX512Kernels ? 16 : ["Zen", "Haswell"].contains(coreName) ? 12 : 48

    /// How many parts `sgemm` splits an m×n×k product into: one below `smallGEMM` multiply-adds
    /// (waking a second core costs more than it saves there), else up to `threads`, each at least
    /// 2^20 multiply-adds and `rowAlignment` rows. On OpenBLAS's AVX-512 kernels each part keeps
    /// `directKernelWork` (28·512·512) multiply-adds, checked on the aligned parts: below that
    /// OpenBLAS 0.3.21 may take its direct or small-matrix kernels, which round differently from
    /// the blocked one that a whole call of that size runs.
    static func splitParts(m: Int, n: Int, k: Int) -> Int {
        let work = m * n * k
        guard configuredThreads > 1, work >= smallGEMM else { return 1 }
        let minimum = usesAVX512Kernels ? 32 * 512 * 512 : 1 << 20
        let parts = Swift.max(1, Swift.min(Int(configuredThreads), work / minimum, m / rowAlignment))
        return keepingPartsAboveDirectKernels(parts, lines: m, perLine: n * k, splitRow)
    }

    /// One single-threaded OpenBLAS call, never split: the parts of `sgemm`, and GEMMs inside
    /// `Parallel` loops that split a batch themselves (OpenBLAS locks its buffers per call:
    /// concurrent calls from several threads are safe in the pthreads build).
    public static func serialSGEMM(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                   alpha: Float = 1,
                                   a: UnsafePointer<Float>, lda: Int,
                                   b: UnsafePointer<Float>, ldb: Int,
                                   beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        _ = openBLASSingleThreaded
        cblas_sgemm(CblasRowMajor,
                    transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

/// HPSEARCH_BLAS_THREADS held something other than a positive integer.
public struct BLASConfigurationError: Error, CustomStringConvertible {
    public let value: String
    public var description: String {
        "HPSEARCH_BLAS_THREADS=\(value) is not a positive integer; set it to the BLAS threads each rank should use (e.g. cores ÷ ranks per node), or unset it"
    }
}
