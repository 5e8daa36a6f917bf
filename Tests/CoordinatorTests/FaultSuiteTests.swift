// The fault-injection suite (scripts/faults.sh) as part of `swift test`, so CI runs it: real
// mpirun jobs over a Fashion-MNIST subset with workers and rank 0 killed, signals, a thrown
// error, NaN weights, a hung worker, a second process on the run directory and readers while
// the sweep writes; each must leave a store that resume completes with nothing retrained.
import Foundation
import TestSupport
import XCTest

final class FaultSuiteTests: XCTestCase {
    func testFaultSuite() throws {
        let root = MPISweepTests.root
        let binary = MPISweepTests.binary
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary), "build the hpsearch product first (swift build --build-tests builds it)")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun"), "mpirun not found: apt-get install openmpi-bin (scripts/setup.sh)")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist"), "Fashion-MNIST not installed (scripts/setup.sh)")
        let (status, output) = try Subprocess.run("/bin/bash", [root.appendingPathComponent("scripts/faults.sh").path],
                                                  environment: ["HPSEARCH_BIN": binary], timeout: 1200)
        print(output)
        XCTAssertEqual(status, 0, "scripts/faults.sh failed:\n\(output)")
        XCTAssertTrue(output.contains(", 0 failed"), output)
        XCTAssertFalse(output.contains(" FAIL "), output)
    }
}
