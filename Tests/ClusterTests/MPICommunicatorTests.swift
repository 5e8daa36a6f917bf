// The same contract over a real `mpirun`: the test launches the hpsearch binary's hidden
// `selftest communicator` under mpirun with 3 ranks (oversubscribed) and checks its report.
import Foundation
import TestSupport
import XCTest

final class MPICommunicatorTests: XCTestCase {
    func testContractUnderMpirun() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let binary = root.appendingPathComponent(".build/debug/hpsearch")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary.path), "build the hpsearch product first (swift build --build-tests builds it)")
        let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let path = try XCTUnwrap(mpirun, "mpirun not found: apt-get install openmpi-bin (scripts/setup.sh)")
        let (status, text) = try Subprocess.run(path, ["-np", "3", "--oversubscribe", "--bind-to", "none"] + (getuid() == 0 ? ["--allow-run-as-root"] : [])
                                                   + [binary.path, "selftest", "communicator"])
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("3 ranks: 50 messages and a 3.1 MB blob per worker, FIFO and intact"), text)
    }
}
