// Faults survived in process: a worker that hangs is given up after the timeout and its trial
// runs elsewhere; a trial whose training throws or diverges is recorded with its message and
// the sweep goes on; a stop signal records the trials in flight as lost and resume finishes
// the sweep exactly; a soak of 2,000 trials with injected failures accounts for every trial.
import Cluster
import Datasets
import Foundation
import Search
import Storage
import TensorCore
import TestSupport
import XCTest
@testable import Coordinator
@testable import Training

final class FaultTests: XCTestCase {
    func testParsingFaultsAndClearErrors() throws {
        let parsed = try FaultInjection(parsing: "hang:3:2; throw:5; kill:*:4@2")
        XCTAssertEqual(parsed.faults, [.init(kind: .hang, trial: 3, epoch: 2), .init(kind: .throw, trial: 5),
                                       .init(kind: .kill, trial: nil, epoch: 4, rank: 2)])
        XCTAssertEqual(parsed.forRank(1).faults.count, 2)
        XCTAssertEqual(parsed.forRank(2).fault(trial: 7)?.kind, .kill, "* matches any trial")
        XCTAssertThrowsError(try FaultInjection(parsing: "hang:1@x")) { XCTAssertTrue("\($0)".contains("hang:1@x"), "\($0)") }
        XCTAssertThrowsError(try FaultInjection(parsing: "explode:1")) { XCTAssertTrue("\($0)".contains("KIND:TRIAL[:EPOCH]"), "\($0)") }
        XCTAssertThrowsError(try FaultInjection(parsing: "hang:x")) { XCTAssertTrue("\($0)".contains("hang:x"), "\($0)") }
    }

    /// Runs `spec` over `size` in-process ranks (see `InProcessSweep`) with a worker timeout.
    func sweep(_ spec: SweepSpec, size: Int, dir: TemporaryDirectory, name: String, timeout: Double? = nil,
               executor: @escaping @Sendable (_ rank: Int) -> any TrialExecutor) throws -> (SQLiteStore, SweepOutcome, [SweepEvent]) {
        try InProcessSweep.run(spec, size: size, dir: dir, name: name, configure: { $0.workerTimeout = timeout }, executor: executor)
    }

    func syntheticSpec(trials: Int, epochs: Int = 3) throws -> SweepSpec {
        try SweepSpec.parse(yaml: """
        name: faults
        seed: 3
        model: mlp
        budget: {trials: \(trials), max_epochs: \(epochs)}
        parameters:
          learning_rate: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-1}
          width: {distribution: int_uniform, min: 8, max: 100000}
        """, file: "faults.yaml", vocabulary: TrainingConfig.vocabulary)
    }

    func testAHungWorkerIsGivenUpAndItsTrialRunsOnAnotherRank() throws {
        let dir = try TemporaryDirectory(prefix: "faults")
        let spec = try syntheticSpec(trials: 8)
        let faults = FaultInjection([.init(kind: .hang, trial: nil, epoch: 1, rank: 2)])   // rank 2 hangs in its first trial
        let started = Date()
        let (store, outcome, events) = try sweep(spec, size: 4, dir: dir, name: "hang", timeout: 0.5) { rank in
            var t = SyntheticTrials(epochSeconds: 0.01)
            t.faults = faults.forRank(rank)
            return t
        }
        let trials = try store.trials()
        XCTAssertEqual(outcome.unresponsive, [2])
        XCTAssertEqual(trials.count, 8)
        XCTAssertTrue(trials.allSatisfy { $0.state == .completed }, "the lost trial ran again elsewhere: \(trials.map(\.state))")
        XCTAssertFalse(trials.contains { $0.rank == 2 }, "no trial is left on the silent rank")
        let lost = events.compactMap { e -> Int? in if case .trialLost(let t, 2, let why) = e, why.contains("worker timeout") { return t }; return nil }
        XCTAssertEqual(lost.count, 1, "\(events)")
        XCTAssertLessThan(Date().timeIntervalSince(started), 20, "given up after 0.5 s of silence, not hours")
        XCTAssertFalse(outcome.stopped)
    }

    func testAThrowingAndADivergingTrialAreRecordedAndTheSweepGoesOn() throws {
        let dir = try TemporaryDirectory(prefix: "faults")
        let spec = try SweepTests.spec(trials: 5, epochs: 4)
        let faults = FaultInjection([.init(kind: .throw, trial: 1, epoch: 1), .init(kind: .nan, trial: 3, epoch: 2)])
        let (store, _, _) = try sweep(spec, size: 3, dir: dir, name: "throw") { _ in
            var r = TrialRunner(spec: spec, data: SweepTests.data)
            r.faults = faults
            return r
        }
        let trials = try store.trials()
        XCTAssertEqual(trials.map(\.state), [.completed, .failed, .completed, .diverged, .completed])
        XCTAssertEqual(trials[1].message, "injected fault (HPSEARCH_FAULT): trial 1 throws")
        XCTAssertTrue(trials[3].message?.contains("nan") ?? false, "\(trials[3].message ?? "")")
        XCTAssertEqual(try store.epochs(trial: 3).count, 2, "the two epochs before the NaN weights are kept")
    }

    func testAStopRecordsTheTrialInFlightAsLostAndResumeFinishesExactly() throws {
        let dir = try TemporaryDirectory(prefix: "faults")
        let spec = try SweepTests.spec(trials: 4, epochs: 3)
        func open(_ name: String) throws -> (SweepCoordinator, SQLiteStore) {
            let run = RunDirectory(dir.file(name).path)
            if !run.exists { try run.create() }
            let store = try SQLiteStore(path: run.storePath)
            let c = SweepCoordinator(spec: spec, store: store, run: run)
            try c.prepare()
            return (c, store)
        }
        let (reference, referenceStore) = try open("reference")
        XCTAssertTrue(try LocalLoop(coordinator: reference, runner: TrialRunner(spec: spec, data: SweepTests.data)).run())

        let (first, store) = try open("stopped")
        var epochs = 0
        var loop = LocalLoop(coordinator: first, runner: TrialRunner(spec: spec, data: SweepTests.data))
        loop.shouldStop = { epochs += 1; return epochs >= 5 }   // during trial 1's second epoch
        XCTAssertFalse(try loop.run())
        XCTAssertEqual(try store.trials().map(\.state), [.completed, .lost])
        XCTAssertEqual(try store.trial(1)?.message, "the job was stopped while it ran (resume continues it)")

        let (resumed, _) = try open("stopped")
        XCTAssertTrue(try LocalLoop(coordinator: resumed, runner: TrialRunner(spec: spec, data: SweepTests.data)).run())
        let summary = { (s: SQLiteStore) in try s.trials().map { "\($0.index) \($0.state) " + (try s.epochs(trial: $0.index).map { String($0.validationLoss) }.joined(separator: ",")) } }
        XCTAssertEqual(try summary(store), try summary(referenceStore))
    }

    func testSoakOf2000TrialsWithInjectedFailuresAccountsForEveryTrial() throws {
        let dir = try TemporaryDirectory(prefix: "faults")
        let spec = try syntheticSpec(trials: 2000, epochs: 3)
        var rng = RNG(seed: 2026)
        var picked = Set<Int>()
        while picked.count < 20 { picked.insert(rng.int(below: 2000)) }   // 1% of the trials throw
        let throwing = picked.sorted()
        // …and two ranks stop answering mid-trial (each after a random epoch of its first trial).
        let faults = FaultInjection(throwing.map { .init(kind: .throw, trial: $0) }
                                    + [.init(kind: .hang, trial: nil, epoch: 2, rank: 3), .init(kind: .hang, trial: nil, epoch: 1, rank: 6)])
        let (store, outcome, _) = try sweep(spec, size: 9, dir: dir, name: "soak", timeout: 0.5) { rank in
            var t = SyntheticTrials()
            t.faults = faults.forRank(rank)
            return t
        }
        let trials = try store.trials()
        XCTAssertEqual(trials.map(\.index), Array(0..<2000), "every trial recorded once")
        XCTAssertEqual(outcome.unresponsive, [3, 6])
        XCTAssertEqual(trials.filter { $0.state == .failed }.map(\.index), throwing)
        XCTAssertTrue(trials.filter { $0.state == .failed }.allSatisfy { $0.message?.contains("injected fault") ?? false })
        XCTAssertEqual(trials.filter { $0.state == .completed }.count, 2000 - throwing.count, "the hung ranks' trials ran elsewhere")
        XCTAssertEqual(try store.allEpochs().count, trials.reduce(0) { $0 + $1.epochs }, "each epoch stored once")
    }
}
