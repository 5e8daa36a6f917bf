// End to end over the in-process world: rank 0's loop and worker loops on threads, a real
// SQLite store in a temporary run directory, synthetic data.
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

final class SweepTests: XCTestCase {
    static func blobs(_ n: Int, seed: UInt64) -> Dataset {
        var centres = RNG(seed: 99), rng = RNG(seed: seed)
        let mu = (0..<3).map { _ in centres.normalArray(8, std: 1.2) }
        var x: [Float] = [], y: [Int] = []
        for i in 0..<n { x += zip(mu[i % 3], rng.normalArray(8)).map { $0 + $1 }; y.append(i % 3) }
        return Dataset(features: x, labels: y, featureCount: 8, classCount: 3)
    }

    static let data = PreparedData(train: blobs(300, seed: 1), validation: blobs(150, seed: 2), test: blobs(150, seed: 3))

    static func spec(scheduler: String = "none", trials: Int = 6, epochs: Int = 4) throws -> SweepSpec {
        try SweepSpec.parse(yaml: """
        name: synthetic
        seed: 5
        data: {source: {idx: {dir: /unused}}, validation: 10}
        model: mlp
        budget: {trials: \(trials), max_epochs: \(epochs)}
        early_stopping:
          scheduler: {type: \(scheduler)\(scheduler == "asha" ? ", grace_epochs: 1, reduction_factor: 2" : "")}
        parameters:
          learning_rate: {distribution: log_uniform_values, min: 1.0e-4, max: 3.0e-2}
          width: {values: [8, 16, 32]}
          depth: {value: 1}
          batch_size: {value: 32}
        """, file: "synthetic.yaml", vocabulary: TrainingConfig.vocabulary)
    }

    /// Runs a sweep over `size` in-process ranks; returns the store.
    func sweep(_ spec: SweepSpec, size: Int, dir: TemporaryDirectory, name: String = "run") throws -> (SQLiteStore, RunDirectory) {
        let outcome = try InProcessSweep.train(spec, data: Self.data, size: size, dir: dir, name: name)
        XCTAssertEqual(outcome.status, .completed)
        return (outcome.store, outcome.run)
    }

    /// Per trial: configuration and per-epoch validation losses.
    func summary(_ store: SQLiteStore) throws -> [String] {
        try store.trials().map { t in
            "\(t.index) \(t.configuration) seed=\(t.seed) \(t.state.rawValue) " + (try store.epochs(trial: t.index).map { String($0.validationLoss) }.joined(separator: ","))
        }
    }

    func testARunningTrialsRowCatchesUpWithItsEpochsOnlyWhenTheProgressIntervalHasPassed() throws {
        let dir = try TemporaryDirectory(prefix: "progress")
        let run = RunDirectory(dir.file("run").path)
        try run.create()
        let store = try SQLiteStore(path: run.storePath)
        let coordinator = SweepCoordinator(spec: try Self.spec(trials: 1, epochs: 4), store: store, run: run)
        try coordinator.prepare()
        coordinator.progressWriteInterval = 3600
        let task = try XCTUnwrap(try coordinator.nextTask(for: 1))
        for (epoch, loss) in [(1, 0.9), (2, 0.7), (3, 0.8)] {
            _ = try coordinator.epoch(EpochRecord(trial: task.index, epoch: epoch, trainLoss: loss, trainAccuracy: 0.5, validationLoss: loss,
                                                  validationAccuracy: 0.5, learningRate: 1e-3, seconds: 1))
        }
        XCTAssertEqual(try store.epochs(trial: task.index).map(\.epoch), [1, 2, 3], "epoch rows are written at once")
        XCTAssertEqual(try store.trial(task.index)?.epochs, 0, "the trial's row waits for the interval")
        try coordinator.writeProgressIfDue()
        XCTAssertEqual(try store.trial(task.index)?.epochs, 0, "not due yet")
        coordinator.progressWriteInterval = 0
        try coordinator.writeProgressIfDue()
        let row = try XCTUnwrap(try store.trial(task.index))
        XCTAssertEqual(row.epochs, 3)
        XCTAssertEqual(row.bestEpoch, 2)
        XCTAssertEqual(row.bestValue, 0.7)
        XCTAssertEqual(row.state, .running)
    }

    func testAnEpochStateReplacedByAnUncommittedOneIsKeptForResume() throws {
        let dir = try TemporaryDirectory(prefix: "superseded")
        let run = RunDirectory(dir.file("run").path)
        try run.create()
        let store = try SQLiteStore(path: run.storePath)
        let coordinator = SweepCoordinator(spec: try Self.spec(trials: 1, epochs: 4), store: store, run: run)
        try coordinator.prepare()
        let task = try XCTUnwrap(try store.transaction { try coordinator.nextTask(for: 1) })
        try store.transaction { try coordinator.epochState(trial: task.index, epoch: 1, state: [1, 2, 3]) }
        coordinator.removeSupersededFiles()
        struct Crash: Error {}
        // Epoch 2's state is written but its transaction never commits (the process dies first).
        XCTAssertThrowsError(try store.transaction {
            try coordinator.epochState(trial: task.index, epoch: 2, state: [4, 5, 6])
            throw Crash()
        })
        let resumed = SweepCoordinator(spec: coordinator.spec, store: store, run: run)
        try resumed.prepare()
        let again = try XCTUnwrap(try resumed.nextTask(for: 1))
        XCTAssertEqual(try resumed.resumeState(for: again), [1, 2, 3], "the committed epoch-1 state is still on disk")
    }

    func testThreeRanksRecordEveryTrialAndItsArtifacts() throws {
        let dir = try TemporaryDirectory(prefix: "sweep")
        let (store, run) = try sweep(try Self.spec(), size: 3, dir: dir)
        let trials = try store.trials()
        XCTAssertEqual(trials.map(\.index), Array(0..<6))
        XCTAssertTrue(trials.allSatisfy { $0.state == .completed && $0.epochs == 4 }, "\(trials.map(\.state))")
        XCTAssertEqual(Set(trials.compactMap(\.rank)), [1, 2], "both workers trained")
        XCTAssertEqual(Set(trials.map(\.configuration)).count, 6, "no duplicate configurations")
        for t in trials {
            XCTAssertEqual(try store.epochs(trial: t.index).map(\.epoch), [1, 2, 3, 4])
            let kinds = try store.artifacts(trial: t.index).map(\.kind).sorted()
            XCTAssertEqual(kinds, ["checkpoint", "test_predictions", "validation_predictions"])
            let probs = TrialRunner.floats(try run.read(RunDirectory.trialFolder(t.index) + "/validation.f32"))
            XCTAssertEqual(probs.count, 150 * 3)
            // Workers report health at initialisation and after every epoch.
            let health = try store.health(trial: t.index)
            XCTAssertEqual(health.map(\.epoch), [0, 1, 2, 3, 4])
            XCTAssertTrue(health.allSatisfy { !$0.layers.isEmpty && $0.probeCount == 16 && $0.outputs == 3 })
        }
    }

    func testEventsAndProgressAccountForEveryTrialAndEpoch() throws {
        let dir = try TemporaryDirectory(prefix: "sweep")
        let spec = try Self.spec(scheduler: "asha", trials: 6, epochs: 4)
        let run = RunDirectory(dir.file("events").path)
        try run.create()
        let store = try SQLiteStore(path: run.storePath)
        let c = SweepCoordinator(spec: spec, store: store, run: run)
        try c.prepare()
        var events: [SweepEvent] = []
        var progress: [SweepProgress] = []
        c.onEvent = { [unowned c] e in events.append(e); progress.append(c.progress) }
        try LocalLoop(coordinator: c, runner: TrialRunner(spec: spec, data: Self.data)).run()
        let trials = try store.trials(), epochs = try store.allEpochs()
        let names = events.map { $0.json["event"] as? String ?? "?" }
        XCTAssertEqual(names.filter { $0 == "assigned" }.count, 6)
        XCTAssertEqual(names.filter { $0 == "finished" }.count, 6)
        XCTAssertEqual(names.filter { $0 == "epoch" }.count, epochs.count)
        let last = try XCTUnwrap(progress.last)
        XCTAssertEqual(last.done, 6)
        XCTAssertEqual(last.running, 0)
        XCTAssertEqual(last.epochs, epochs.count)
        XCTAssertEqual(last.finished, Dictionary(grouping: trials, by: \.state).mapValues(\.count))
        let best = try XCTUnwrap(trials.filter { $0.state.hasModel }.min { ($0.bestValue!, $0.index) < ($1.bestValue!, $1.index) })
        XCTAssertEqual(last.best?.trial, best.index)
        XCTAssertEqual(last.best?.value, best.bestValue)
        XCTAssertTrue(progress.map(\.done) == progress.map(\.done).sorted(), "done never goes down")
        XCTAssertTrue(events.contains { "\($0)".hasPrefix("trial 0 → rank 0: ") })
        // Rank 0 training alone records health too, pruned trials included, up to their last epoch.
        for t in trials { XCTAssertEqual(try store.health(trial: t.index).map(\.epoch), Array(0...t.epochs)) }
    }

    func testResultsDoNotDependOnTheNumberOfRanks() throws {
        let dir = try TemporaryDirectory(prefix: "sweep")
        let spec = try Self.spec()
        let one = try summary(sweep(spec, size: 1, dir: dir, name: "one").0)
        let two = try summary(sweep(spec, size: 2, dir: dir, name: "two").0)
        let three = try summary(sweep(spec, size: 3, dir: dir, name: "three").0)
        XCTAssertEqual(one, two)
        XCTAssertEqual(one, three)
    }

    func testASHAPrunesSomeTrialsAndMetricsMatchTheFullRunsForTheEpochsRun() throws {
        let dir = try TemporaryDirectory(prefix: "sweep")
        let asha = try Self.spec(scheduler: "asha", trials: 9, epochs: 4)
        let pruned = try sweep(asha, size: 3, dir: dir, name: "asha").0
        let full = try sweep(try Self.spec(trials: 9, epochs: 4), size: 1, dir: dir, name: "full").0
        let states = try pruned.trials().map(\.state)
        XCTAssertTrue(states.contains(.pruned), "\(states)")
        XCTAssertTrue(states.allSatisfy(\.isFinished))
        for t in try pruned.trials() {
            let a = try pruned.epochs(trial: t.index).map(\.validationLoss)
            let b = try full.epochs(trial: t.index).map(\.validationLoss)
            XCTAssertEqual(a, Array(b.prefix(a.count)), "trial \(t.index)")
            if t.state == .pruned { XCTAssertNotNil(t.message) }
        }
    }

    func testResumeAfterACrashRunsEveryTrialOnceAndEqualsAnUninterruptedRun() throws {
        let dir = try TemporaryDirectory(prefix: "sweep")
        let spec = try Self.spec()
        let reference = try summary(sweep(spec, size: 1, dir: dir, name: "reference").0)
        // A run that dies with trial 0 finished, trials 1 and 2 in flight.
        let run = RunDirectory(dir.file("crashed").path)
        try run.create()
        do {
            let store = try SQLiteStore(path: run.storePath)
            try store.setSweep(SweepRecord(name: spec.name, seed: spec.seed, specText: spec.text))
            let c = SweepCoordinator(spec: spec, store: store, run: run)
            try c.prepare()
            let runner = TrialRunner(spec: spec, data: Self.data)
            let t0 = try XCTUnwrap(c.nextTask(for: 1)), t1 = try XCTUnwrap(c.nextTask(for: 2))
            _ = try XCTUnwrap(c.nextTask(for: 1))
            let out = runner.run(t0) { r in (try? c.epoch(r)) ?? .stop(reason: "store error") }
            try c.finished(out.result, checkpoint: out.checkpoint, validationProbabilities: out.validationProbabilities, testProbabilities: out.testProbabilities)
            // Trial 1 dies during epoch 3, after rank 0 got epoch 2's report and state.
            _ = runner.run(t1, resumeState: [], saveState: { epoch, bytes in try? c.epochState(trial: t1.index, epoch: epoch, state: bytes) }) { r in
                guard r.epoch <= 2 else { return .stop(reason: "test") }
                _ = try? c.epoch(r)
                return .continue
            }
        }
        let store = try SQLiteStore(path: run.storePath)
        XCTAssertEqual(try store.trials().filter { $0.state == .running }.count, 2)
        let finishedBefore = try XCTUnwrap(store.trial(0)?.finishedAt)
        XCTAssertEqual(try store.artifacts(trial: 1).map(\.kind), ["epoch_state"])
        let c = SweepCoordinator(spec: spec, store: store, run: run)
        var events: [String] = []
        c.onEvent = { events.append("\($0)") }
        try c.prepare()
        try LocalLoop(coordinator: c, runner: TrialRunner(spec: spec, data: Self.data)).run()
        XCTAssertTrue(events.contains { $0.hasPrefix("trial 1 → rank 0 (resumed after epoch 2)") }, "\(events)")
        XCTAssertEqual(try summary(store), reference, "continuing from epoch 2's state is bit-identical to never stopping")
        XCTAssertFalse(try store.artifacts(trial: 1).contains { $0.kind == "epoch_state" }, "the state is dropped once the trial finishes")
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.url.appendingPathComponent("trials/00001/epoch-2.state").path))
        XCTAssertEqual(try store.trial(0)?.finishedAt, finishedBefore, "a finished trial is never retrained")
    }
}
