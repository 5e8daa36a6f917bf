// The SLURM requeue test (scripts/slurm/test-requeue.sh) as part of `swift test`, so CI runs it:
// a one-node SLURM cluster on this machine (scripts/slurm/local-cluster.sh), a sweep submitted
// with scripts/slurm/sweep.sbatch and a wall time shorter than the sweep. SLURM's --signal warning
// stops it (rank 0 records the trials in flight as lost), the job requeues itself and resumes,
// until it ends COMPLETED with every trial once, each epoch once. Prints the script's output,
// with the measured requeue-to-resume time. See docs/slurm.md.
import Foundation
import TestSupport
import XCTest

final class SlurmTests: XCTestCase {
    func testASweepStoppedAtItsWallTimeRequeuesAndResumesToTheEnd() throws {
        let root = MPISweepTests.root
        let binary = MPISweepTests.binary
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary), "build the hpsearch product first (swift build --build-tests builds it)")
        try XCTSkipUnless(getuid() == 0, "needs root to install and start slurmctld/slurmd (CI runs as root): sudo swift test --filter SlurmTests")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun"), "mpirun not found: apt-get install openmpi-bin (scripts/setup.sh)")
        let python = try Subprocess.run("/usr/bin/env", ["python3", "-c", "import sqlite3"], timeout: 60)
        try XCTSkipUnless(python.status == 0, "python3 (with sqlite3) not found: the trials are examples/program/train.py")
        let script = root.appendingPathComponent("scripts/slurm/test-requeue.sh").path
        let started = Date()
        // Bounded: the script waits at most 12 min for the job; after 15 min it gets SIGTERM (its
        // trap stops the cluster), SIGKILL 15 s later.
        let (status, output) = try Subprocess.run("/bin/bash", [script], environment: ["HPSEARCH_BIN": binary], timeout: 900)
        print(output)
        let elapsed = Date().timeIntervalSince(started)
        if status == 2 {
            throw XCTSkip("scripts/slurm/test-requeue.sh could not run: \(output.split(separator: "\n").last ?? "")")
        }
        XCTAssertEqual(status, 0, "scripts/slurm/test-requeue.sh failed after \(Int(elapsed)) s:\n\(output)")
        XCTAssertTrue(output.contains("PASS: requeued"), output)
        let measured = output.split(separator: "\n").first { $0.hasPrefix("requeue-to-resume:") }
        XCTAssertNotNil(measured, "the script prints the requeue-to-resume time:\n\(output)")
        print("SlurmTests: \(measured ?? "no requeue-to-resume line"); \(Int(elapsed)) s in all")
    }
}
