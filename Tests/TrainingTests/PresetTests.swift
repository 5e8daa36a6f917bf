// The `mlp` and `cnn` presets are layer lists built by the layer language's code path; each must
// build exactly the network the family built by hand before (the code of fcd4516, kept here as
// `handBuilt`): same layers, parameter names, weights bit for bit, outputs, parameters and FLOPs.
import Datasets
import NN
import Search
import TensorCore
import XCTest
@testable import Training

final class PresetTests: XCTestCase {
    /// The MLP and CNN as the families built them before they became presets.
    static func handBuilt(_ config: TrainingConfig, for shape: DataShape, rng: inout RNG) -> (model: Sequential, cost: ModelCost) {
        if config.model == .mlp {
            var stack = ModelBuilder.LayerStack(config, features: shape.featureCount)
            for _ in 0..<config.depth { stack.hidden(config.width, rng: &rng) }
            return stack.finish(shape, rng: &rng)
        }
        let image = shape.imageShape!
        var stack = ModelBuilder.LayerStack(config, features: 0)
        var (h, w, c) = (image[0], image[1], image[2])
        stack.append(Reshape(image))
        for block in 0..<config.convBlocks {
            let out = config.channels << block
            stack.append(Conv2D(inChannels: c, outChannels: out, kernel: config.kernel, bias: !config.batchNorm,
                                initializer: config.initializer, rng: &rng), flops: 2 * h * w * out * config.kernel * config.kernel * c)
            if config.batchNorm { stack.append(BatchNorm(features: out)) }
            stack.append(Activation(config.activation))
            stack.append(MaxPool2D(kernel: 2))
            (h, w, c) = (h / 2, w / 2, out)
        }
        stack.append(Flatten())
        stack.features = h * w * c
        stack.dropout(rng: &rng)
        stack.hidden(config.denseWidth, rng: &rng)
        return stack.finish(shape, rng: &rng)
    }

    func assertSame(_ config: TrainingConfig, _ data: PreparedData, _ what: String) throws {
        var a = RNG(seed: 11), b = RNG(seed: 11)
        let preset = try ModelBuilder.build(config, for: data, rng: &a)
        let hand = Self.handBuilt(config, for: ModelBuilder.shape(of: data), rng: &b)
        XCTAssertEqual(preset.cost, hand.cost, what)
        XCTAssertEqual(preset.model.namedParameters.map(\.0), hand.model.namedParameters.map(\.0), what)
        XCTAssertEqual(preset.model.layers.map(\.layerName), hand.model.layers.map(\.layerName), what)
        for ((name, p), (_, q)) in zip(preset.model.namedParameters, hand.model.namedParameters) {
            XCTAssertEqual(p.data.map(\.bitPattern), q.data.map(\.bitPattern), "\(what): \(name)")
        }
        XCTAssertEqual(a.nextUInt64(), b.nextUInt64(), "\(what): the same random draws")
        let x = Tensor(shape: [4, data.featureCount], data: Array(data.validation.features.prefix(4 * data.featureCount)))
        preset.model.isTraining = false
        hand.model.isTraining = false
        XCTAssertEqual(preset.model(x).data.map(\.bitPattern), hand.model(x).data.map(\.bitPattern), what)
    }

    func testTheMLPPresetBuildsTheHandBuiltNetwork() throws {
        let data = Fixtures.blobData(train: 100)
        for (depth, bn, dropout) in [(1, false, 0.0), (2, true, 0.0), (3, false, 0.3), (2, true, 0.2)] {
            var c = Fixtures.mlp(width: 12, depth: depth)
            c.batchNorm = bn
            c.dropout = dropout
            c.activation = .gelu
            try assertSame(c, data, "mlp depth \(depth) bn \(bn) dropout \(dropout)")
        }
    }

    func testTheCNNPresetBuildsTheHandBuiltNetwork() throws {
        let data = Fixtures.imageData()
        for (blocks, bn, dropout, kernel) in [(1, false, 0.0, 3), (2, true, 0.0, 3), (2, false, 0.25, 5)] {
            var c = Fixtures.cnn()
            c.convBlocks = blocks
            c.batchNorm = bn
            c.dropout = dropout
            c.kernel = kernel
            try assertSame(c, data, "cnn blocks \(blocks) bn \(bn) dropout \(dropout) kernel \(kernel)")
        }
    }

    func testThePresetsAreLayerListsOfTheLanguage() {
        var c = Fixtures.mlp(width: 64, depth: 2)
        c.batchNorm = true
        XCTAssertEqual(MLPFamily.layers(c).map(\.description),
                       ["dense {units: 64, bias: false}", "batch_norm", "relu", "dense {units: 64, bias: false}", "batch_norm", "relu"])
        var k = Fixtures.cnn()
        k.convBlocks = 2
        k.channels = 8
        XCTAssertEqual(CNNFamily.layers(k).map(\.description).prefix(5),
                       ["conv2d {channels: 8, kernel: 3, stride: 1, padding: same}", "relu", "max_pool {size: 2, stride: 2}",
                        "conv2d {channels: 16, kernel: 3, stride: 1, padding: same}", "relu"])
    }
}
