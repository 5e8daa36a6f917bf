// Checkpoints: exact round trips (parameters, BatchNorm buffers, metadata) through bytes and
// files, and a typed error for every kind of bad file: truncated, foreign, newer, corrupted,
// or saved from a different architecture.
import TestSupport
import XCTest
import Foundation
import TensorCore
import NN

final class CheckpointTests: XCTestCase {
    var scratch: TemporaryDirectory!
    var tempDir: URL { scratch.url }

    override func setUpWithError() throws { scratch = try TemporaryDirectory(prefix: "hpsearch-ckpt") }
    override func tearDown() { scratch = nil }

    func makeModel(seed: UInt64, hidden: Int = 6) -> Sequential {
        var rng = RNG(seed: seed)
        return Sequential(Conv2D(inChannels: 1, outChannels: 2, kernel: 3, rng: &rng), BatchNorm(features: 2),
                          Activation(.relu), Flatten(), Dense(4 * 4 * 2, hidden, rng: &rng),
                          BatchNorm(features: hidden), Dense(hidden, 3, bias: false, rng: &rng))
    }

    /// A model whose parameters and buffers all hold non-default values.
    func trainedModel(seed: UInt64) -> Sequential {
        let model = makeModel(seed: seed)
        var rng = RNG(seed: seed, stream: 9)
        let adam = Adam(learningRate: 0.01)
        for _ in 0..<3 {
            let x = Tensor.normal([4, 4, 4, 1], rng: &rng)
            model.zeroGrad()
            Loss.softmaxCrossEntropy(model(x), labels: [0, 1, 2, 1]).backward()
            adam.step(model.parameters)
        }
        return model
    }

    func values(_ m: Sequential) -> [String: [Float]] {
        var out: [String: [Float]] = [:]
        for (n, t) in m.namedParameters { out[n] = t.data }
        for (n, t) in m.namedBuffers { out["buffer:" + n] = t.data }
        return out
    }

    // MARK: Round trips

    func testSnapshotContainsParametersAndBuffers() {
        let model = trainedModel(seed: 1)
        let ckpt = Checkpoint(layer: model, metadata: ["trial": "7"])
        XCTAssertEqual(ckpt.entries.map(\.name), ["0.weight", "0.bias", "1.gamma", "1.beta", "4.weight", "4.bias",
                                                  "5.gamma", "5.beta", "6.weight",
                                                  "buffer:1.running_mean", "buffer:1.running_var",
                                                  "buffer:5.running_mean", "buffer:5.running_var"])
        XCTAssertEqual(ckpt.entries[0].shape, [2, 3, 3, 1])
        let bn = model.layers[1] as! BatchNorm
        XCTAssertEqual(ckpt.entries.first { $0.name == "buffer:1.running_var" }!.data, bn.runningVar.data)
        XCTAssertNotEqual(bn.runningMean.data, [0, 0], "buffers were updated by training")
    }

    func testEncodeDecodeRoundTripIsExact() throws {
        var rng = RNG(seed: 2)
        let ckpt = Checkpoint(layer: trainedModel(seed: 2), metadata: ["optimizer": "adam", "lr": "0.01", "": "é∑"])
        let decoded = try Checkpoint.decode(ckpt.encoded())
        XCTAssertEqual(decoded, ckpt)
        XCTAssertEqual(decoded.metadata["optimizer"], "adam")
        XCTAssertEqual(decoded.metadata[""], "é∑")
        // Special floats survive bit for bit.
        // (Entry has no public initialiser; edit a snapshot's entry instead.)
        var special = Checkpoint(layer: Sequential(Dense(5, 1, bias: false, rng: &rng)))
        special.entries[0].name = "s"
        special.entries[0].shape = [5]
        special.entries[0].data = [.infinity, -0.0, .leastNonzeroMagnitude, .nan, -.greatestFiniteMagnitude]
        let back = try Checkpoint.decode(special.encoded()).entries[0].data
        XCTAssertEqual(back.map(\.bitPattern), special.entries[0].data.map(\.bitPattern))
        // Encoding is deterministic (metadata keys sorted).
        XCTAssertEqual(ckpt.encoded(), Checkpoint(entries: ckpt.entries, metadata: ckpt.metadata).encoded())
    }

    func testRestoreIntoFreshModelThroughFileIsExact() throws {
        let trained = trainedModel(seed: 3)
        let url = tempDir.appendingPathComponent("model.ckpt")
        try Checkpoint(layer: trained, metadata: ["step": "3"]).write(to: url)
        let fresh = makeModel(seed: 99)
        XCTAssertNotEqual(values(fresh), values(trained))
        let loaded = try Checkpoint.read(from: url)
        XCTAssertEqual(loaded.metadata, ["step": "3"])
        try loaded.restore(into: fresh)
        XCTAssertEqual(values(fresh), values(trained))
        let all = values(fresh).values.flatMap { $0 }.map(\.bitPattern), want = values(trained).values.flatMap { $0 }.map(\.bitPattern)
        XCTAssertEqual(all.count, want.count)
        // The restored model computes the same function in eval mode.
        trained.isTraining = false
        fresh.isTraining = false
        var rng = RNG(seed: 4)
        let x = Tensor.normal([2, 4, 4, 1], rng: &rng)
        XCTAssertEqual(fresh(x).data, trained(x).data)
    }

    func testEmptyCheckpointRoundTrips() throws {
        let empty = Checkpoint(entries: [])
        XCTAssertEqual(try Checkpoint.decode(empty.encoded()), empty)
        try empty.restore(into: Sequential(Activation(.relu), Flatten()))
    }

    // MARK: Bad files

    func assertError(_ expected: CheckpointError, _ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual(error as? CheckpointError, expected, file: file, line: line)
        }
    }

    func testEveryTruncationIsReportedAsTruncated() {
        let bytes = Checkpoint(layer: makeModel(seed: 5), metadata: ["k": "v"]).encoded()
        for n in 0..<bytes.count {
            XCTAssertThrowsError(try Checkpoint.decode(Array(bytes.prefix(n)), source: "t.ckpt")) { error in
                guard case .truncated(let path, _, let size)? = error as? CheckpointError else {
                    return XCTFail("prefix of \(n) bytes: expected .truncated, got \(error)")
                }
                XCTAssertEqual(path, "t.ckpt")
                XCTAssertEqual(size, n)
            }
        }
    }

    func testTruncatedFileOnDisk() throws {
        let url = tempDir.appendingPathComponent("cut.ckpt")
        let bytes = Checkpoint(layer: makeModel(seed: 6)).encoded()
        try Data(bytes.prefix(bytes.count - 10)).write(to: url)
        XCTAssertThrowsError(try Checkpoint.read(from: url)) { error in
            guard case .truncated(let path, _, let size)? = error as? CheckpointError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
            XCTAssertEqual(size, bytes.count - 10)
        }
    }

    func testWrongMagic() {
        var bytes = Checkpoint(layer: makeModel(seed: 7)).encoded()
        bytes[0] = UInt8(ascii: "X")
        assertError(.badMagic(path: "m")) { _ = try Checkpoint.decode(bytes, source: "m") }
        assertError(.badMagic(path: "m")) { _ = try Checkpoint.decode(Array("{\"not\": \"a checkpoint\"}".utf8), source: "m") }
        assertError(.badMagic(path: "m")) { _ = try Checkpoint.decode(Array("PK\u{3}".utf8), source: "m") }
    }

    func testNewerVersionIsUnsupported() {
        var bytes = Checkpoint(layer: makeModel(seed: 8)).encoded()
        bytes[8] = 2 // version u32 little-endian follows the 8-byte magic
        assertError(.unsupportedVersion(path: "v", version: 2, supported: Checkpoint.version)) {
            _ = try Checkpoint.decode(bytes, source: "v")
        }
        bytes[8] = 0; bytes[11] = 1
        assertError(.unsupportedVersion(path: "v", version: 1 << 24, supported: 1)) { _ = try Checkpoint.decode(bytes, source: "v") }
    }

    func testFlippedDataByteIsChecksumMismatch() {
        let ckpt = Checkpoint(layer: makeModel(seed: 9))
        var bytes = ckpt.encoded()
        // A byte in the middle of the last entry's float data.
        let last = ckpt.entries.last!
        let dataStart = bytes.count - 8 - last.data.count * 4
        bytes[dataStart + 5] ^= 0x10
        assertError(.checksumMismatch(path: "c")) { _ = try Checkpoint.decode(bytes, source: "c") }
        // The checksum itself damaged.
        var tail = ckpt.encoded()
        tail[tail.count - 1] ^= 0xFF
        assertError(.checksumMismatch(path: "c")) { _ = try Checkpoint.decode(tail, source: "c") }
        // Trailing garbage after a valid file.
        assertError(.checksumMismatch(path: "c")) { _ = try Checkpoint.decode(ckpt.encoded() + [0], source: "c") }
    }

    func testEverySingleByteCorruptionIsATypedError() {
        // Flipping any one bit anywhere never crashes and never decodes successfully.
        let bytes = Checkpoint(layer: makeModel(seed: 10), metadata: ["a": "b"]).encoded()
        for i in 0..<bytes.count {
            for mask: UInt8 in [0x01, 0x80] {
                var damaged = bytes
                damaged[i] ^= mask
                XCTAssertThrowsError(try Checkpoint.decode(damaged), "byte \(i) ^ \(mask)") { error in
                    XCTAssertTrue(error is CheckpointError, "byte \(i): \(error)")
                }
            }
        }
    }

    func testRestoringIntoDifferentArchitecture() throws {
        let ckpt = Checkpoint(layer: makeModel(seed: 11, hidden: 6))
        // Wider hidden layer: same names, different shapes.
        let wider = makeModel(seed: 12, hidden: 8)
        let before = values(wider)
        assertError(.shapeMismatch(path: "arch", name: "4.weight", expected: [32, 8], found: [32, 6])) {
            try ckpt.restore(into: wider, source: "arch")
        }
        XCTAssertEqual(values(wider), before, "a failed restore changes nothing")

        // A model with an extra bias: the checkpoint lacks it.
        var rng = RNG(seed: 13)
        let small = Checkpoint(layer: Sequential(Dense(3, 2, bias: false, rng: &rng)))
        assertError(.missingEntry(path: "arch", name: "0.bias")) {
            try small.restore(into: Sequential(Dense(3, 2, rng: &rng)), source: "arch")
        }
        // Missing BatchNorm buffers.
        let noBN = Checkpoint(entries: ckpt.entries.filter { !$0.name.hasPrefix("buffer:5.") })
        assertError(.missingEntry(path: "arch", name: "buffer:5.running_mean")) {
            try noBN.restore(into: makeModel(seed: 14), source: "arch")
        }
        // The other way round: the checkpoint has a tensor the model does not.
        let withBias = Checkpoint(layer: Sequential(Dense(3, 2, rng: &rng)))
        assertError(.unexpectedEntry(path: "arch", name: "0.bias")) {
            try withBias.restore(into: Sequential(Dense(3, 2, bias: false, rng: &rng)), source: "arch")
        }
    }

    func testDuplicatedEntryIsRejectedNotATrap() throws {
        var rng = RNG(seed: 15)
        let model = Sequential(Dense(3, 2, rng: &rng))
        var ckpt = Checkpoint(layer: model)
        ckpt.entries.append(ckpt.entries[0])
        // Survives encoding (the checksum is valid), and restoring reports the second copy.
        let decoded = try Checkpoint.decode(ckpt.encoded())
        let before = model.parameters.map(\.data)
        assertError(.unexpectedEntry(path: "dup", name: "0.weight")) { try decoded.restore(into: model, source: "dup") }
        XCTAssertEqual(model.parameters.map(\.data), before)
    }

    func testUnreadableFile() {
        let url = tempDir.appendingPathComponent("does-not-exist.ckpt")
        XCTAssertThrowsError(try Checkpoint.read(from: url)) { error in
            guard case .unreadable(let path, _)? = error as? CheckpointError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
        }
    }

    func testErrorMessagesNameTheFileAndTheProblem() {
        XCTAssertTrue(CheckpointError.truncated(path: "a.ckpt", offset: 10, size: 5).description.contains("a.ckpt"))
        XCTAssertTrue(CheckpointError.truncated(path: "a.ckpt", offset: 10, size: 5).description.contains("truncated"))
        XCTAssertTrue(CheckpointError.unsupportedVersion(path: "a", version: 9, supported: 1).description.contains("9"))
        XCTAssertTrue(CheckpointError.shapeMismatch(path: "a", name: "w", expected: [2], found: [3]).description.contains("[3]"))
        XCTAssertTrue(CheckpointError.checksumMismatch(path: "a").description.contains("corrupted"))
    }

    // MARK: Residual models

    func residualModel(seed: UInt64) throws -> Sequential {
        var rng = RNG(seed: seed)
        let block = try Residual(inner: Sequential(Conv2D(inChannels: 2, outChannels: 4, kernel: 3, stride: 2, padding: .same, rng: &rng),
                                                   BatchNorm(features: 4), Activation(.relu),
                                                   Dropout(rate: 0.2, rng: &rng),
                                                   Conv2D(inChannels: 4, outChannels: 4, kernel: 3, rng: &rng), LayerNorm(features: 4)),
                                 input: [4, 4, 2], rng: &rng)
        return Sequential(Conv2D(inChannels: 1, outChannels: 2, kernel: 3, rng: &rng), Activation(.relu), block,
                          GlobalAvgPool2D(), Dense(4, 3, rng: &rng))
    }

    func testResidualModelRoundTripsWithStableNames() throws {
        let trained = try residualModel(seed: 20)
        var rng = RNG(seed: 21)
        let adam = Adam(learningRate: 0.01)
        for _ in 0..<3 {
            trained.zeroGrad()
            Loss.softmaxCrossEntropy(trained(Tensor.normal([4, 4, 4, 1], rng: &rng)), labels: [0, 1, 2, 1]).backward()
            adam.step(trained.parameters)
        }
        let ckpt = Checkpoint(layer: trained)
        XCTAssertEqual(ckpt.entries.map(\.name), [
            "0.weight", "0.bias",
            "2.inner.0.weight", "2.inner.0.bias", "2.inner.1.gamma", "2.inner.1.beta",
            "2.inner.4.weight", "2.inner.4.bias", "2.inner.5.gain", "2.inner.5.bias",
            "2.projection.weight",
            "4.weight", "4.bias",
            "buffer:2.inner.1.running_mean", "buffer:2.inner.1.running_var",
        ])
        XCTAssertEqual(trained.namedRandomStreams.map(\.0), ["2.inner.3.mask"])
        let fresh = try residualModel(seed: 22)
        XCTAssertNotEqual(values(fresh), values(trained))
        try Checkpoint.decode(ckpt.encoded()).restore(into: fresh)
        XCTAssertEqual(values(fresh).mapValues { $0.map(\.bitPattern) }, values(trained).mapValues { $0.map(\.bitPattern) })
        // The dropout stream inside the residual round-trips too.
        try fresh.restoreRandomStates(trained.randomStateEntries())
        XCTAssertEqual(fresh.namedRandomStreams.map(\.1.state), trained.namedRandomStreams.map(\.1.state))
        // isTraining reaches the layers inside the residual; both compute the same function.
        trained.isTraining = false
        fresh.isTraining = false
        let block = fresh.layers[2] as! Residual
        XCTAssertFalse(block.inner.layers.contains { $0.isTraining })
        XCTAssertFalse(block.projection!.isTraining)
        let x = Tensor.normal([2, 4, 4, 1], rng: &rng)
        XCTAssertEqual(fresh(x).data, trained(x).data)
        fresh.isTraining = true
        // (Stateless layers such as relu report false in either mode.)
        XCTAssertEqual(block.inner.layers.map(\.isTraining), [true, true, false, true, true, true])
    }
}
