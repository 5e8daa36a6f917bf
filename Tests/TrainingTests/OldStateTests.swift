// Training states saved by the code before the model registry resume here and continue bit for
// bit as the old uninterrupted run did; old-format epoch JSON still decodes.
import Foundation
import Search
import TensorCore
import XCTest
@testable import Training

final class OldStateTests: XCTestCase {
    func bits(_ h: [EpochRecord]) -> String {
        h.map { m in [m.trainLoss, m.trainAccuracy, m.validationLoss, m.validationAccuracy, m.learningRate].map { String($0.bitPattern, radix: 16) }.joined(separator: " ") + " e\(m.epoch)" }.joined(separator: "\n")
    }

    func weights(_ t: Trainer) -> String {
        var h: UInt64 = 1469598103934665603
        for p in t.model.parameters { for f in p.data { h = (h ^ UInt64(f.bitPattern)) &* 1099511628211 } }
        return String(h, radix: 16)
    }

    func check(_ config: TrainingConfig, _ data: PreparedData, epochs: Int, patience: Int?, metric: MetricSpec,
               state: String, expected: String, fingerprint: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let t = try Trainer(config: config, data: data, seed: 42, maxEpochs: epochs, patience: patience, minDelta: 0.001, metric: metric)
        XCTAssertEqual(t.configurationFingerprint().joined(separator: "\n"), fingerprint, file: file, line: line)
        let bytes = [UInt8](try XCTUnwrap(Data(base64Encoded: state)))
        let saved = try TrainingState.decode(bytes)
        XCTAssertEqual(saved.configuration.joined(separator: "\n"), fingerprint, file: file, line: line)
        // Re-encoding what was decoded gives the old bytes back (same JSON for the epochs).
        XCTAssertEqual(saved.encoded(), bytes, "state bytes", file: file, line: line)
        let r = try t.train(resumingFrom: bytes)
        let got = bits(r.history) + "\noutcome \(r.state.rawValue) best \(r.best?.epoch ?? 0) weights \(weights(t))"
        guard Self.fixtureCPU else {
            // The fixtures were recorded on an AVX-512 machine, where OpenBLAS runs other sgemm
            // kernels (other roundings) than here: the resumed run must still keep the saved
            // epochs and run to the same number of epochs; the bits are compared on such a machine.
            XCTAssertEqual(r.history.count, expected.split(separator: "\n").count - 1, "epochs", file: file, line: line)
            XCTAssertEqual(bits(Array(r.history.prefix(saved.history.count))), bits(saved.history), file: file, line: line)
            return
        }
        XCTAssertEqual(got, expected, file: file, line: line)
    }

    /// Whether OpenBLAS runs its AVX-512 kernels here, as on the machine the fixtures were
    /// recorded on (an AVX-512 CPU for which OpenBLAS picks `Haswell`, as on some AMD EPYC Zen 4 VMs, does not).
    static let fixtureCPU = BLAS.usesAVX512Kernels

    func testMLPStateOfTheOldCodeResumesBitForBit() throws {
        var c = Fixtures.mlp(width: 16, depth: 2)
        c.dropout = 0.2
        c.batchNorm = true
        c.schedule = .cosine
        try check(c, Fixtures.blobData(train: 300), epochs: 8, patience: 2, metric: MetricSpec(name: "val_loss", goal: .minimize),
                  state: OldStates.mlpState, expected: OldStates.mlpExpected, fingerprint: OldStates.mlpFingerprint)
    }

    func testCNNStateOfTheOldCodeResumesBitForBit() throws {
        var k = Fixtures.cnn()
        k.kernel = 5
        k.optimizer = .sgd
        k.augment = .flipShift
        k.initializer = .glorotUniform
        k.initializerName = "xavier_uniform"
        try check(k, Fixtures.imageData(), epochs: 4, patience: nil, metric: MetricSpec(name: "val_accuracy", goal: .maximize),
                  state: OldStates.cnnState, expected: OldStates.cnnExpected, fingerprint: OldStates.cnnFingerprint)
    }

    /// The history JSON of format 1 (EpochMetrics: no trial key) decodes as records of trial 0.
    func testOldFormatHistoryJSONDecodes() throws {
        let old = """
        [{"epoch":1,"examplesPerSecond":5120.5,"learningRate":0.001,"seconds":0.25,"trainAccuracy":0.5,"trainLoss":1.25,\
        "validationAccuracy":0.625,"validationLoss":1.125}]
        """
        let stored = try JSONDecoder().decode([StoredEpoch].self, from: Data(old.utf8)).map(\.record)
        let expected = EpochRecord(trial: 0, epoch: 1, trainLoss: 1.25, trainAccuracy: 0.5, validationLoss: 1.125, validationAccuracy: 0.625,
                                   learningRate: 0.001, seconds: 0.25, examplesPerSecond: 5120.5)
        XCTAssertEqual(stored, [expected])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        XCTAssertEqual(String(decoding: try encoder.encode(stored.map(StoredEpoch.init)), as: UTF8.self), old, "states keep the old spelling")
        // EpochRecord itself decodes JSON without a trial (0) and ignores the throughput.
        let record = try JSONDecoder().decode([EpochRecord].self, from: Data(old.utf8))
        XCTAssertEqual(record.map(\.trial), [0])
        XCTAssertEqual(record.map(\.validationLoss), [1.125])
    }
}
