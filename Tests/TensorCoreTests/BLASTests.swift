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
}
