// Every sweep file shipped in sweeps/ parses, validates for training, and builds its default model.
import Foundation
import Search
import TensorCore
import XCTest
@testable import Training

final class SweepFilesTests: XCTestCase {
    static let sweepsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sweeps")

    func testEveryShippedSweepFileIsValid() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.sweepsDirectory.path)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 2)
        XCTAssertTrue(files.contains("fashion-mlp.yaml") && files.contains("fashion-cnn.yaml") && files.contains("fashion-resnet.yaml"))
        for name in files {
            let spec = try SweepSpec.loadForTraining(path: Self.sweepsDirectory.appendingPathComponent(name).path)
            try spec.checkLayerShapes(for: DataShape(featureCount: 784, imageShape: [28, 28, 1], classCount: 10))
            let config = try spec.trainingConfig(spec.defaultConfiguration())
            var rng = RNG(seed: spec.seed)
            let (model, cost) = try ModelBuilder.build(config, featureCount: 784, imageShape: [28, 28, 1], classCount: 10, rng: &rng)
            XCTAssertGreaterThan(cost.parameters, 1000, name)
            XCTAssertEqual(model(Tensor.zeros([2, 784])).shape, [2, 10], name)
            if let distill = spec.distill {
                // The student: the default configuration with distill.student applied, never bigger.
                let student = try spec.trainingConfig(DistillationSweep.student(base: spec.defaultConfiguration(), overrides: distill.student))
                let small = try ModelBuilder.build(student, featureCount: 784, imageShape: [28, 28, 1], classCount: 10, rng: &rng).cost
                XCTAssertLessThanOrEqual(small.parameters, cost.parameters, name)
            }
        }
    }

    func testTrainerRulesAreReportedAtTheParameter() throws {
        let yaml = """
        name: bad
        model: mlp
        budget: {trials: 4, max_epochs: 2}
        parameters:
          learning_rate: {value: 0.001}
          optimizer: {values: [adam, rmsprop]}
        """
        let spec = try SweepSpec.parse(yaml: yaml, file: "bad.yaml", vocabulary: TrainingConfig.vocabulary)
        XCTAssertThrowsError(try spec.validateForTraining()) { error in
            let e = error as? SweepSpecError
            XCTAssertEqual(e?.location.line, 6)
            XCTAssertTrue("\(error)".hasPrefix("bad.yaml:6:"), "\(error)")
            XCTAssertTrue("\(error)".contains("rmsprop"), "\(error)")
        }
    }
}
