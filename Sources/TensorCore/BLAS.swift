// BLAS: the one place TensorCore talks to OpenBLAS. Thread count is always set explicitly:
// OpenBLAS's default (all cores, per process) halves the speed of oversubscribed MPI ranks.
import CBLAS
import Foundation

public enum BLAS {
    /// The thread count set through `setThreads` (OpenBLAS's own may be lowered per call).
    nonisolated(unsafe) private static var configuredThreads: Int32 = 1
    nonisolated(unsafe) private static var activeThreads: Int32 = -1

    /// GEMMs smaller than this many multiply-adds run on one thread: below it, waking
    /// OpenBLAS's other threads costs more than they save (measured on the MLP benchmark).
    public static let smallGEMM = 1 << 21

    /// Sets OpenBLAS's thread count for this process (at least 1).
    public static func setThreads(_ n: Int) {
        configuredThreads = Int32(max(1, n))
        useThreads(configuredThreads)
    }

    @inline(__always)
    static func useThreads(_ n: Int32) {
        if n != activeThreads {
            openblas_set_num_threads(n)
            activeThreads = n
        }
    }

    /// The configured BLAS thread count.
    public static var threads: Int { Int(configuredThreads) }

    /// Applies `HPSEARCH_BLAS_THREADS` if set and valid, otherwise `fallback`; returns the count used.
    @discardableResult
    public static func configureThreads(fallback: Int,
                                        environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        let n = environment["HPSEARCH_BLAS_THREADS"].flatMap { Int($0) }.flatMap { $0 >= 1 ? $0 : nil } ?? max(1, fallback)
        setThreads(n)
        return n
    }

    /// C[m×n] = alpha · op(A) · op(B) + beta · C, all row-major; op(A) is m×k, op(B) is k×n.
    /// `lda`/`ldb` are the row strides of A and B as stored (before transposition).
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                             alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        useThreads(m * n * k < smallGEMM ? 1 : configuredThreads)
        cblas_sgemm(CblasRowMajor,
                    transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
