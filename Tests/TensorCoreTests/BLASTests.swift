// BLAS thread configuration from the environment.
import TestSupport
import XCTest
@testable import TensorCore

final class BLASTests: XCTestCase {
    override func tearDown() { BLAS.setThreads(1) }

    func testConfigureThreadsFromEnvironment() throws {
        XCTAssertEqual(try BLAS.configureThreads(fallback: 1, environment: ["HPSEARCH_BLAS_THREADS": "2"]), 2)
        XCTAssertEqual(BLAS.threads, 2)
        XCTAssertEqual(try BLAS.configureThreads(fallback: 1, environment: [:]), 1)
        XCTAssertEqual(BLAS.threads, 1)
    }

    func testInvalidEnvironmentValuesAreErrorsNamingTheVariable() throws {
        for bad in ["0", "-3", "two", ""] {
            XCTAssertThrowsError(try BLAS.configureThreads(fallback: 2, environment: ["HPSEARCH_BLAS_THREADS": bad]), "'\(bad)'") { error in
                XCTAssertTrue("\(error)".contains("HPSEARCH_BLAS_THREADS=\(bad)"), "\(error)")
            }
        }
        XCTAssertEqual(try BLAS.configureThreads(fallback: 0, environment: [:]), 1, "fallback is at least 1")
    }

    func testSetThreadsClampsToOne() {
        BLAS.setThreads(0)
        XCTAssertEqual(BLAS.threads, 1)
    }

    func testResultsDoNotDependOnThreadCount() {
        let a = TestData.normal([64, 48], seed: 1), b = TestData.normal([48, 32], seed: 2)
        BLAS.setThreads(1)
        let one = Tensor.matmul(a, b).data
        BLAS.setThreads(2)
        let two = Tensor.matmul(a, b).data
        assertClose(one, two, accuracy: 1e-5, "threads 1 vs 2")
    }

    /// What the README's determinism section states: OpenBLAS runs single-threaded and a large
    /// GEMM splits over the threads by rows of C (by columns when its rows are too few, on
    /// OpenBLAS's AVX-512 kernels only), never by the inner dimension, so
    /// every product has the same bits at 1, 2 and 3 threads, whatever m, n, k (above and below
    /// OpenBLAS's blocking of k at 448/512) and the transpositions, with beta 0 or 1.
    func testGEMMsHaveTheSameBitsAtAnyThreadCount() {
        var rng = RNG(seed: 11)
        let shapes = [(128, 256, 448), (1000, 10, 256), (256, 512, 300), (10000, 64, 64), (512, 128, 447),
                      (64, 1024, 200), (64, 288, 6272), (3136, 128, 128), (37, 4000, 100), (32, 9, 25088),
                      // Too few rows to split: by columns on the AVX-512 kernels (weight gradients of thin layers).
                      (8, 288, 25088), (16, 600, 4000), (24, 577, 6272)]
        for (i, (m, n, k)) in shapes.enumerated() {
            BLAS.setThreads(2)
            let rows = BLAS.splitParts(m: m, n: n, k: k), columns = BLAS.columnParts(m: m, n: n, k: k)
            let parts = rows > 1 ? rows : columns
            if BLAS.usesAVX512Kernels {
                if i >= 10 { XCTAssertEqual([rows, columns], [1, 2], "shape \(i) must split by columns over two threads") }
            } else if i < 10 {
                XCTAssertEqual(rows, 2, "shape \(i) must split over two threads")
            }
            if !BLAS.usesAVX512Kernels { XCTAssertEqual(columns, 1, "columns split only on the AVX-512 kernels") }
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = (0..<(m * k)).map { _ in rng.uniform(-0.5, 0.5) }
                let b = (0..<(k * n)).map { _ in rng.uniform(-0.5, 0.5) }
                func product(threads: Int) -> [Float] {
                    BLAS.setThreads(threads)
                    var c = [Float](repeating: 0.25, count: m * n)
                    a.withUnsafeBufferPointer { pa in
                        b.withUnsafeBufferPointer { pb in
                            c.withUnsafeMutableBufferPointer { pc in
                                BLAS.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, a: pa.baseAddress!, lda: ta ? m : k,
                                           b: pb.baseAddress!, ldb: tb ? k : n, beta: i % 2 == 0 ? 0 : 1, c: pc.baseAddress!, ldc: n)
                            }
                        }
                    }
                    return c
                }
                let one = product(threads: 1)
                let shape = "m \(m) n \(n) k \(k) transA \(ta) transB \(tb), OpenBLAS core \(BLAS.coreName), \(parts) parts"
                for t in [2, 3] {
                    XCTAssertTrue(product(threads: t).elementsEqual(one) { $0.bitPattern == $1.bitPattern }, "\(t) threads: \(shape)")
                }
            }
        }
    }

    /// The column split's arithmetic on any kernels (sgemm takes it only on the AVX-512 ones):
    /// every column of C, and nothing else, is written once, for both transpositions of B, beta 0
    /// and 1, parts that do and do not divide the columns; equal to the whole call within
    /// rounding (bit for bit where the kernels are AVX-512, as sgemm relies on).
    func testColumnSplitWritesEveryColumnOnce() {
        BLAS.setThreads(3)
        var rng = RNG(seed: 12)
        for (m, n, k) in [(8, 100, 300), (24, 577, 500), (5, 64, 1000)] {
            for tb in [false, true] {
                for beta: Float in [0, 1] {
                    let a = (0..<(m * k)).map { _ in rng.uniform(-0.5, 0.5) }
                    let b = (0..<(k * n)).map { _ in rng.uniform(-0.5, 0.5) }
                    let ldc = n + 3  // a wider C: the columns past n must stay untouched
                    func product(parts: Int) -> [Float] {
                        var c = [Float](repeating: 0.25, count: m * ldc)
                        a.withUnsafeBufferPointer { pa in
                            b.withUnsafeBufferPointer { pb in
                                c.withUnsafeMutableBufferPointer { pc in
                                    if parts == 1 {
                                        BLAS.serialSGEMM(transA: false, transB: tb, m: m, n: n, k: k, a: pa.baseAddress!, lda: k,
                                                         b: pb.baseAddress!, ldb: tb ? k : n, beta: beta, c: pc.baseAddress!, ldc: ldc)
                                    } else {
                                        BLAS.sgemmByColumns(parts: parts, transA: false, transB: tb, m: m, n: n, k: k, alpha: 1,
                                                            a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: tb ? k : n,
                                                            beta: beta, c: pc.baseAddress!, ldc: ldc)
                                    }
                                }
                            }
                        }
                        return c
                    }
                    let whole = product(parts: 1)
                    for parts in [2, 3] {
                        let split = product(parts: parts), shape = "m \(m) n \(n) k \(k) transB \(tb) beta \(beta), \(parts) parts"
                        for r in 0..<m {
                            for j in n..<ldc { XCTAssertEqual(split[r * ldc + j], 0.25, "column \(j) past n written: \(shape)") }
                        }
                        assertClose(split, whole, accuracy: 1e-4, shape)
                        if BLAS.usesAVX512Kernels {
                            XCTAssertTrue(split.elementsEqual(whole) { $0.bitPattern == $1.bitPattern }, "bits: \(shape)")
                        }
                    }
                }
            }
        }
    }

    /// On the AVX-512 kernels, no part of a split falls below the work at which OpenBLAS may
    /// switch to its direct kernels once the boundaries are rounded to the alignment.
    func testAlignedPartsKeepTheirFloor() {
        BLAS.setThreads(2)
        if BLAS.usesAVX512Kernels {
            XCTAssertEqual(BLAS.splitParts(m: 40, n: 400, k: 1049), 1, "40 rows split 16/24 would leave 16·400·1049 < 28·512·512 in one part")
            XCTAssertEqual(BLAS.columnParts(m: 31, n: 40, k: 13531), 1, "40 columns split 16/24 likewise")
            XCTAssertEqual(BLAS.splitParts(m: 64, n: 400, k: 1049), 2, "64 rows split 32/32 keep enough in each part")
        }
        // 16 of 32 lines × 400,000 = 6.4M < 28·512·512 ≈ 7.34M; 32 of 64 lines: 12.8M, enough.
        XCTAssertEqual(BLAS.keepingPartsAboveDirectKernels(2, lines: 32, perLine: 400_000, BLAS.splitRow), BLAS.usesAVX512Kernels ? 1 : 2)
        XCTAssertEqual(BLAS.keepingPartsAboveDirectKernels(2, lines: 64, perLine: 400_000, BLAS.splitRow), 2)
    }

    func testSmallGEMMsStayWhole() {
        BLAS.setThreads(4)
        XCTAssertEqual(BLAS.splitParts(m: 64, n: 64, k: 64), 1, "under smallGEMM multiply-adds")
        XCTAssertEqual(BLAS.splitParts(m: 8, n: 4096, k: 1 << 12), 1, "fewer rows than one part's")
        XCTAssertEqual(BLAS.columnParts(m: 64, n: 64, k: 64), 1, "under smallGEMM multiply-adds")
        XCTAssertEqual(BLAS.columnParts(m: 8, n: 4096, k: 1 << 12), BLAS.usesAVX512Kernels ? 4 : 1, "by columns on AVX-512 only")
        XCTAssertLessThanOrEqual(BLAS.splitParts(m: 4096, n: 4096, k: 4096), 4, "at most one part per thread")
        BLAS.setThreads(1)
        XCTAssertEqual(BLAS.splitParts(m: 4096, n: 4096, k: 4096), 1, "one thread")
    }
}
