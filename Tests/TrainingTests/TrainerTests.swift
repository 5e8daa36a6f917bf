import Datasets
import Search
import TensorCore
import XCTest
@testable import Training

final class TrainerTests: XCTestCase {
    func testLearnsBlobsAndEvaluatesTheWholeValidationSet() throws {
        let data = Fixtures.blobData()
        let trainer = try Trainer(config: Fixtures.mlp(), data: data, seed: 1, maxEpochs: 5)
        let r = trainer.train()
        XCTAssertEqual(r.state, .completed)
        XCTAssertEqual(r.history.count, 5)
        XCTAssertGreaterThan(try XCTUnwrap(r.best).validationAccuracy, 0.95)
        XCTAssertEqual(r.initialLoss, log(3.0), accuracy: 0.1)
        // The validation metrics are a full pass: recomputing them over all 300 rows agrees.
        let again = trainer.evaluate(data.validation)
        XCTAssertEqual(again.count, 300)
        XCTAssertEqual(again.loss, r.best!.validationLoss, accuracy: 1e-6)
    }

    func testSameSeedSameRunDifferentSeedDifferentRun() throws {
        var c = Fixtures.mlp()
        c.dropout = 0.3
        c.augment = .none
        func run(_ seed: UInt64) throws -> [Double] {
            try Trainer(config: c, data: Fixtures.blobData(), seed: seed, maxEpochs: 3).train().history.map(\.validationLoss)
        }
        XCTAssertEqual(try run(4), try run(4))
        XCTAssertNotEqual(try run(4), try run(5))
    }

    func testPatienceStopsAndRestoresTheBestWeights() throws {
        var c = Fixtures.mlp(width: 64, lr: 3e-2)
        c.batchSize = 8
        // Few training rows and a high rate: validation loss bottoms out early, then rises.
        var data = Fixtures.blobData(train: 60)
        data.validation = Fixtures.blobs(count: 300, spread: 0.6, seed: 7)
        data.train = Fixtures.blobs(count: 60, spread: 0.6, seed: 8)
        let trainer = try Trainer(config: c, data: data, seed: 2, maxEpochs: 60, patience: 3)
        let r = trainer.train()
        XCTAssertEqual(r.state, .earlyStopped)
        let best = try XCTUnwrap(r.best)
        XCTAssertEqual(r.history.count, best.epoch + 3)
        XCTAssertEqual(best.validationLoss, r.history.map(\.validationLoss).min()!)
        XCTAssertEqual(trainer.evaluate(data.validation).loss, best.validationLoss, accuracy: 1e-6)
    }

    func testMinDeltaCountsSmallGainsAsNoImprovement() throws {
        let trainer = try Trainer(config: Fixtures.mlp(), data: Fixtures.blobData(), seed: 1, maxEpochs: 30, patience: 2, minDelta: 10)
        let r = trainer.train()
        XCTAssertEqual(r.state, .earlyStopped)
        XCTAssertEqual(r.history.count, 3, "no gain is ≥ 10, so patience 2 ends after epoch 3")
    }

    func testReporterCanPruneAndMaximisedMetric() throws {
        var seen: [Int] = []
        let trainer = try Trainer(config: Fixtures.mlp(), data: Fixtures.blobData(), seed: 1, maxEpochs: 10,
                                  metric: MetricSpec(name: "val_accuracy", goal: .maximize))
        let r = trainer.train { m in seen.append(m.epoch); return m.epoch == 2 ? .stop(reason: "test") : .continue }
        XCTAssertEqual(r.state, .pruned)
        XCTAssertEqual(seen, [1, 2])
        XCTAssertEqual(r.best?.validationAccuracy, r.history.map(\.validationAccuracy).max())
    }

    func testDivergenceEndsTheTrialNotTheProcess() throws {
        var c = Fixtures.mlp(lr: 1e4)
        c.optimizer = .sgd
        c.momentum = 0.9
        let r = try Trainer(config: c, data: Fixtures.blobData(), seed: 1, maxEpochs: 5).train()
        guard r.state == .diverged, let why = r.message else { return XCTFail("expected divergence, got \(r.state)") }
        XCTAssertTrue(why.contains("epoch"), why)
        XCTAssertEqual(r.state.rawValue, "diverged")
    }

    func testTheTestSplitIsNeverRead() throws {
        var poisoned = Fixtures.blobData()
        poisoned.test.features = [Float](repeating: .nan, count: poisoned.test.features.count)
        let clean = try Trainer(config: Fixtures.mlp(), data: Fixtures.blobData(), seed: 3, maxEpochs: 3).train()
        let dirty = try Trainer(config: Fixtures.mlp(), data: poisoned, seed: 3, maxEpochs: 3).train()
        XCTAssertEqual(clean.history.map(\.validationLoss), dirty.history.map(\.validationLoss))
        XCTAssertEqual(dirty.state, .completed)
    }

    func testCNNTrainsWithAugmentationAndBatchNorm() throws {
        var c = Fixtures.cnn()
        c.batchNorm = true
        c.augment = .flipShift
        c.schedule = .cosine
        c.warmupEpochs = 1
        let r = try Trainer(config: c, data: Fixtures.imageData(), seed: 1, maxEpochs: 6).train()
        XCTAssertEqual(r.state, .completed)
        // Flips move the square to the other quadrant, so flip-augmented accuracy is capped; the
        // model must still beat chance (0.25) clearly.
        XCTAssertGreaterThan(try XCTUnwrap(r.best).validationAccuracy, 0.45)
        XCTAssertEqual(r.history.last!.learningRate, 0, accuracy: 1e-4, "cosine ends at zero")
    }

    func testEverySchedulesAndOptimizerRuns() throws {
        for optimizer in OptimizerKind.allCases {
            for schedule in ScheduleKind.allCases {
                var c = Fixtures.mlp()
                c.optimizer = optimizer
                c.schedule = schedule
                c.learningRate = optimizer == .sgd ? 0.05 : 3e-3
                c.clipNorm = 1
                c.labelSmoothing = 0.1
                let r = try Trainer(config: c, data: Fixtures.blobData(), seed: 1, maxEpochs: 3).train()
                XCTAssertGreaterThan(try XCTUnwrap(r.best).validationAccuracy, 0.9, "\(optimizer) \(schedule)")
            }
        }
    }
}

final class AugmenterTests: XCTestCase {
    func testFlipTwiceIsIdentityAndShiftFillsTheEdge() {
        let image = (0..<12).map(Float.init)   // 3×4, one channel
        var rng = RNG(seed: 1)
        let flip = Augmenter(mode: .flip, height: 3, width: 4, channels: 1, fill: -1)
        // Apply until the coin says flip, twice: back to the original.
        var x = image
        var flips = 0
        while flips < 2 {
            let before = x
            flip.apply(&x, rows: 1, rng: &rng)
            if x != before {
                flips += 1
                if flips == 1 { XCTAssertEqual(Array(x[0..<4]), [3, 2, 1, 0]) }
            }
        }
        XCTAssertEqual(x, image)
        let shift = Augmenter(mode: .shift, height: 3, width: 4, channels: 1, fill: -1)
        var moved = false
        for _ in 0..<20 {
            var y = image
            shift.apply(&y, rows: 1, rng: &rng)
            if y != image {
                moved = true
                XCTAssertTrue(y.contains(-1), "pixels shifted in take the fill value")
                XCTAssertTrue(y.filter { $0 != -1 }.allSatisfy(image.contains))
            }
        }
        XCTAssertTrue(moved)
    }
}
