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
        // Once over the default transports (shared memory on one host) and once over TCP only,
        // as between hosts: there a large message needs its sender to keep calling MPI, so the
        // stalled sender really stalls, and rank 0 must still hear rank 2 at once.
        for btl in ["", "tcp,self"] {
            let (status, text) = try Subprocess.run(path, ["-np", "3", "--oversubscribe", "--bind-to", "none"] + (getuid() == 0 ? ["--allow-run-as-root"] : [])
                                                       + [binary.path, "selftest", "communicator"],
                                                    environment: btl.isEmpty ? [:] : ["OMPI_MCA_btl": btl], timeout: 120)
            XCTAssertEqual(status, 0, "btl \(btl): \(text)")
            XCTAssertTrue(text.contains("3 ranks: 50 messages and a 3.1 MB blob per worker, FIFO and intact"), text)
            XCTAssertTrue(text.contains("rank 1 stalled 3 s mid-message"), text)
            if btl == "tcp,self" {
                let late = text.firstMatch(of: /its message came in ([0-9.]+) s/).flatMap { Double($0.1) }
                XCTAssertGreaterThan(try XCTUnwrap(late, text), 2.5, "over TCP the stalled message should wait for its sender: \(text)")
            }
        }
    }
}
