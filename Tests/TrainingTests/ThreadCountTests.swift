// What the README's Determinism section promises: a trial's epochs and final weights have the
// same bits at 1, 2 and 3 threads (GEMMs split by rows, loops by examples; OpenBLAS itself
// single-threaded), for an MLP whose GEMMs are large enough to split, a CNN and a residual net.
import Search
@testable import TensorCore
import XCTest
@testable import Training

final class ThreadCountTests: XCTestCase {
    override func tearDown() { BLAS.setThreads(1) }

    func run(_ config: TrainingConfig, _ data: PreparedData, threads: Int) throws -> String {
        BLAS.setThreads(threads)
        let t = try Trainer(config: config, data: data, seed: 7, maxEpochs: 2, patience: nil, minDelta: 0,
                            metric: MetricSpec(name: "val_loss", goal: .minimize))
        let r = t.train()
        var h: UInt64 = 1469598103934665603
        for p in t.model.parameters { for f in p.data { h = (h ^ UInt64(f.bitPattern)) &* 1099511628211 } }
        return r.history.map { m in [m.trainLoss, m.validationLoss, m.validationAccuracy].map { String($0.bitPattern, radix: 16) }.joined(separator: " ") }
            .joined(separator: "\n") + "\nweights \(String(h, radix: 16))"
    }

    func testAnMLPTrainsToTheSameBitsAtOneTwoAndThreeThreads() throws {
        var c = Fixtures.mlp(width: 512, depth: 2)
        c.batchSize = 128
        c.dropout = 0.1
        c.batchNorm = true
        BLAS.setThreads(2)
        XCTAssertGreaterThan(BLAS.splitParts(m: 128, n: 512, k: 512), 1, "the hidden layer's GEMM must split")
        let data = Fixtures.blobData(train: 512)
        let one = try run(c, data, threads: 1)
        XCTAssertEqual(try run(c, data, threads: 2), one)
        XCTAssertEqual(try run(c, data, threads: 3), one)
    }

    func testACNNTrainsToTheSameBitsAtOneAndTwoThreads() throws {
        var c = Fixtures.cnn()
        c.convBlocks = 2
        c.channels = 16
        c.batchSize = 64
        let data = Fixtures.imageData()
        let one = try run(c, data, threads: 1)
        XCTAssertEqual(try run(c, data, threads: 2), one)
    }

    /// The layer-list residual net (batch norm over images, residual adds, global pooling,
    /// dropout): the same bits at 1 and 2 threads.
    func testAResidualNetTrainsToTheSameBitsAtOneAndTwoThreads() throws {
        let spec = try SweepSpec.parse(yaml: LayerListTests.example, file: "net.yaml", vocabulary: TrainingConfig.vocabulary)
        var c = try spec.trainingConfig(Configuration(["channels": .int(16), "blocks": .int(1), "dropout": .double(0.2), "width": .int(32),
                                                       "activation": .string("relu"), "learning_rate": .double(1e-3)]))
        c.batchSize = 64
        let data = Fixtures.imageData()
        let one = try run(c, data, threads: 1)
        XCTAssertEqual(try run(c, data, threads: 2), one)
    }
}
