// model: {layers: [...]}: the sweep file's own architecture, built by LayerListFamily with shapes
// inferred layer by layer, checked at its parameters' extremes before any rank starts, and
// trained like any family.
import Search
import TensorCore
import XCTest
@testable import Training

final class LayerListTests: XCTestCase {
    /// The issue's example, on 28×28×1 images.
    static let example = """
    name: resnet
    seed: 3
    model:
      layers:
        - conv2d: {channels: "${channels}", kernel: 3}
        - batch_norm
        - relu
        - repeat: "${blocks}"
          layers:
            - residual:
                - conv2d: {channels: "${channels}", kernel: 3}
                - batch_norm
                - relu
                - conv2d: {channels: "${channels}", kernel: 3}
                - batch_norm
            - relu
        - max_pool: {size: 2}
        - conv2d: {channels: "${channels} * 2", kernel: 3, stride: 1}
        - global_avg_pool
        - dropout: {rate: "${dropout}"}
        - dense: {units: "${width}"}
        - activation: "${activation}"
    budget: {trials: 4, max_epochs: 2}
    parameters:
      channels: {values: [8, 16]}
      blocks: {distribution: int_uniform, min: 1, max: 3}
      dropout: {distribution: uniform, min: 0.0, max: 0.5}
      width: {values: [32, 128]}
      activation: {values: [relu, gelu]}
      learning_rate: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-2}
    """
    let fashion = DataShape(featureCount: 784, imageShape: [28, 28, 1], classCount: 10)

    func spec(_ yaml: String) throws -> SweepSpec {
        let s = try SweepSpec.parse(yaml: yaml, file: "net.yaml", vocabulary: TrainingConfig.vocabulary)
        try s.validateForTraining()
        return s
    }

    func testTheIssuesExampleBuildsAtEveryExtremeAndCountsItself() throws {
        let s = try spec(Self.example)
        XCTAssertNoThrow(try s.checkLayerShapes(for: fashion))
        let config = try s.trainingConfig(Configuration(["channels": .int(16), "blocks": .int(2), "dropout": .double(0.2),
                                                           "width": .int(128), "activation": .string("gelu"), "learning_rate": .double(1e-3)]))
        XCTAssertEqual(config.learningRate, 1e-3, "the trainer's parameters are the trainer's")
        XCTAssertEqual(config.layers?.count, 13, "repeat 2 expands inline: 3 + 2 × 2 + 6")
        var rng = RNG(seed: 1)
        let (model, cost) = try LayerListFamily().build(config, for: fashion, rng: &rng)
        let summary = try model.summary(input: [784])
        XCTAssertEqual(summary.parameters, cost.parameters)
        XCTAssertEqual(summary.flopsPerExample, cost.flopsPerExample)
        XCTAssertEqual(summary.output, [10])
        // 16 ch 3×3 on 1 ch: 16·9 + 16; each residual conv 16·16·9 + 16; BN 2·16; the 32-ch conv; dense; head.
        let conv = { (i: Int, o: Int) in o * i * 9 + o }
        XCTAssertEqual(cost.parameters, conv(1, 16) + 32 + 2 * (2 * conv(16, 16) + 2 * 32) + conv(16, 32) + (32 * 128 + 128) + (128 * 10 + 10))
        XCTAssertTrue(config.fingerprint.contains { $0.hasPrefix("layers = conv2d") }, "resume refuses a state of another architecture")
    }

    func testALayerThatCannotTakeItsInputIsRefusedAtItsLineWithTheValues() throws {
        let bad = Self.example.replacingOccurrences(of: "    - global_avg_pool\n", with: "")
        let s = try spec(bad)
        XCTAssertThrowsError(try s.checkLayerShapes(for: fashion)) { error in
            XCTAssertTrue("\(error)".hasPrefix("net.yaml:20:7: layer "), "\(error)")
            XCTAssertTrue("\(error)".contains("dense: input [N, 14, 14, 16] has 3 dimensions after the batch; add flatten or global_avg_pool before it (when "), "\(error)")
        }
        // Five 2×2 pools shrink a 28×28 image below 1×1 at the fifth.
        let pools = """
        name: pools
        model:
          layers:
            - repeat: "${n}"
              layers:
                - conv2d: {channels: 4, kernel: 3}
                - max_pool: {size: 2}
            - flatten
        budget: {trials: 2, max_epochs: 1}
        parameters:
          n: {values: [2, 5]}
        """
        XCTAssertThrowsError(try spec(pools).checkLayerShapes(for: fashion)) { error in
            XCTAssertTrue("\(error)".hasPrefix("pools.yaml:7:11: layer 10 max_pool: input [N, 1, 1, 4]") || "\(error)".contains("max_pool: input [N, 1, 1, 4]"), "\(error)")
            XCTAssertTrue("\(error)".contains("(when n = 5)"), "\(error)")
        }
        // Tables: a conv layer on [N, F] features says what it needs.
        let table = DataShape(featureCount: 6, imageShape: nil, classCount: 3)
        XCTAssertThrowsError(try spec(pools).checkLayerShapes(for: table)) { error in
            XCTAssertTrue("\(error)".contains("conv2d: input [N, 6]"), "\(error)")
        }
    }

    func testALayerListTrainsLikeAnyFamily() throws {
        let yaml = """
        name: small
        model:
          layers:
            - conv2d: {channels: "${c}", kernel: 3}
            - relu
            - residual:
                - conv2d: {channels: "${c} * 2", kernel: 3, stride: 2}
                - layer_norm
                - relu
            - global_avg_pool
        budget: {trials: 1, max_epochs: 3}
        parameters:
          c: {value: 4}
          learning_rate: {value: 0.01}
        """
        let s = try spec(yaml)
        let data = Fixtures.imageData()
        try s.checkLayerShapes(for: DataShape(featureCount: data.featureCount, imageShape: data.imageShape, classCount: data.classCount))
        let config = try s.trainingConfig(try s.applying(overrides: [], to: s.defaultConfiguration()))
        let trainer = try Trainer(config: config, data: data, seed: 2, maxEpochs: 3)
        let result = trainer.train()
        XCTAssertEqual(result.history.count, 3)
        XCTAssertLessThan(result.history.last!.trainLoss, result.history.first!.trainLoss, "it learns")
        let again = try Trainer(config: config, data: data, seed: 2, maxEpochs: 3).train()
        XCTAssertEqual(again.history.map(\.validationLoss), result.history.map(\.validationLoss), "same seed, same run")
    }

    /// The recipe's checks build a layer list's plain model without its dropout (whose masks
    /// would make central differences noise) and shrink it for the gradient check: a list with
    /// dropout 0.5 and 16 channels passes both (it failed both before they did).
    func testTheRecipeChecksStripALayerListsDropoutAndShrinkItForTheGradientCheck() throws {
        let yaml = """
        name: small
        model:
          layers:
            - conv2d: {channels: 16, kernel: 3}
            - batch_norm
            - relu
            - residual:
                - conv2d: {channels: 16, kernel: 3}
                - relu
                - dropout: {rate: 0.5}
            - flatten
            - dropout: {rate: "${dropout}"}
            - dense: {units: 32}
            - relu
        budget: {trials: 1, max_epochs: 3}
        parameters:
          dropout: {value: 0.5}
        """
        let s = try spec(yaml)
        let data = Fixtures.imageData()
        let config = try s.trainingConfig(try s.applying(overrides: [], to: s.defaultConfiguration()))
        let check = RecipeCheck(data: data, config: config, seed: 3)
        func rates(_ layers: [ConcreteLayer]) -> [Double] {
            layers.flatMap { l -> [Double] in
                switch l.operation {
                case .dropout(let r): return [r]
                case .residual(let body): return rates(body)
                default: return []
                }
            }
        }
        XCTAssertEqual(rates(config.layers ?? []), [0.5, 0.5])
        XCTAssertEqual(rates(check.plainConfig.layers ?? []), [0, 0])
        let gradient = try check.gradientCheck()
        XCTAssertEqual(gradient.status, .pass, gradient.summary)
        XCTAssertEqual(try check.overfitOneBatch().status, .pass)
    }
}
