// BLAS thread configuration from the environment.
import TestSupport
import XCTest
import TensorCore

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

    /// What the README's determinism section states: on OpenBLAS 0.3.21 with its AVX-512 kernels
    /// (the machines DESIGN.md measured), a GEMM whose inner dimension k is at most 448 gives the
    /// same bits at 1 and 2 threads, whatever m, n and the transpositions (above that, its single-
    /// and multi-threaded drivers split k differently). With its AVX2 kernels (`Zen`, `Haswell`)
    /// no GEMM of these shapes rounds alike at 1 and 2 threads: there only the same thread count
    /// gives the same bits, which is checked on every CPU, with agreement to 1e-5 across counts.
    /// Shapes are large enough for OpenBLAS to use both threads (m·n·k ≥ BLAS.smallGEMM).
    func testGEMMsWithAnInnerDimensionUpTo448AreBitIdenticalAtOneAndTwoThreads() {
        let avx512 = BLAS.usesAVX512Kernels
        var rng = RNG(seed: 11)
        for (i, (m, n, k)) in [(128, 256, 448), (1000, 10, 256), (256, 512, 300), (10000, 64, 64), (512, 128, 447), (64, 1024, 200)].enumerated() {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                XCTAssertGreaterThanOrEqual(m * n * k, BLAS.smallGEMM, "shape \(i) would run on one thread")
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
                let one = product(threads: 1), two = product(threads: 2)
                let shape = "m \(m) n \(n) k \(k) transA \(ta) transB \(tb), OpenBLAS core \(BLAS.coreName)"
                XCTAssertTrue(product(threads: 2).elementsEqual(two) { $0.bitPattern == $1.bitPattern }, "the same thread count: \(shape)")
                XCTAssertTrue(product(threads: 1).elementsEqual(one) { $0.bitPattern == $1.bitPattern }, "the same thread count: \(shape)")
                if avx512 {
                    XCTAssertTrue(one.elementsEqual(two) { $0.bitPattern == $1.bitPattern }, shape)
                } else {
                    assertClose(one, two, accuracy: 1e-5, shape)
                }
            }
        }
    }
}
