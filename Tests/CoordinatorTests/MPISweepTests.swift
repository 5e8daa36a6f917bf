// End to end with real mpirun: the hpsearch binary on a tiny CSV dataset, with 3 ranks, 2 ranks
// and none; a kill -9 of the whole job mid-sweep, then resume.
import Foundation
import Search
import Storage
import TestSupport
import XCTest

final class MPISweepTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary = root.appendingPathComponent(".build/debug/hpsearch").path

    var dir: TemporaryDirectory!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: Self.binary), "build the hpsearch product first (swift build --build-tests builds it)")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun"), "mpirun not found: apt-get install openmpi-bin (scripts/setup.sh)")
        dir = try TemporaryDirectory(prefix: "mpi-sweep")
        // Three noisy classes in 6 features: learnable, not trivially.
        let text = NoisyClassesCSV.text(rows: 1500, features: 6, separation: 0.8, noise: 2, seed: 12345)
        try text.write(to: dir.file("data.csv"), atomically: true, encoding: .utf8)
    }

    func writeSweep(scheduler: String, trials: Int = 8, epochs: Int = 4) throws -> String {
        let yaml = """
        name: tiny
        seed: 3
        data: {source: {csv: {path: data.csv, label: label, test_fraction: 0.2}}, validation: 0.2}
        model: mlp
        budget: {trials: \(trials), max_epochs: \(epochs)}
        early_stopping: {scheduler: {type: \(scheduler)\(scheduler == "asha" ? ", grace_epochs: 1, reduction_factor: 2" : "")}}
        parameters:
          learning_rate: {distribution: log_uniform_values, min: 1.0e-4, max: 3.0e-2}
          width: {values: [8, 16, 32]}
          depth: {values: [1, 2]}
          batch_size: {value: 64}
        """
        let path = dir.file("tiny-\(scheduler)-\(trials)-\(epochs).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs hpsearch (under mpirun with `ranks`, or directly when nil); returns exit status and output.
    @discardableResult
    func hpsearch(_ args: [String], ranks: Int?, wait: Bool = true) throws -> (Int32, String, Process) {
        // Bounded: a job that hangs fails its test after 300 s instead of hanging CI.
        let p = ranks.map { ranks in
            Subprocess.bounded("/usr/bin/mpirun", ["-np", "\(ranks)", "--oversubscribe", "--bind-to", "none",
                                                   "-x", "HPSEARCH_BLAS_THREADS", "-x", "HPSEARCH_STATE_INTERVAL"]
                                   + (getuid() == 0 ? ["--allow-run-as-root"] : []) + [Self.binary] + args, timeout: 300)
        } ?? Subprocess.bounded(Self.binary, args, timeout: 300)
        var env = ProcessInfo.processInfo.environment
        env["HPSEARCH_BLAS_THREADS"] = "1"
        env["HPSEARCH_STATE_INTERVAL"] = "0"   // an epoch state after every epoch: resume continues in-flight trials
        p.environment = env
        let out = dir.file("out-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        guard wait else { return (0, "", p) }
        p.waitUntilExit()
        return (p.terminationStatus, (try? String(contentsOf: out, encoding: .utf8)) ?? "", p)
    }

    /// Per trial: configuration, seed, state and per-epoch validation losses.
    func summary(_ run: String) throws -> [String] {
        let store = try SQLiteStore(path: run + "/sweep.db", readOnly: true)
        return try store.trials().map { t in
            "\(t.index) \(t.configuration) seed=\(t.seed) \(t.state.rawValue) "
                + (try store.epochs(trial: t.index).map { String($0.validationLoss) }.joined(separator: ","))
        }
    }

    func testSameResultsOnThreeRanksTwoRanksAndOne() throws {
        let sweep = try writeSweep(scheduler: "none")
        var results: [[String]] = []
        for (name, ranks) in [("np3", 3), ("np2", 2), ("alone", nil)] as [(String, Int?)] {
            let run = dir.file(name).path
            let (status, output, _) = try hpsearch(["run", sweep, "--dir", run, "--quiet"], ranks: ranks)
            XCTAssertEqual(status, 0, output)
            results.append(try summary(run))
        }
        XCTAssertEqual(results[0].count, 8)
        XCTAssertTrue(results[0].allSatisfy { $0.contains(" completed ") }, "\(results[0])")
        XCTAssertEqual(results[0], results[1])
        XCTAssertEqual(results[0], results[2])
        // Both workers of the 3-rank job trained.
        let store = try SQLiteStore(path: dir.file("np3").path + "/sweep.db", readOnly: true)
        XCTAssertEqual(Set(try store.trials().compactMap(\.rank)), [1, 2])
        XCTAssertEqual(try store.artifacts(trial: 0).count, 3)
    }

    func testASHAPrunesUnderMpirun() throws {
        let sweep = try writeSweep(scheduler: "asha", trials: 10)
        let run = dir.file("asha").path
        let (status, output, _) = try hpsearch(["run", sweep, "--dir", run], ranks: 3)
        XCTAssertEqual(status, 0, output)
        let store = try SQLiteStore(path: run + "/sweep.db", readOnly: true)
        let states = try store.trials().map(\.state)
        XCTAssertEqual(states.count, 10)
        XCTAssertTrue(states.contains(.pruned), "\(states)")
        XCTAssertTrue(output.contains("tiny: 10/10 trials"), output)
    }

    func testKillDashNineThenResumeFinishesEveryTrialOnce() throws {
        let sweep = try writeSweep(scheduler: "none", trials: 16, epochs: 6)
        let reference = dir.file("reference").path
        XCTAssertEqual(try hpsearch(["run", sweep, "--dir", reference, "--quiet"], ranks: nil).0, 0)
        let run = dir.file("killed").path
        let (_, _, job) = try hpsearch(["run", sweep, "--dir", run, "--quiet"], ranks: 3, wait: false)
        // Wait for the first finished trial, then kill the whole job without warning.
        let deadline = Date().addingTimeInterval(120)
        var finished = 0
        while Date() < deadline && job.isRunning {
            if let store = try? SQLiteStore(path: run + "/sweep.db", readOnly: true),
               let n = try? store.trials().filter({ $0.state.isFinished }).count { finished = n }
            if finished >= 2 { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let killer = Process()
        killer.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
        killer.arguments = ["-9", "-f", run]
        try killer.run()
        killer.waitUntilExit()
        kill(job.processIdentifier, SIGKILL)
        job.waitUntilExit()
        // A killed rank finishes the system call it is in (a WAL write may still land): read the
        // store only once no process of the job is left.
        while Date() < deadline {
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
            probe.arguments = ["-f", run]
            probe.standardOutput = FileHandle.nullDevice
            try probe.run()
            probe.waitUntilExit()
            if probe.terminationStatus != 0 { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let interrupted = try SQLiteStore(path: run + "/sweep.db", readOnly: true).trials()
        XCTAssertLessThan(interrupted.filter { $0.state.isFinished }.count, 16, "the job must die mid-sweep for this test to mean anything")
        let finishedBefore = interrupted.filter { $0.state.isFinished }.map { ($0.index, $0.finishedAt) }
        let killedStore = try SQLiteStore(path: run + "/sweep.db", readOnly: true)
        let withState = try interrupted.filter { t in
            guard !t.state.isFinished else { return false }
            return try killedStore.artifacts(trial: t.index).contains { $0.kind == "epoch_state" }
        }
        let (status, output, _) = try hpsearch(["resume", run], ranks: 2)
        XCTAssertEqual(status, 0, output)
        if !withState.isEmpty {
            XCTAssertTrue(output.contains("(resumed after epoch"), "an in-flight trial continues from its last epoch state: \(output)")
        }
        XCTAssertEqual(try summary(run), try summary(reference), "resume ends where an uninterrupted run ends")
        let after = try SQLiteStore(path: run + "/sweep.db", readOnly: true)
        for (index, date) in finishedBefore { XCTAssertEqual(try after.trial(index)?.finishedAt, date, "trial \(index) was retrained") }
    }

    func testImpossibleSweepIsRefusedBeforeAnyRankWorks() throws {
        let yaml = """
        name: too-small
        data: {source: {csv: {path: data.csv, label: label}}}
        model: mlp
        budget: {trials: 7, max_epochs: 2}
        parameters:
          width: {values: [8, 16, 32]}
          depth: {values: [1, 2]}
        """
        let path = dir.file("too-small.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let started = Date()
        let (status, output, _) = try hpsearch(["run", path, "--dir", dir.file("x").path], ranks: 3)
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(output.contains("6 distinct configurations"), output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("x").path + "/sweep.db"))
        XCTAssertLessThan(Date().timeIntervalSince(started), 60, "workers were released at once")
    }
}
