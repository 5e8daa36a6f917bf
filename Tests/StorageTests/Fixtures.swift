// Records for the storage tests, and comparisons that allow for dates stored as unix seconds.
import Foundation
import Search
import Storage
import XCTest

enum Fixture {
    /// Every kind of value, with the edges JSON must carry exactly.
    static let configuration = Configuration([
        "layers": .int(3), "negative": .int(-7), "largest": .int(Int.max), "smallest": .int(Int.min),
        "learning_rate": .double(0.00123), "dropout": .double(0.25), "tiny": .double(.leastNonzeroMagnitude), "third": .double(1.0 / 3),
        "huge": .double(-1.7976931348623157e308), "optimizer": .string("adam"), "quoted": .string("1"),
        "text": .string("ünïcode ✓ \"quoted\" back\\slash / tab\t newline\n"), "empty": .string(""),
        "batch_norm": .bool(true), "augment": .bool(false),
    ])

    static let sweep = SweepRecord(name: "fashion-mlp", seed: UInt64.max, specText: "name: fashion-mlp\nseed: 7\n",
                                   createdAt: Date(timeIntervalSince1970: 1_760_000_000.123_456),
                                   environment: ["hosts": "node1,node2", "ranks": "8", "swift": "6.3", "empty": ""])

    /// A trial with every field set; `index` varies the values.
    static func fullTrial(_ index: Int, state: TrialState = .completed) -> TrialRecord {
        TrialRecord(index: index, configuration: configuration, seed: UInt64.max - UInt64(index), state: state, rank: 3,
                    epochs: 17, bestEpoch: 12, bestValue: 0.8912 + Double(index), bestValidationLoss: 0.3125,
                    bestValidationAccuracy: 0.8912, message: "patience ran out after epoch \(index)",
                    startedAt: Date(timeIntervalSince1970: 1_760_000_100.25 + Double(index)),
                    finishedAt: Date(timeIntervalSince1970: 1_760_000_999.987_654 + Double(index)))
    }

    /// A trial with only the required fields.
    static func trial(_ index: Int, state: TrialState = .pending) -> TrialRecord {
        TrialRecord(index: index, configuration: Configuration(["learning_rate": .double(0.01)]), seed: UInt64(bitPattern: Int64(index)) &* 0x9E37_79B9_7F4A_7C15,
                    state: state)
    }

    static func epoch(trial: Int, _ epoch: Int, loss: Double? = nil) -> EpochRecord {
        EpochRecord(trial: trial, epoch: epoch, trainLoss: loss ?? 2.3 / Double(epoch), trainAccuracy: 0.1 * Double(epoch % 10),
                    validationLoss: (loss ?? 2.3 / Double(epoch)) + 0.05, validationAccuracy: 0.09 * Double(epoch % 11),
                    learningRate: 1e-3 * Double(trial + 1), seconds: 1.5 + Double(epoch) / 7)
    }

    /// Two layers, NaN where a real record has it, and a probe of 2 examples × 3 classes.
    static func health(trial: Int, _ epoch: Int, gradient: Double = 0.5) -> EpochHealth {
        EpochHealth(trial: trial, epoch: epoch, loss: 2.25, layers: [
            LayerHealth(layer: 1, name: "dense", activation: "relu", parameters: 100, gradientNorm: gradient, weightNorm: 4,
                        updateRatio: epoch == 0 ? .nan : 1e-3, activationMean: 0.25, activationStd: 0.5, deadFraction: 0.125),
            LayerHealth(layer: 3, name: "dense", parameters: 30, gradientNorm: 0.75, weightNorm: .infinity, activationMean: -0.5, activationStd: 2),
        ], outputs: 3, probe: [0.25, 0.5, 0.25, 1, 0, .nan])
    }

    static func artifact(trial: Int, _ kind: String, path: String? = nil, checksum: UInt64 = 0xDEAD_BEEF) -> ArtifactRecord {
        ArtifactRecord(trial: trial, kind: kind, path: path ?? "trials/\(trial)/\(kind).bin", bytes: 1_234_567, checksum: checksum)
    }

    static func ensemble(id: Int = 0, method: String = "greedy", members: [Int] = [3, 1, 4]) -> EnsembleRecord {
        EnsembleRecord(id: id, method: method, members: members, weights: [0.5, 1.0 / 3, 1.0 / 6],
                       resultJSON: #"{"accuracy":0.9012,"ece":0.0123,"nll":0.281,"note":"ünïcode ✓"}"#,
                       createdAt: Date(timeIntervalSince1970: 1_760_001_234.5678))
    }
}

/// A body's own error, to check that transactions rethrow it unchanged.
struct Abort: Error, Equatable {}

/// Everything a store holds, for comparing whole stores (no NaNs in the records compared this way).
struct Snapshot: Equatable {
    var sweep: SweepRecord?
    var trials: [TrialRecord]
    var epochs: [EpochRecord]
    var artifacts: [ArtifactRecord]
    var ensembles: [EnsembleRecord]
    /// Health records as bytes (NaN compares equal to NaN there).
    var health: [[UInt8]]

    init(_ store: Store) throws {
        sweep = try store.sweep()
        trials = try store.trials()
        epochs = try store.allEpochs()
        artifacts = try trials.flatMap { try store.artifacts(trial: $0.index) }
        ensembles = try store.ensembles()
        health = try store.allHealth().map { $0.encoded() }
    }
}

/// Dates go through REAL unix seconds and may move by a fraction of a microsecond.
func assertClose(_ actual: Date?, _ expected: Date?, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    switch (actual, expected) {
    case (nil, nil): break
    case (let a?, let e?):
        XCTAssertEqual(a.timeIntervalSince1970, e.timeIntervalSince1970, accuracy: 1e-6, what, file: file, line: line)
    default:
        XCTFail("\(what): \(String(describing: actual)) is not \(String(describing: expected))", file: file, line: line)
    }
}

func assertSame(_ actual: TrialRecord?, _ expected: TrialRecord?, file: StaticString = #filePath, line: UInt = #line) {
    guard var actual, let expected else {
        return XCTAssertEqual(actual, expected, file: file, line: line)
    }
    assertClose(actual.startedAt, expected.startedAt, "startedAt", file: file, line: line)
    assertClose(actual.finishedAt, expected.finishedAt, "finishedAt", file: file, line: line)
    actual.startedAt = expected.startedAt
    actual.finishedAt = expected.finishedAt
    XCTAssertEqual(actual, expected, file: file, line: line)
}

func assertSame(_ actual: SweepRecord?, _ expected: SweepRecord?, file: StaticString = #filePath, line: UInt = #line) {
    guard var actual, let expected else {
        return XCTAssertEqual(actual, expected, file: file, line: line)
    }
    assertClose(actual.createdAt, expected.createdAt, "createdAt", file: file, line: line)
    actual.createdAt = expected.createdAt
    XCTAssertEqual(actual, expected, file: file, line: line)
}

func assertSame(_ actual: [EnsembleRecord], _ expected: [EnsembleRecord], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "ensembles", file: file, line: line)
    for (a, e) in zip(actual, expected) {
        var a = a
        assertClose(a.createdAt, e.createdAt, "createdAt", file: file, line: line)
        a.createdAt = e.createdAt
        XCTAssertEqual(a, e, file: file, line: line)
    }
}

/// Asserts that `body` throws a StoreError whose message contains every one of `fragments`.
func assertStoreError<T>(_ body: @autoclosure () throws -> T, contains fragments: String...,
                         file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("no error; expected one containing \(fragments)", file: file, line: line)
    } catch let error as StoreError {
        for fragment in fragments where !error.message.contains(fragment) {
            XCTFail("'\(error.message)' does not contain '\(fragment)'", file: file, line: line)
        }
    } catch {
        XCTFail("\(type(of: error)) \(error), not a StoreError", file: file, line: line)
    }
}
