// Two-class metrics: AUC and F1 against hand-computed values, and the trainer reporting them
// each epoch (and refusing them where the task does not compute them).
import Datasets
import Search
import TestSupport
import XCTest
@testable import Training

final class BinaryMetricsTests: XCTestCase {
    func rows(_ p1: [Float]) -> [Float] { p1.flatMap { [1 - $0, $0] } }

    func testAUCAndF1ByHand() {
        // Scores 0.9 (pos), 0.8 (neg), 0.7 (pos), 0.3 (neg), 0.3 (pos): of 3 × 2 = 6 pairs the
        // positive scores higher in 0.9>0.8, 0.9>0.3, 0.7>0.3 and ties 0.3=0.3 (½); loses 0.7<0.8,
        // 0.3<0.8: AUC = (1 + 1 + 1 + 0.5 + 0 + 0) / 6 = 3.5/6.
        let (auc, f1) = BinaryMetrics.compute(probabilities: rows([0.9, 0.8, 0.7, 0.3, 0.3]), labels: [1, 0, 1, 0, 1])
        XCTAssertEqual(auc, 3.5 / 6, accuracy: 1e-12)
        // Predicted positive (p > 0.5): 0.9 (TP), 0.8 (FP), 0.7 (TP); FN: the last. F1 = 4 / (4 + 1 + 1).
        XCTAssertEqual(f1, 4.0 / 6, accuracy: 1e-12)
        // Perfect and reversed rankings; one class absent: AUC undefined.
        XCTAssertEqual(BinaryMetrics.compute(probabilities: rows([0.1, 0.2, 0.8]), labels: [0, 0, 1]).auc, 1)
        XCTAssertEqual(BinaryMetrics.compute(probabilities: rows([0.9, 0.2, 0.1]), labels: [0, 0, 1]).auc, 0)
        XCTAssertTrue(BinaryMetrics.compute(probabilities: rows([0.9, 0.2]), labels: [1, 1]).auc.isNaN)
        // Exactly 0.5 is not predicted positive (the argmax takes the first class on ties).
        XCTAssertEqual(BinaryMetrics.compute(probabilities: rows([0.5, 0.6]), labels: [1, 1]).f1, 2.0 / 3, accuracy: 1e-12)
    }

    func testTheTrainerReportsAUCAndF1EveryEpochForTwoClassesAndCanRankByThem() throws {
        let data = Fixtures.blobData(train: 400, classes: 2)
        let trainer = try Trainer(config: Fixtures.mlp(), data: data, seed: 3, maxEpochs: 3, metric: MetricSpec(name: "val_auc", goal: .maximize))
        let result = trainer.train()
        XCTAssertEqual(result.history.count, 3)
        for e in result.history {
            XCTAssertEqual(Set(e.metrics.keys), ["val_auc", "val_f1"])
            XCTAssertGreaterThan(e.metrics["val_auc"]!, 0.9, "separable blobs")
            XCTAssertEqual(e.value(of: trainer.metric), e.metrics["val_auc"])
        }
        let best = try XCTUnwrap(result.best)
        XCTAssertEqual(best.metrics["val_auc"], result.history.map { $0.metrics["val_auc"]! }.max())
        // The evaluation agrees with the metric computed from its own probabilities.
        let v = trainer.evaluate(data.validation)
        XCTAssertEqual(v.metrics["auc"], BinaryMetrics.compute(probabilities: v.probabilities, labels: data.validation.labels).auc)
    }

    func testAMetricTheTaskDoesNotComputeIsRefusedSayingWhichItDoes() {
        XCTAssertThrowsError(try Trainer(config: Fixtures.mlp(), data: Fixtures.blobData(classes: 3), seed: 1, maxEpochs: 1,
                                         metric: MetricSpec(name: "val_f1", goal: .maximize))) { error in
            XCTAssertEqual("\(error)", "parameter 'metric': val_f1 needs two classes, and this data has 3 classes: use one of val_loss, val_accuracy")
        }
        let threeClasses = try? Trainer(config: Fixtures.mlp(), data: Fixtures.blobData(classes: 3), seed: 1, maxEpochs: 1).train()
        XCTAssertEqual(threeClasses?.history.first?.metrics, [:], "three classes: no further metrics")
    }
}
