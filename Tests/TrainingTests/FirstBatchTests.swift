// Trainer.firstBatch: the batch `hpsearch check` draws is the one the trainer's first step
// trains on, augmentations included.
import Datasets
import Search
import TensorCore
@testable import Training
import XCTest

final class FirstBatchTests: XCTestCase {
    /// The first batch's loss on a fresh model equals the initial loss a real run records: the
    /// same examples, in the same order, with the same augmentations reach the model.
    func testTheFirstBatchIsWhatTheTrainersFirstStepSees() throws {
        var config = Fixtures.cnn()
        config.augment = .flipShift
        config.batchSize = 48
        let data = Fixtures.imageData()
        let batch = Trainer.firstBatch(config: config, data: data, seed: 21)
        XCTAssertEqual([batch.count, batch.featureCount], [48, 64])
        XCTAssertEqual(batch.imageShape, [8, 8, 1])
        XCTAssertTrue(batch.augmented)
        XCTAssertEqual(batch.labels, batch.indices.map { data.train.labels[$0] })
        XCTAssertEqual(Set(batch.indices).count, 48, "distinct examples")

        let run = try Trainer(config: config, data: data, seed: 21, maxEpochs: 1)
        run.maxBatchesPerEpoch = 1
        let recorded = run.train().initialLoss

        func firstLoss(_ values: [Float]) throws -> Double {
            let fresh = try Trainer(config: config, data: data, seed: 21, maxEpochs: 1)   // the same initial weights
            fresh.model.isTraining = true
            let logits = fresh.model(Tensor(shape: [batch.count, batch.featureCount], data: values))
            let loss = config.loss.resolved(regression: false).batchLoss(logits, dataset: data.train, labels: batch.labels,
                                                                         indices: batch.indices, labelSmoothing: Float(config.labelSmoothing))
            return Double(loss.item)
        }
        XCTAssertEqual(try firstLoss(batch.values), recorded, "bit for bit the trainer's first batch")
        XCTAssertEqual(try Trainer(config: config, data: data, seed: 21, maxEpochs: 1).firstBatch(), batch)

        // Without the augmentations the rows are the plain training rows: another loss.
        let plain = batch.indices.flatMap { data.train.features[($0 * 64)..<(($0 + 1) * 64)] }
        XCTAssertNotEqual(plain, batch.values, "flips and shifts changed some rows")
        XCTAssertNotEqual(try firstLoss(plain), recorded)
        var unaugmented = config
        unaugmented.augment = .none
        let same = Trainer.firstBatch(config: unaugmented, data: data, seed: 21)
        XCTAssertEqual(same.values, plain)
        XCTAssertFalse(same.augmented)
        XCTAssertNotEqual(Trainer.firstBatch(config: config, data: data, seed: 22).indices, batch.indices, "another seed, another batch")
    }

    func testATableBatchCarriesStandardisedTargetsForRegression() {
        let n = 50
        let features = (0..<(n * 3)).map { Float($0 % 7) }
        let targets = Dataset.Targets(values: (0..<n).map { Float($0) }, width: 1, names: ["y"])
        let train = Dataset(features: features, targets: targets, featureCount: 3)
        var data = PreparedData(train: train, validation: train.slice(0..<10), test: train.slice(10..<20))
        data.normalise()
        var config = Fixtures.mlp()
        config.batchSize = 64
        let batch = Trainer.firstBatch(config: config, data: data, seed: 4)
        XCTAssertEqual(batch.count, n, "the batch size is capped at the training split")
        XCTAssertNil(batch.imageShape)
        XCTAssertFalse(batch.augmented)
        XCTAssertEqual(batch.targets, data.train.targetRows(batch.indices))
        XCTAssertEqual(batch.values, batch.indices.flatMap { data.train.features[($0 * 3)..<(($0 + 1) * 3)] })
    }
}
