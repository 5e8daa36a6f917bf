// Resumable state below the trainer: RNG positions, exact integer entries, optimizer state
// (Adam, AdamW, SGD with and without momentum) and dropout streams survive a save and restore
// into fresh objects, and the restored run continues bit for bit; malformed state is refused.
import Foundation
import TestSupport
import XCTest
import TensorCore
import NN

final class ResumableStateTests: XCTestCase {
    // MARK: RNG

    func testRestoredGeneratorContinuesTheSameSequence() {
        var rng = RNG(seed: 0xDEAD_BEEF, stream: 7).derived(stream: 3)
        // Every position inside a block (0–3 unread outputs), and a mix of draw kinds.
        for skip in 0..<9 {
            for _ in 0..<skip { _ = rng.nextUInt32() }
            let saved = rng.state
            XCTAssertEqual(saved.count, 4)
            var restored = RNG(state: saved)!
            XCTAssertEqual(restored.state, saved)
            XCTAssertEqual(restored.counter, rng.counter)
            var original = rng
            XCTAssertEqual((0..<37).map { _ in restored.nextUInt32() }, (0..<37).map { _ in original.nextUInt32() }, "after \(skip)")
            XCTAssertEqual(restored.normalArray(5), original.normalArray(5))
            XCTAssertEqual(restored.permutation(20), original.permutation(20))
            var da = restored.derived(stream: 9), db = original.derived(stream: 9)
            XCTAssertEqual(da.nextUInt64(), db.nextUInt64())
            XCTAssertEqual(restored.state, original.state)
        }
    }

    func testInvalidGeneratorStatesAreRejected() {
        XCTAssertNil(RNG(state: []))
        XCTAssertNil(RNG(state: [1, 2, 3]))
        XCTAssertNil(RNG(state: [1, 2, 3, 5]))
        XCTAssertNil(RNG(state: [1, 2, 3, 4, 5]))
        XCTAssertNotNil(RNG(state: [1, 2, 3, 4]))
    }

    // MARK: Integer entries

    func testIntegerEntriesAreExactBeyondFloatPrecision() throws {
        let words: [UInt64] = [0, 1, 1 << 24 + 1, 65_535, 65_536, UInt64(Int.max), .max, 0x0123_4567_89AB_CDEF]
        let e = Checkpoint.Entry(name: "n", integers: words)
        XCTAssertEqual(e.shape, [words.count, 4])
        XCTAssertEqual(try e.integers(), words)
        XCTAssertEqual(try e.integers(count: words.count), words)
        // Through the file format too.
        let decoded = try Checkpoint.decode(Checkpoint(entries: [e]).encoded())
        XCTAssertEqual(try decoded.entries[0].integers(), words)

        XCTAssertThrowsError(try e.integers(count: 2, source: "s")) { error in
            XCTAssertEqual(error as? CheckpointError, .shapeMismatch(path: "s", name: "n", expected: [2, 4], found: [words.count, 4]))
        }
        for bad: Float in [-1, 65_536, 0.5, .nan] {
            var broken = Checkpoint.Entry(name: "n", integers: [7])
            broken.data[2] = bad
            XCTAssertThrowsError(try broken.integers(source: "s")) { error in
                guard case .invalidEntry(let path, let name, _)? = error as? CheckpointError else { return XCTFail("\(bad): \(error)") }
                XCTAssertEqual(path, "s")
                XCTAssertEqual(name, "n")
            }
        }
    }

    // MARK: Optimizers

    /// A model with every kind of state: weights, batch-norm buffers and a dropout stream.
    static func makeModel(seed: UInt64) -> Sequential {
        var rng = RNG(seed: seed)
        return Sequential(Dense(6, 16, rng: &rng), BatchNorm(features: 16), Activation(.relu),
                          Dropout(rate: 0.3, rng: &rng), Dense(16, 3, rng: &rng))
    }

    static var inputs: Tensor { var r = RNG(seed: 11); return Tensor.normal([32, 6], rng: &r) }
    static let labels: [Int] = { var r = RNG(seed: 12); return (0..<32).map { _ in r.int(below: 3) } }()

    /// Steps `first..<first + count`, each on its own batch (a function of the step only).
    static func train(_ model: Sequential, _ optimizer: any Optimizer, steps: Range<Int>) {
        model.isTraining = true
        for i in steps {
            var r = RNG(seed: 13, stream: UInt64(i))
            let rows = Array(r.permutation(32).prefix(8))
            model.zeroGrad()
            Loss.softmaxCrossEntropy(model(inputs.rows(rows)), labels: rows.map { labels[$0] }).backward()
            optimizer.learningRate = 0.01 * Float(1 + i % 3)   // a changing rate, as schedules do
            optimizer.step(model.parameters)
        }
    }

    static func state(_ model: Sequential) -> [[Float]] {
        model.parameters.map(\.data) + model.namedBuffers.map(\.1.data)
    }

    /// 5 steps, save (through the file format), 5 more; a fresh model and optimizer restored from
    /// the save and stepped 5 more times must end identical.
    func assertRoundTrip(_ make: () -> any Optimizer, file: StaticString = #filePath, line: UInt = #line) throws {
        let model = Self.makeModel(seed: 1), optimizer = make()
        Self.train(model, optimizer, steps: 0..<5)
        func prefixed(_ p: String, _ es: [Checkpoint.Entry]) -> [Checkpoint.Entry] { es.map { var e = $0; e.name = p + e.name; return e } }
        let saved = Checkpoint(entries: prefixed("w/", Checkpoint(layer: model).entries) + prefixed("r/", model.randomStateEntries())
                                   + prefixed("o/", optimizer.stateEntries(for: model.parameters))).encoded()
        Self.train(model, optimizer, steps: 5..<10)

        let checkpoint = try Checkpoint.decode(saved)
        func group(_ p: String) -> [Checkpoint.Entry] {
            checkpoint.entries.filter { $0.name.hasPrefix(p) }.map { var e = $0; e.name.removeFirst(p.count); return e }
        }
        func fresh(restoringOptimizer: Bool) throws -> (Sequential, any Optimizer) {
            let m = Self.makeModel(seed: 99), o = make()
            try Checkpoint(entries: group("w/")).restore(into: m)
            try m.restoreRandomStates(group("r/"))
            if restoringOptimizer { try o.restoreState(group("o/"), for: m.parameters) }
            return (m, o)
        }
        let (resumed, restored) = try fresh(restoringOptimizer: true)
        XCTAssertEqual(restored.stepCount, 5, file: file, line: line)
        Self.train(resumed, restored, steps: 5..<10)
        XCTAssertEqual(restored.stepCount, optimizer.stepCount, file: file, line: line)
        XCTAssertEqual(Self.state(resumed), Self.state(model), "restored run differs", file: file, line: line)
        XCTAssertEqual(restored.stateEntries(for: resumed.parameters), optimizer.stateEntries(for: model.parameters), file: file, line: line)

        // Not vacuous: without the optimizer's state the run goes elsewhere.
        let (amnesiac, blank) = try fresh(restoringOptimizer: false)
        Self.train(amnesiac, blank, steps: 5..<10)
        XCTAssertNotEqual(Self.state(amnesiac), Self.state(model), file: file, line: line)
    }

    func testAdamStateRoundTrip() throws {
        try assertRoundTrip { Adam(learningRate: 0.01, weightDecay: 1e-3) }
        try assertRoundTrip { Adam.adamW(learningRate: 0.01) }
    }

    func testSGDStateRoundTrip() throws {
        try assertRoundTrip { SGD(learningRate: 0.05, momentum: 0.9, weightDecay: 1e-4) }
        try assertRoundTrip { SGD(learningRate: 0.05, momentum: 0.9, nesterov: true) }
    }

    func testPlainSGDHasOnlyAStepCount() throws {
        let model = Self.makeModel(seed: 1), sgd = SGD(learningRate: 0.1)
        Self.train(model, sgd, steps: 0..<3)
        let entries = sgd.stateEntries(for: model.parameters)
        XCTAssertEqual(entries.map(\.name), ["sgd.step"])
        let other = SGD(learningRate: 0.1)
        try other.restoreState(entries, for: model.parameters)
        XCTAssertEqual(other.stepCount, 3)
    }

    func testStateBeforeTheFirstStepIsZeroMoments() throws {
        let model = Self.makeModel(seed: 1), adam = Adam()
        let entries = adam.stateEntries(for: model.parameters)
        XCTAssertEqual(entries.count, 1 + 2 * model.parameters.count)
        XCTAssertTrue(entries.dropFirst().allSatisfy { $0.data.allSatisfy { $0 == 0 } })
        XCTAssertEqual(entries.map(\.name).prefix(3), ["adam.step", "adam.m.0", "adam.v.0"])
        try Adam().restoreState(entries, for: model.parameters)
    }

    func testStepCountsBeyondFloatPrecisionRestoreExactly() throws {
        let model = Self.makeModel(seed: 1), adam = Adam(), sgd = SGD(learningRate: 0.1, momentum: 0.5)
        for (o, prefix) in [(adam as any Optimizer, "adam"), (sgd, "sgd")] {
            var entries = o.stateEntries(for: model.parameters)
            entries[0] = Checkpoint.Entry(name: "\(prefix).step", integers: [16_777_217])
            try o.restoreState(entries, for: model.parameters)
            XCTAssertEqual(o.stepCount, 16_777_217)
            XCTAssertEqual(try o.stateEntries(for: model.parameters)[0].integers(), [16_777_217])
        }
    }

    func testMismatchedOptimizerStateIsRefusedAndChangesNothing() throws {
        let model = Self.makeModel(seed: 1), adam = Adam(learningRate: 0.01)
        Self.train(model, adam, steps: 0..<2)
        let good = adam.stateEntries(for: model.parameters)
        let before = good

        func assertRefused(_ entries: [Checkpoint.Entry], for parameters: [Tensor], _ expected: CheckpointError,
                           line: UInt = #line) {
            XCTAssertThrowsError(try adam.restoreState(entries, for: parameters), line: line) { error in
                XCTAssertEqual(error as? CheckpointError, expected, line: line)
                XCTAssertFalse("\(error)".isEmpty)
            }
            XCTAssertEqual(adam.stepCount, 2, line: line)
            XCTAssertEqual(adam.stateEntries(for: model.parameters), before, line: line)
        }
        // Another architecture: the first weight is [6, 16] here and [6, 8] there.
        var rng = RNG(seed: 3)
        let narrow = Sequential(Dense(6, 8, rng: &rng), BatchNorm(features: 8), Activation(.relu), Dense(8, 3, rng: &rng))
        assertRefused(good, for: narrow.parameters,
                      .shapeMismatch(path: "Adam state", name: "adam.m.0", expected: [6, 8], found: [6, 16]))
        assertRefused(Array(good.dropLast()), for: model.parameters, .missingEntry(path: "Adam state", name: "adam.v.5"))
        assertRefused(good + [Checkpoint.Entry(name: "adam.m.9", shape: [1], data: [0])], for: model.parameters,
                      .unexpectedEntry(path: "Adam state", name: "adam.m.9"))
        assertRefused(good + [good[1]], for: model.parameters, .unexpectedEntry(path: "Adam state", name: "adam.m.0"))
        // Another optimizer's state.
        let sgd = SGD(learningRate: 0.1, momentum: 0.9)
        assertRefused(sgd.stateEntries(for: model.parameters), for: model.parameters, .missingEntry(path: "Adam state", name: "adam.step"))
        XCTAssertThrowsError(try sgd.restoreState(good, for: model.parameters)) { error in
            XCTAssertEqual(error as? CheckpointError, .missingEntry(path: "SGD state", name: "sgd.step"))
        }
        // A step count that is not an integer.
        var corrupt = good
        corrupt[0].data[0] = 0.5
        XCTAssertThrowsError(try adam.restoreState(corrupt, for: model.parameters)) { error in
            guard case .invalidEntry(_, "adam.step", _)? = error as? CheckpointError else { return XCTFail("\(error)") }
        }
    }

    // MARK: Dropout streams

    func testDropoutStreamsOfNestedModelsRoundTrip() throws {
        func make(_ seed: UInt64) -> Sequential {
            var rng = RNG(seed: seed)
            return Sequential(Dense(4, 8, rng: &rng), Dropout(rate: 0.5, rng: &rng),
                              Sequential(Activation(.relu), Dropout(rate: 0.2, rng: &rng)), Dense(8, 2, rng: &rng))
        }
        let a = make(1)
        XCTAssertEqual(a.namedRandomStreams.map(\.0), ["1.mask", "2.1.mask"])
        let x = Tensor(shape: [16, 4], repeating: 1)
        _ = a(x)
        _ = a(x)
        let saved = a.randomStateEntries()
        XCTAssertEqual(saved.map(\.name), ["rng:1.mask", "rng:2.1.mask"])
        let b = make(2)
        try Checkpoint(layer: a).restore(into: b)
        XCTAssertNotEqual(b(x).data, a(x).data, "different streams draw different masks")
        try b.restoreRandomStates(saved)
        try a.restoreRandomStates(saved)
        for _ in 0..<3 { XCTAssertEqual(b(x).data, a(x).data) }

        // Refusals name the stream; a failed restore leaves every stream as it was.
        let before = b.namedRandomStreams.map(\.1.state)
        XCTAssertThrowsError(try b.restoreRandomStates([saved[0]], source: "s")) { error in
            XCTAssertEqual(error as? CheckpointError, .missingEntry(path: "s", name: "rng:2.1.mask"))
        }
        XCTAssertThrowsError(try b.restoreRandomStates(saved + [Checkpoint.Entry(name: "rng:7.mask", integers: [0, 0, 0, 0])], source: "s")) { error in
            XCTAssertEqual(error as? CheckpointError, .unexpectedEntry(path: "s", name: "rng:7.mask"))
        }
        var invalid = saved
        invalid[1] = Checkpoint.Entry(name: "rng:2.1.mask", integers: [1, 2, 3, 9])
        XCTAssertThrowsError(try b.restoreRandomStates(invalid, source: "s")) { error in
            guard case .invalidEntry("s", "rng:2.1.mask", _)? = error as? CheckpointError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(b.namedRandomStreams.map(\.1.state), before)
    }

    // MARK: Checkpoint encoding

    func testEncodingCopiesFloatBitPatternsExactly() throws {
        let odd: [Float] = [0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                            Float(bitPattern: 0x7FC0_1234), 1, -1.5]
        let c = Checkpoint(entries: [Checkpoint.Entry(name: "odd", shape: [3, 3], data: odd),
                                     Checkpoint.Entry(name: "empty", shape: [0, 4], data: [])], metadata: ["k": "v"])
        let bytes = c.encoded()
        XCTAssertEqual(bytes.count, 8 + 4 + 4 + (4 + 1 + 4 + 1) + 4 + (4 + 3 + 4 + 16 + 36) + (4 + 5 + 4 + 16) + 8)
        // Layout: the floats are little-endian u32 bit patterns right after the dims.
        let dataStart = 8 + 4 + 4 + 10 + 4 + 4 + 3 + 4 + 16
        for (i, v) in odd.enumerated() {
            let b = bytes[(dataStart + 4 * i)..<(dataStart + 4 * i + 4)].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.1) << (8 * UInt32($1.0)) }
            XCTAssertEqual(b, v.bitPattern)
        }
        let back = try Checkpoint.decode(bytes)
        XCTAssertEqual(back.entries[0].data.map(\.bitPattern), odd.map(\.bitPattern))
        XCTAssertEqual(back.entries[1].shape, [0, 4])
    }
}
