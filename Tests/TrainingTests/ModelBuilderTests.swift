import Datasets
import NN
import TensorCore
import XCTest
@testable import Training

final class ModelBuilderTests: XCTestCase {
    func testMLPShapeParametersAndFlops() throws {
        var c = TrainingConfig(model: .mlp)
        c.width = 16
        c.depth = 2
        var rng = RNG(seed: 1)
        let (model, cost) = try ModelBuilder.build(c, featureCount: 10, imageShape: nil, classCount: 3, rng: &rng)
        XCTAssertEqual(cost.parameters, 10 * 16 + 16 + 16 * 16 + 16 + 16 * 3 + 3)
        XCTAssertEqual(cost.flopsPerExample, 2 * (10 * 16 + 16 * 16 + 16 * 3))
        XCTAssertEqual(model(Tensor.zeros([5, 10])).shape, [5, 3])
    }

    func testCNNOnImagesAndRefusedOnTables() throws {
        var c = TrainingConfig(model: .cnn)
        c.convBlocks = 2
        c.channels = 4
        c.denseWidth = 8
        c.batchNorm = true
        c.dropout = 0.2
        var rng = RNG(seed: 1)
        let (model, cost) = try ModelBuilder.build(c, featureCount: 64, imageShape: [8, 8, 1], classCount: 4, rng: &rng)
        XCTAssertEqual(model(Tensor.zeros([2, 64])).shape, [2, 4])
        // conv 1→4 (3×3, no bias with BN) + BN; conv 4→8 + BN; dense 2·2·8→8 + BN; head 8→4.
        XCTAssertEqual(cost.parameters, 36 + 8 + 288 + 16 + 256 + 16 + 36)
        XCTAssertThrowsError(try ModelBuilder.build(c, featureCount: 64, imageShape: nil, classCount: 4, rng: &rng)) {
            XCTAssertTrue("\($0)".contains("needs image data"))
        }
        c.convBlocks = 4
        XCTAssertThrowsError(try ModelBuilder.build(c, featureCount: 64, imageShape: [8, 8, 1], classCount: 4, rng: &rng)) {
            XCTAssertTrue("\($0)".contains("at most 3 blocks"), "\($0)")
        }
    }

    func testLossAtInitIsThePriorsEntropy() throws {
        let data = Fixtures.blobData()
        var rng = RNG(seed: 3)
        let (model, _) = try ModelBuilder.build(TrainingConfig(model: .mlp), featureCount: 10, imageShape: nil, classCount: 3,
                                                classPriors: [1, 1, 1], rng: &rng)
        let loss = Trainer.evaluate(model, data.validation).loss
        XCTAssertEqual(loss, log(3.0), accuracy: 0.05)
    }

    func testSameSeedSameWeights() throws {
        func weights(_ seed: UInt64) throws -> [Float] {
            var rng = RNG(seed: seed)
            return try ModelBuilder.build(Fixtures.mlp(), featureCount: 10, imageShape: nil, classCount: 3, rng: &rng).model.parameters.flatMap(\.data)
        }
        XCTAssertEqual(try weights(5), try weights(5))
        XCTAssertNotEqual(try weights(5), try weights(6))
    }
}
