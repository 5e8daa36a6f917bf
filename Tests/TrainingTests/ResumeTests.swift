// Resumable training: a run restarted in a fresh Trainer from the state saved after epoch k
// continues exactly (bit for bit) as the uninterrupted run did; states of other runs are refused.
import Datasets
import Foundation
import NN
import Search
import TensorCore
import XCTest
@testable import Training

final class ResumeTests: XCTestCase {
    /// EpochRecord without the wall-clock fields, as exact bit patterns.
    static func exact(_ m: EpochRecord?) -> [UInt64]? {
        m.map { [UInt64($0.epoch), $0.trainLoss.bitPattern, $0.trainAccuracy.bitPattern, $0.validationLoss.bitPattern,
                 $0.validationAccuracy.bitPattern, $0.learningRate.bitPattern] }
    }

    static func weights(_ trainer: Trainer) -> [[UInt32]] {
        (trainer.model.namedParameters + trainer.model.namedBuffers).map { $0.1.data.map(\.bitPattern) }
    }

    struct Run {
        var result: TrainingResult
        var states: [Int: [UInt8]]
        var weights: [[UInt32]]
    }

    static func run(_ make: () throws -> Trainer, from state: [UInt8]? = nil) throws -> Run {
        let trainer = try make()
        var states: [Int: [UInt8]] = [:]
        let r = try trainer.train(resumingFrom: state, onEpochState: { states[$0] = $1 })
        return Run(result: r, states: states, weights: weights(trainer))
    }

    /// Runs uninterrupted, then resumes a fresh trainer from every saved epoch (or `only`), and
    /// checks that each resumed run ends exactly as the uninterrupted one.
    func assertResumesExactly(_ make: () throws -> Trainer, only: [Int]? = nil, expect outcome: TrialState,
                              file: StaticString = #filePath, line: UInt = #line) throws {
        let full = try Self.run(make)
        XCTAssertEqual(full.result.state, outcome, file: file, line: line)
        // Saving costs nothing in behaviour: the plain API trains the same run.
        let plain = try make()
        let p = plain.train()
        XCTAssertEqual(p.history.map(Self.exact), full.result.history.map(Self.exact), file: file, line: line)
        XCTAssertEqual(Self.weights(plain), full.weights, file: file, line: line)
        // A state after every epoch the run went on from.
        let continued = full.result.state == .completed ? full.result.history.count : full.result.history.count - 1
        XCTAssertEqual(full.states.keys.sorted(), Array(stride(from: 1, through: continued, by: 1)), file: file, line: line)

        for k in only ?? full.states.keys.sorted() {
            let saved = try XCTUnwrap(full.states[k], "no state after epoch \(k)", file: file, line: line)
            XCTAssertEqual(try TrainingState.decode(saved).epoch, k, file: file, line: line)
            let resumed = try Self.run(make, from: saved)
            let r = resumed.result, f = full.result
            XCTAssertEqual(r.history.map(Self.exact), f.history.map(Self.exact), "history, resumed after epoch \(k)", file: file, line: line)
            XCTAssertEqual(Self.exact(r.best), Self.exact(f.best), "best, resumed after epoch \(k)", file: file, line: line)
            XCTAssertEqual(r.state, f.state, "outcome, resumed after epoch \(k)", file: file, line: line)
            XCTAssertEqual(r.message, f.message, "divergence reason, resumed after epoch \(k)", file: file, line: line)
            XCTAssertEqual(r.initialLoss.bitPattern, f.initialLoss.bitPattern, file: file, line: line)
            XCTAssertEqual(resumed.weights, full.weights, "final weights, resumed after epoch \(k)", file: file, line: line)
            // The resumed run saves the same states after the resume point (all but wall times).
            for (epoch, bytes) in resumed.states {
                let a = try TrainingState.decode(bytes), b = try TrainingState.decode(try XCTUnwrap(full.states[epoch]))
                XCTAssertEqual(a.model, b.model, "state after epoch \(epoch)", file: file, line: line)
                XCTAssertEqual(a.optimizer, b.optimizer, file: file, line: line)
                XCTAssertEqual(a.bestSnapshot, b.bestSnapshot, file: file, line: line)
                XCTAssertEqual([a.step, a.sinceImprovement], [b.step, b.sinceImprovement], file: file, line: line)
            }
            XCTAssertEqual(resumed.states.keys.sorted(), full.states.keys.sorted().filter { $0 > k }, file: file, line: line)
        }
    }

    func testMLPWithDropoutBatchNormAndAdamResumesExactly() throws {
        var c = Fixtures.mlp(width: 32, depth: 2)
        c.dropout = 0.3
        c.batchNorm = true
        c.optimizer = .adam
        c.weightDecay = 1e-4
        try assertResumesExactly({ try Trainer(config: c, data: Fixtures.blobData(), seed: 7, maxEpochs: 5) }, expect: .completed)
    }

    func testSGDWithMomentumAndAScheduleResumesExactly() throws {
        var c = Fixtures.mlp()
        c.optimizer = .sgd
        c.momentum = 0.9
        c.nesterov = true
        c.learningRate = 0.05
        c.schedule = .cosine
        c.warmupEpochs = 1
        c.clipNorm = 1
        c.labelSmoothing = 0.1
        c.dropout = 0.2
        try assertResumesExactly({ try Trainer(config: c, data: Fixtures.blobData(), seed: 3, maxEpochs: 5) }, expect: .completed)
    }

    func testPatienceThatTriggersAfterTheResumePoint() throws {
        // The setting of TrainerTests' patience test: the validation loss bottoms out early.
        var c = Fixtures.mlp(width: 64, lr: 3e-2)
        c.batchSize = 8
        c.dropout = 0.1
        var data = Fixtures.blobData(train: 60)
        data.validation = Fixtures.blobs(count: 300, spread: 0.6, seed: 7)
        data.train = Fixtures.blobs(count: 60, spread: 0.6, seed: 8)
        let make = { try Trainer(config: c, data: data, seed: 2, maxEpochs: 60, patience: 3) }
        let full = try Self.run(make)
        XCTAssertEqual(full.result.state, .earlyStopped)
        let best = try XCTUnwrap(full.result.best).epoch
        // Resume before the best epoch, at it, and after it with the patience counter running
        // (the best weights then travel in the state separately from the current ones).
        let last = full.result.history.count - 1
        XCTAssertEqual(try TrainingState.decode(full.states[last]!).sinceImprovement, 2)
        XCTAssertNotNil(try TrainingState.decode(full.states[last]!).bestSnapshot)
        XCTAssertNil(try TrainingState.decode(full.states[best]!).bestSnapshot)
        try assertResumesExactly(make, only: Array(Set([1, best, best + 1, last])).sorted(), expect: .earlyStopped)
    }

    func testPrunedRunsAndMaximisedMetricsResumeExactly() throws {
        let make = { try Trainer(config: Fixtures.mlp(), data: Fixtures.blobData(), seed: 1, maxEpochs: 6,
                                 metric: MetricSpec(name: "val_accuracy", goal: .maximize)) }
        let trainer = try make()
        var states: [Int: [UInt8]] = [:]
        let full = try trainer.train(resumingFrom: nil, onEpochState: { states[$0] = $1 }) { $0.epoch == 4 ? .stop(reason: "test") : .continue }
        XCTAssertEqual(full.state, .pruned)
        XCTAssertEqual(states.keys.sorted(), [1, 2, 3], "no state after the epoch that was pruned")
        let resumed = try make()
        let r = try resumed.train(resumingFrom: states[2], reporter: { $0.epoch == 4 ? .stop(reason: "test") : .continue })
        XCTAssertEqual(r.state, .pruned)
        XCTAssertEqual(r.history.map(Self.exact), full.history.map(Self.exact))
        XCTAssertEqual(Self.weights(resumed), Self.weights(trainer))
    }

    func testCNNWithAugmentationResumesExactly() throws {
        var c = Fixtures.cnn()
        c.batchNorm = true
        c.augment = .flipShift
        c.dropout = 0.25
        c.optimizer = .adamw
        c.weightDecay = 0.01
        try assertResumesExactly({ try Trainer(config: c, data: Fixtures.imageData(), seed: 5, maxEpochs: 3) }, only: [1],
                                 expect: .completed)
    }

    func testAStateAfterTheLastEpochJustFinishes() throws {
        let make = { try Trainer(config: Fixtures.mlp(), data: Fixtures.blobData(), seed: 4, maxEpochs: 3) }
        let full = try Self.run(make)
        let again = try Self.run(make, from: full.states[3])
        XCTAssertEqual(again.result.state, .completed)
        XCTAssertEqual(again.result.history.map(Self.exact), full.result.history.map(Self.exact))
        XCTAssertEqual(again.weights, full.weights)
        XCTAssertTrue(again.states.isEmpty)
        XCTAssertGreaterThanOrEqual(again.result.seconds, try TrainingState.decode(full.states[3]!).seconds)
    }

    // MARK: Refusals

    func assertRefused(_ state: [UInt8], by trainer: Trainer, field: String, mentioning text: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        let before = Self.weights(trainer)
        XCTAssertThrowsError(try trainer.train(resumingFrom: state, source: "trial-3.state"), file: file, line: line) { error in
            guard case .incompatibleState(let path, let f, _, _)? = error as? CheckpointError else {
                return XCTFail("expected incompatibleState, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(path, "trial-3.state", file: file, line: line)
            XCTAssertEqual(f, field, file: file, line: line)
            XCTAssertTrue("\(error)".contains(text), "\(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains("trial-3.state"), file: file, line: line)
        }
        XCTAssertEqual(Self.weights(trainer), before, "a refused state leaves the model alone", file: file, line: line)
    }

    func testStatesOfOtherRunsAreRefusedClearly() throws {
        let data = Fixtures.blobData()
        var states: [Int: [UInt8]] = [:]
        _ = try Trainer(config: Fixtures.mlp(width: 32), data: data, seed: 1, maxEpochs: 3)
            .train(resumingFrom: nil, onEpochState: { states[$0] = $1 })
        let state = try XCTUnwrap(states[1])

        // Another architecture: the first layer's weight has another shape.
        assertRefused(state, by: try Trainer(config: Fixtures.mlp(width: 64), data: data, seed: 1, maxEpochs: 3),
                      field: "architecture", mentioning: "0.weight [10, 32]")
        var deeper = Fixtures.mlp(width: 32)
        deeper.dropout = 0.5
        assertRefused(state, by: try Trainer(config: deeper, data: data, seed: 1, maxEpochs: 3),
                      field: "architecture", mentioning: "2.weight")
        // Same architecture, another seed, configuration or budget.
        assertRefused(state, by: try Trainer(config: Fixtures.mlp(width: 32), data: data, seed: 2, maxEpochs: 3),
                      field: "seed", mentioning: "seed is 1 in the state but 2")
        assertRefused(state, by: try Trainer(config: Fixtures.mlp(width: 32, lr: 0.01), data: data, seed: 1, maxEpochs: 3),
                      field: "configuration", mentioning: "learningRate")
        var sgd = Fixtures.mlp(width: 32)
        sgd.optimizer = .sgd
        assertRefused(state, by: try Trainer(config: sgd, data: data, seed: 1, maxEpochs: 3),
                      field: "configuration", mentioning: "optimizer = sgd")
        assertRefused(state, by: try Trainer(config: Fixtures.mlp(width: 32), data: data, seed: 1, maxEpochs: 4),
                      field: "settings", mentioning: "maxEpochs = 3")
        assertRefused(state, by: try Trainer(config: Fixtures.mlp(width: 32), data: data, seed: 1, maxEpochs: 3, patience: 2),
                      field: "settings", mentioning: "patience")
    }

    func testCorruptAndForeignFilesAreTypedErrors() throws {
        let data = Fixtures.blobData()
        let make = { try Trainer(config: Fixtures.mlp(), data: data, seed: 1, maxEpochs: 2) }
        var states: [Int: [UInt8]] = [:]
        let owner = try make()
        _ = try owner.train(resumingFrom: nil, onEpochState: { states[$0] = $1 })
        let state = try XCTUnwrap(states[1])

        func assertError(_ bytes: [UInt8], _ check: (CheckpointError) -> Bool, line: UInt = #line) throws {
            XCTAssertThrowsError(try make().train(resumingFrom: bytes, source: "s"), line: line) { error in
                guard let e = error as? CheckpointError else { return XCTFail("untyped \(error)", line: line) }
                XCTAssertTrue(check(e), "\(e)", line: line)
            }
        }
        var flipped = state
        flipped[flipped.count / 2] ^= 0x10
        try assertError(flipped) { $0 == .checksumMismatch(path: "s") }
        try assertError(Array(state.prefix(100))) { if case .truncated = $0 { return true } else { return false } }
        // A model checkpoint is not a training state.
        try assertError(Checkpoint(layer: owner.model).encoded()) { $0 == .missingMetadata(path: "s", key: "format") }
        // A well-formed file whose optimizer state lacks a tensor.
        var decoded = try TrainingState.decode(state)
        decoded.optimizer.removeLast()
        try assertError(decoded.encoded()) { if case .missingEntry(_, let name) = $0 { return name.hasPrefix("adam.v.") } else { return false } }
        // A history that does not match the epoch.
        decoded = try TrainingState.decode(state)
        decoded.epoch = 2
        try assertError(decoded.encoded()) { if case .invalidMetadata(_, "history", _) = $0 { return true } else { return false } }
    }

    // MARK: Encoding

    func testStateRoundTripsExactly() throws {
        var states: [Int: [UInt8]] = [:]
        var c = Fixtures.mlp()
        c.dropout = 0.3
        _ = try Trainer(config: c, data: Fixtures.blobData(), seed: 1, maxEpochs: 2).train(resumingFrom: nil, onEpochState: { states[$0] = $1 })
        var state = try TrainingState.decode(try XCTUnwrap(states[2]))
        XCTAssertEqual(try TrainingState.decode(state.encoded()), state)
        XCTAssertEqual(state.model.filter { $0.name.hasPrefix("rng:") }.map(\.name), ["rng:2.mask"])
        XCTAssertTrue(state.optimizer.contains { $0.name == "adam.step" })
        // The metrics' doubles survive the JSON exactly, whatever their bits.
        var rng = RNG(seed: 42)
        state.history = state.history.map { m in
            var m = m
            func random() -> Double {
                var d: Double
                repeat { d = Double(bitPattern: rng.nextUInt64()) } while !d.isFinite
                return d
            }
            (m.trainLoss, m.trainAccuracy, m.validationLoss, m.validationAccuracy, m.learningRate, m.seconds, m.examplesPerSecond) =
                (random(), random(), random(), random(), random(), random(), random())
            return m
        }
        state.best = state.history[0]
        state.bestSnapshot = state.bestWeights!.entries
        state.initialLoss = .nan
        let back = try TrainingState.decode(state.encoded())
        XCTAssertEqual(back.history.map { [$0.trainLoss, $0.trainAccuracy, $0.validationLoss, $0.validationAccuracy,
                                           $0.learningRate, $0.seconds, $0.examplesPerSecond].map(\.bitPattern) },
                       state.history.map { [$0.trainLoss, $0.trainAccuracy, $0.validationLoss, $0.validationAccuracy,
                                            $0.learningRate, $0.seconds, $0.examplesPerSecond].map(\.bitPattern) })
        XCTAssertEqual(back.initialLoss.bitPattern, Double.nan.bitPattern)
        XCTAssertEqual(back.bestSnapshot, state.bestSnapshot)
    }

    /// The size of the state for the 784-512-512-10 MLP with Adam: 3 copies of the parameters
    /// (weights, m, v) when the last epoch is the best, 4 when the best weights differ.
    func testStateSizeOfAFashionMNISTSizedMLP() throws {
        var data = PreparedData(train: Fixtures.blobs(count: 20, classes: 10, features: 784, seed: 1),
                                validation: Fixtures.blobs(count: 10, classes: 10, features: 784, seed: 2),
                                test: Fixtures.blobs(count: 10, classes: 10, features: 784, seed: 3))
        data.normalise()
        var c = TrainingConfig(model: .mlp)
        c.width = 512
        c.depth = 2
        c.batchSize = 10
        let trainer = try Trainer(config: c, data: data, seed: 1, maxEpochs: 1)
        trainer.maxBatchesPerEpoch = 1
        XCTAssertEqual(trainer.cost.parameters, 669_706)
        var bytes: [UInt8] = []
        _ = try trainer.train(resumingFrom: nil, onEpochState: { bytes = $1 })
        var state = try TrainingState.decode(bytes)
        let floats = 3 * 669_706
        XCTAssertGreaterThan(bytes.count, 4 * floats)
        XCTAssertLessThan(bytes.count, 4 * floats + 8_192, "beyond the floats: names, shapes and metadata only")
        // Storing the best weights separately adds their entries (and best_snapshot "current"
        // becomes "stored", a byte shorter).
        let best = state.bestWeights!.entries
        let withBest = bytes.count - 1 + best.reduce(0) { $0 + 4 + "best/\($1.name)".utf8.count + 4 + 8 * $1.shape.count + 4 * $1.data.count }
        state.bestSnapshot = best
        XCTAssertEqual(state.encoded().count, withBest)
        XCTAssertGreaterThan(withBest, 4 * 4 * 669_706)
        XCTAssertLessThan(withBest, 4 * 4 * 669_706 + 8_192)
        print("784-512-512-10 MLP + Adam training state: \(bytes.count) bytes (best = last epoch), \(withBest) bytes (best stored separately)")
    }
}
