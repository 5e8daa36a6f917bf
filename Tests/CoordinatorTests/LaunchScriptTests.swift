// scripts/launch.sh's exit status: mpirun --enable-recovery (launch.sh --keep-going) exits 0
// whatever its ranks do, so rank 0 writes its own status for launch.sh to return.
import Foundation
import TestSupport
import XCTest

extension MPISweepTests {
    func testLaunchKeepGoingReturnsRankZerosFailure() throws {
        let bad = dir.file("bad.yaml").path
        try "name: bad\nmodel: mlp\nbudget: {trials: 2}\nparameters:\n  width: {value: 8}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let good = try writeSweep(scheduler: "none", trials: 2, epochs: 1)
        let launch = Self.root.appendingPathComponent("scripts/launch.sh").path
        for (sweep, expected) in [(bad, Int32(1)), (good, Int32(0))] {
            let (status, output) = try Subprocess.run("/bin/bash", [launch, "-n", "3", "--oversubscribe", "--keep-going", "--",
                                                                   "run", sweep, "--dir", dir.file(UUID().uuidString).path, "--quiet"],
                                                      environment: ["HPSEARCH_BIN": Self.binary, "HPSEARCH_BLAS_THREADS": "1"], timeout: 300)
            XCTAssertEqual(status, expected, "\(sweep):\n\(output)")
            if expected != 0 { XCTAssertTrue(output.contains("missing required key 'max_epochs'"), output) }
        }
    }
}
