// The multi-host test (scripts/cluster-test.sh) as part of `swift test`, so CI runs it: a head
// and 3 hosts as network namespaces, ranks started by a launch agent instead of ssh, every
// message over TCP; a sweep across them, then a host whose link is cut mid-sweep, with the
// default launch (the job ends, resume completes it) and with --keep-going (the sweep goes on).
import Foundation
import TestSupport
import XCTest

final class NetnsClusterTests: XCTestCase {
    func testSweepAcrossNetworkNamespacesSurvivesACutLink() throws {
        let root = MPISweepTests.root
        let binary = MPISweepTests.binary
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary), "build the hpsearch product first (swift build --build-tests builds it)")
        try XCTSkipUnless(getuid() == 0, "needs root to create network namespaces (CI runs as root): sudo swift test --filter NetnsClusterTests")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/sbin/ip"),
                          "ip not found: apt-get install iproute2")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun"), "mpirun not found: apt-get install openmpi-bin (scripts/setup.sh)")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist"), "Fashion-MNIST not installed (scripts/setup.sh)")
        let (status, output) = try Subprocess.run("/bin/bash", [root.appendingPathComponent("scripts/cluster-test.sh").path],
                                                  environment: ["HPSEARCH_BIN": binary], timeout: 900)
        print(output)
        XCTAssertEqual(status, 0, "scripts/cluster-test.sh failed:\n\(output)")
        for phase in ["sweep", "cut", "keep-going"] {
            XCTAssertTrue(output.contains("\n\(phase.padding(toLength: 10, withPad: " ", startingAt: 0)) PASS"), "\(phase) did not pass:\n\(output)")
        }
        XCTAssertTrue(output.contains("cluster test: all passed"), output)
    }
}
