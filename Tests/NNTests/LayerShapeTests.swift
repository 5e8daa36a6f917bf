// Shapes, parameter counts and FLOPs as the layers count them (Layer.outputShape(for:),
// flopsPerExample(for:), Sequential.summary(input:)): the MLP and CNN the families build today
// counted against the formulas ModelBuilder/MLPFamily/CNNFamily use by hand (2·in·out per dense,
// 2·H·W·out·k·k·in per conv), and the errors for inputs a layer cannot take, word for word.
import TestSupport
import XCTest
import TensorCore
import NN

/// A layer from outside NN that does not implement the shape API.
final class Opaque: StatelessLayer {
    func callAsFunction(_ x: Tensor) -> Tensor { x }
}

final class LayerShapeTests: XCTestCase {
    /// The LayerShapeError `body` throws (closures infer `any Error`, so it is cast).
    func shapeError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> LayerShapeError? {
        do { try body() } catch let error as LayerShapeError { return error } catch {
            XCTFail("expected a LayerShapeError, got \(error)", file: file, line: line)
            return nil
        }
        XCTFail("expected a LayerShapeError", file: file, line: line)
        return nil
    }

    // MARK: Today's models, counted by their layers

    func testMLPMatchesTheHandCount() throws {
        // MLPFamily with depth 2, width 256 on 784 features and 10 classes (no batch norm, no dropout).
        var rng = RNG(seed: 1)
        let mlp = Sequential(Dense(784, 256, rng: &rng), Activation(.relu), Dense(256, 256, rng: &rng), Activation(.relu),
                             Dense(256, 10, rng: &rng))
        let summary = try mlp.summary(input: [784])
        // LayerStack.hidden/finish: 2·features·width per dense layer.
        let handFLOPs = 2 * 784 * 256 + 2 * 256 * 256 + 2 * 256 * 10
        XCTAssertEqual(summary.flopsPerExample, handFLOPs)
        XCTAssertEqual(summary.flopsPerExample, 537_600)
        XCTAssertEqual(mlp.flopsPerExample(for: [784]), handFLOPs)
        XCTAssertEqual(summary.parameters, 784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10)
        XCTAssertEqual(summary.parameters, mlp.parameterCount)
        XCTAssertEqual(summary.output, [10])
        XCTAssertEqual(summary.rows.map(\.name), ["dense", "relu", "dense", "relu", "dense"])
        XCTAssertEqual(summary.rows.map(\.outputShape), [[256], [256], [256], [256], [10]])
        XCTAssertEqual(summary.rows.map(\.parameters), [200_960, 0, 65_792, 0, 2_570])
        XCTAssertEqual(summary.rows.map(\.flops), [401_408, 0, 131_072, 0, 5_120])
        XCTAssertEqual(summary.rows.map(\.key), ["0", "1", "2", "3", "4"])
    }

    /// CNNFamily's network for a 28×28×1 image: reshape, conv_blocks × (conv same → [BN] → relu →
    /// max-pool 2), flatten, [dropout], dense (→ [BN] → relu), output dense.
    func cnn(batchNorm: Bool, blocks: Int = 2, channels: Int = 32, kernel: Int = 3, denseWidth: Int = 128,
             image: [Int] = [28, 28, 1], classes: Int = 10, rng: inout RNG) -> Sequential {
        var layers: [any Layer] = [Reshape(image)]
        var (h, w, c) = (image[0], image[1], image[2])
        for block in 0..<blocks {
            let out = channels << block
            layers.append(Conv2D(inChannels: c, outChannels: out, kernel: kernel, bias: !batchNorm, rng: &rng))
            if batchNorm { layers.append(BatchNorm(features: out)) }
            layers += [Activation(.relu), MaxPool2D(kernel: 2)]
            (h, w, c) = (h / 2, w / 2, out)
        }
        layers.append(Flatten())
        layers.append(Dropout(rate: 0.25, rng: &rng))
        layers.append(Dense(h * w * c, denseWidth, bias: !batchNorm, rng: &rng))
        if batchNorm { layers.append(BatchNorm(features: denseWidth)) }
        layers += [Activation(.relu), Dense(denseWidth, classes, rng: &rng)]
        return Sequential(layers)
    }

    /// CNNFamily's hand count: 2·H·W·out·k·k·in per conv block (H, W before its pool), then the
    /// dense layers' 2·in·out.
    func handCNNFLOPs(blocks: Int, channels: Int, kernel: Int, denseWidth: Int, image: [Int], classes: Int) -> Int {
        var (h, w, c, flops) = (image[0], image[1], image[2], 0)
        for block in 0..<blocks {
            let out = channels << block
            flops += 2 * h * w * out * kernel * kernel * c
            (h, w, c) = (h / 2, w / 2, out)
        }
        return flops + 2 * h * w * c * denseWidth + 2 * denseWidth * classes
    }

    func testCNNMatchesTheHandCount() throws {
        var rng = RNG(seed: 2)
        let model = cnn(batchNorm: true, rng: &rng)
        let summary = try model.summary(input: [784])
        let hand = handCNNFLOPs(blocks: 2, channels: 32, kernel: 3, denseWidth: 128, image: [28, 28, 1], classes: 10)
        XCTAssertEqual(summary.flopsPerExample, hand)
        XCTAssertEqual(hand, 2 * 28 * 28 * 32 * 9 + 2 * 14 * 14 * 64 * 9 * 32 + 2 * 3136 * 128 + 2 * 128 * 10)
        XCTAssertEqual(summary.parameters, model.parameterCount)
        XCTAssertEqual(summary.parameters, (32 * 9 + 2 * 32) + (64 * 9 * 32 + 2 * 64) + (3136 * 128 + 2 * 128) + (128 * 10 + 10))
        XCTAssertEqual(summary.rows.map(\.name), ["reshape", "conv2d", "batch_norm", "relu", "max_pool",
                                                  "conv2d", "batch_norm", "relu", "max_pool", "flatten", "dropout",
                                                  "dense", "batch_norm", "relu", "dense"])
        XCTAssertEqual(summary.rows.map(\.outputShape), [[28, 28, 1], [28, 28, 32], [28, 28, 32], [28, 28, 32], [14, 14, 32],
                                                         [14, 14, 64], [14, 14, 64], [14, 14, 64], [7, 7, 64], [3136], [3136],
                                                         [128], [128], [128], [10]])
        XCTAssertEqual(summary.rows.filter { $0.flops > 0 }.map(\.name), ["conv2d", "conv2d", "dense", "dense"],
                       "only dense and conv layers count FLOPs")
        XCTAssertEqual(summary.rows.map(\.parameters).reduce(0, +), summary.parameters)
        XCTAssertEqual(summary.rows.map(\.flops).reduce(0, +), summary.flopsPerExample)
        // The layers' count follows the configuration as the hand formula does: odd sizes, other widths.
        for (blocks, channels, kernel, image) in [(1, 8, 5, [28, 28, 1]), (3, 16, 3, [32, 32, 3]), (2, 4, 7, [15, 13, 2])] {
            var r = RNG(seed: 3)
            let m = cnn(batchNorm: false, blocks: blocks, channels: channels, kernel: kernel, denseWidth: 64, image: image,
                        classes: 7, rng: &r)
            let s = try m.summary(input: [image.reduce(1, *)])
            XCTAssertEqual(s.flopsPerExample, handCNNFLOPs(blocks: blocks, channels: channels, kernel: kernel, denseWidth: 64,
                                                           image: image, classes: 7), "\(blocks) blocks, \(image)")
            XCTAssertEqual(s.parameters, m.parameterCount)
            XCTAssertEqual(try m.outputShape(for: [image.reduce(1, *)]), [7])
        }
    }

    func testShapesAgreeWithTheForwardPass() throws {
        var rng = RNG(seed: 4)
        let model = Sequential(
            Conv2D(inChannels: 3, outChannels: 8, kernel: 3, stride: 2, padding: .same, rng: &rng), LayerNorm(features: 8),
            Activation(.gelu),
            try Residual(inner: Sequential(Conv2D(inChannels: 8, outChannels: 16, kernel: 3, stride: 2, padding: .same, rng: &rng),
                                           BatchNorm(features: 16), Activation(.relu),
                                           Conv2D(inChannels: 16, outChannels: 16, kernel: 3, padding: .same, rng: &rng)),
                         input: [5, 6, 8], rng: &rng),
            AvgPool2D(kernel: 2, stride: 1), MaxPool2D(kernel: 1), GlobalAvgPool2D(), Dropout(rate: 0.1, rng: &rng),
            Dense(16, 4, rng: &rng), LayerNorm(features: 4), Activation(.tanh))
        let summary = try model.summary(input: [9, 11, 3])
        let x = TestData.normal([2, 9, 11, 3], seed: 5)
        model.isTraining = false
        var out = x
        let top = summary.rows.filter { $0.depth == 0 }
        XCTAssertEqual(top.count, model.layers.count)
        for (layer, row) in zip(model.layers, top) {
            out = layer(out)
            XCTAssertEqual(Array(out.shape.dropFirst()), row.outputShape, row.key + " " + row.name)
        }
        XCTAssertEqual(summary.output, [4])
        // The residual's rows: itself, its four layers, its projection.
        XCTAssertEqual(summary.rows.filter { $0.key.hasPrefix("3") }.map(\.key),
                       ["3", "3.inner.0", "3.inner.1", "3.inner.2", "3.inner.3", "3.projection"])
        let residual = summary.rows.first { $0.key == "3" }!
        let inside = summary.rows.filter { $0.key.hasPrefix("3.") }
        XCTAssertEqual(residual.parameters, inside.map(\.parameters).reduce(0, +))
        XCTAssertEqual(residual.flops, inside.map(\.flops).reduce(0, +))
        let projection = summary.rows.first { $0.key == "3.projection" }!
        XCTAssertEqual(projection.outputShape, [3, 3, 16])
        XCTAssertEqual(projection.flops, 2 * 3 * 3 * 16 * 1 * 1 * 8)
        XCTAssertEqual(top.map(\.parameters).reduce(0, +), model.parameterCount)
        XCTAssertEqual(top.map(\.flops).reduce(0, +), summary.flopsPerExample)
        // The parameter keys are the rows' keys.
        XCTAssertTrue(model.namedParameters.map(\.0).contains("3.projection.weight"))
        XCTAssertTrue(model.namedParameters.map(\.0).contains("3.inner.3.weight"))
        // The table prints every row and the totals.
        let table = summary.description
        XCTAssertTrue(table.contains("  3.projection conv2d"), table)
        XCTAssertTrue(table.contains("\(model.parameterCount) parameters, \(summary.flopsPerExample) FLOPs per example"), table)
        XCTAssertEqual(table.split(separator: "\n").count, summary.rows.count + 3)
    }

    func testParameterAndFLOPCountsOfEachNewLayer() throws {
        var rng = RNG(seed: 6)
        let conv = Conv2D(inChannels: 3, outChannels: 5, kernel: 3, stride: 2, padding: .valid, rng: &rng)
        XCTAssertEqual(try conv.outputShape(for: [9, 8, 3]), [4, 3, 5])
        XCTAssertEqual(conv.flopsPerExample(for: [9, 8, 3]), 2 * 4 * 3 * 5 * 9 * 3)
        XCTAssertEqual(conv.parameterCount, 5 * 9 * 3 + 5)
        XCTAssertEqual(try AvgPool2D(kernel: 3, stride: 2).outputShape(for: [7, 8, 4]), [3, 3, 4])
        XCTAssertEqual(try GlobalAvgPool2D().outputShape(for: [7, 8, 4]), [4])
        XCTAssertEqual(AvgPool2D().flopsPerExample(for: [4, 4, 2]), 0)
        let ln = LayerNorm(features: 6)
        XCTAssertEqual(ln.parameterCount, 12)
        XCTAssertEqual(try ln.outputShape(for: [3, 3, 6]), [3, 3, 6])
        XCTAssertEqual(try ln.outputShape(for: [6]), [6])
        let emb = Embedding(vocabulary: 11, dim: 4, rng: &rng)
        XCTAssertEqual(emb.parameterCount, 44)
        XCTAssertEqual(try emb.outputShape(for: [3]), [12])
        XCTAssertEqual(emb.flopsPerExample(for: [3]), 0)
        let vector = try Residual(inner: Sequential(Dense(4, 6, rng: &rng)), input: [4], rng: &rng)
        XCTAssertEqual(vector.parameterCount, (4 * 6 + 6) + 4 * 6)
        XCTAssertEqual(vector.flopsPerExample(for: [4]), 2 * 4 * 6 + 2 * 4 * 6)
        XCTAssertEqual(try Flatten().outputShape(for: [3, 4, 5]), [60])
        XCTAssertEqual(try Activation(.leakyRelu).outputShape(for: [3, 4, 5]), [3, 4, 5])
        XCTAssertEqual(Activation(.leakyRelu).layerName, "leaky_relu")
        // Before any layer is built (a builder checking the extreme values of a layer list).
        XCTAssertEqual(try Dense.outputShape(units: 10, for: [64]), [10])
        XCTAssertEqual(try Conv2D.outputShape(channels: 8, kernel: 3, stride: 1, padding: 1, for: [28, 28, 1]), [28, 28, 8])
        XCTAssertEqual(try MaxPool2D.outputShape(kernel: 2, for: [7, 7, 3]), [3, 3, 3])
        XCTAssertEqual(try AvgPool2D.outputShape(kernel: 2, stride: 1, for: [7, 7, 3]), [6, 6, 3])
        XCTAssertEqual(try GlobalAvgPool2D.outputShape(for: [7, 7, 3]), [3])
        XCTAssertEqual(try Embedding.outputShape(dim: 5, for: [2]), [10])
    }

    // MARK: Errors a user can act on

    func testDenseOnAnImageSaysToFlatten() {
        var rng = RNG(seed: 7)
        let dense = Dense(3136, 128, rng: &rng)
        let e = shapeError { _ = try dense.outputShape(for: [7, 7, 64]) }
        XCTAssertEqual(e?.description, "dense: input [N, 7, 7, 64] has 3 dimensions after the batch; add flatten or global_avg_pool before it")
        XCTAssertEqual(e?.layer, "dense")
        XCTAssertEqual(e?.input, [7, 7, 64])
        // Inside a model: the position, counted from 1.
        let model = Sequential(Reshape([28, 28, 1]), Conv2D(inChannels: 1, outChannels: 64, kernel: 3, rng: &rng),
                               Activation(.relu), MaxPool2D(kernel: 2), MaxPool2D(kernel: 2), dense)
        let inModel = shapeError { _ = try model.outputShape(for: [784]) }
        XCTAssertEqual(inModel?.path, [5])
        XCTAssertEqual(inModel?.description,
                       "layer 6 dense: input [N, 7, 7, 64] has 3 dimensions after the batch; add flatten or global_avg_pool before it")
        XCTAssertEqual(shapeError { _ = try model.summary(input: [784]) }, inModel)
        XCTAssertEqual(shapeError { _ = try Dense(10, 2, rng: &rng).outputShape(for: [12]) }?.detail,
                       "dense: input [N, 12] has 12 features; this dense layer was built for 10")
    }

    func testPoolBelowOneByOneIsRefused() {
        let e = shapeError { _ = try MaxPool2D(kernel: 2).outputShape(for: [1, 1, 64]) }
        XCTAssertEqual(e?.detail, "max_pool: input [N, 1, 1, 64] is 1×1: a 2×2 max_pool (stride 2) would shrink it below 1×1; "
                       + "remove a pool (or a strided conv) before it, or use a smaller size")
        XCTAssertEqual(shapeError { _ = try AvgPool2D(kernel: 3, stride: 1).outputShape(for: [2, 5, 8]) }?.detail,
                       "avg_pool: input [N, 2, 5, 8] is 2×5: a 3×3 avg_pool (stride 1) would shrink it below 1×1; "
                       + "remove a pool (or a strided conv) before it, or use a smaller size")
        // Five 2×2 pools take 28 → 14 → 7 → 3 → 1; the fifth is refused at its position.
        let pools = Sequential((0..<5).map { _ in MaxPool2D(kernel: 2) as any Layer })
        XCTAssertEqual(shapeError { _ = try pools.outputShape(for: [28, 28, 1]) }?.path, [4])
        XCTAssertEqual(try Sequential((0..<4).map { _ in MaxPool2D(kernel: 2) as any Layer }).outputShape(for: [28, 28, 1]), [1, 1, 1])
    }

    func testImageLayersOnVectorsAndOtherMismatches() {
        var rng = RNG(seed: 8)
        let conv = Conv2D(inChannels: 1, outChannels: 4, kernel: 3, rng: &rng)
        XCTAssertEqual(shapeError { _ = try conv.outputShape(for: [784]) }?.detail,
                       "conv2d: input [N, 784] has 1 dimension after the batch; it needs images [N, H, W, C] "
                       + "(reshape the features to [H, W, C] first, or use a source with images)")
        XCTAssertEqual(shapeError { _ = try conv.outputShape(for: [8, 8, 3]) }?.detail,
                       "conv2d: input [N, 8, 8, 3] has 3 channels; this conv2d was built for 1")
        let big = Conv2D(inChannels: 1, outChannels: 4, kernel: 5, padding: .valid, rng: &rng)
        XCTAssertEqual(shapeError { _ = try big.outputShape(for: [3, 9, 1]) }?.detail,
                       "conv2d: input [N, 3, 9, 1] is 3×9, smaller than the 5×5 kernel with padding 0; "
                       + "use padding: same, a smaller kernel, or fewer pools before it")
        XCTAssertEqual(shapeError { _ = try GlobalAvgPool2D().outputShape(for: [10]) }?.layer, "global_avg_pool")
        XCTAssertEqual(shapeError { _ = try BatchNorm(features: 8).outputShape(for: [4, 4, 16]) }?.detail,
                       "batch_norm: input [N, 4, 4, 16] has 16 channels in its last dimension; this batch_norm was built for 8")
        XCTAssertEqual(shapeError { _ = try LayerNorm(features: 8).outputShape(for: [10]) }?.detail,
                       "layer_norm: input [N, 10] has 10 features in its last dimension; this layer_norm was built for 8")
        XCTAssertEqual(shapeError { _ = try Reshape([28, 28, 3]).outputShape(for: [784]) }?.detail,
                       "reshape: input [N, 784] has 784 values per example; reshaping to [N, 28, 28, 3] needs 2352")
        XCTAssertEqual(shapeError { _ = try Embedding(vocabulary: 5, dim: 2, rng: &rng).outputShape(for: [4, 4, 1]) }?.detail,
                       "embedding: input [N, 4, 4, 1] has 3 dimensions after the batch; it takes [N, F] category ids "
                       + "(integer columns), so put it first, on the integer inputs")
        XCTAssertEqual(shapeError { _ = try Opaque().outputShape(for: [3]) }?.detail,
                       "opaque: input [N, 3] cannot be checked: Opaque does not implement outputShape(for:)")
        XCTAssertEqual(Opaque().flopsPerExample(for: [3]), 0)
    }

    func testResidualShapeErrors() throws {
        var rng = RNG(seed: 9)
        // Without a projection, the inner stack must keep the shape.
        let bare = Residual(inner: Sequential(Conv2D(inChannels: 4, outChannels: 8, kernel: 3, rng: &rng)))
        XCTAssertEqual(shapeError { _ = try bare.outputShape(for: [6, 6, 4]) }?.detail,
                       "residual: input [N, 6, 6, 4] becomes [N, 6, 6, 8] through its layers; without a projection a residual "
                       + "must keep the shape (Residual(inner:input:rng:) adds a 1×1 conv or dense projection)")
        // An error inside the residual keeps its position: layer 2 of the model, layer 3 inside.
        let inner = Sequential(Conv2D(inChannels: 4, outChannels: 4, kernel: 3, rng: &rng), Activation(.relu),
                               Dense(4, 4, rng: &rng))
        let model = Sequential(Activation(.relu), Residual(inner: inner))
        let e = shapeError { _ = try model.outputShape(for: [6, 6, 4]) }
        XCTAssertEqual(e?.path, [1, 2])
        XCTAssertEqual(e?.description,
                       "layer 2.3 dense: input [N, 6, 6, 4] has 3 dimensions after the batch; add flatten or global_avg_pool before it")
        // No projection can change the rank or grow the image.
        XCTAssertThrowsError(try Residual(inner: Sequential(Flatten()), input: [2, 2, 3], rng: &rng)) { error in
            XCTAssertTrue("\(error)".contains("must keep images as images"), "\(error)")
        }
        XCTAssertThrowsError(try Residual(inner: Sequential(Conv2D(inChannels: 3, outChannels: 3, kernel: 3, padding: .explicit(2), rng: &rng)),
                                          input: [4, 4, 3], rng: &rng)) { error in
            XCTAssertTrue("\(error)".contains("no 1×1 conv projection"), "\(error)")
        }
        // A max pool inside: 7 → 3 needs stride 3 for a 1×1 conv ((7 − 1) / 3 + 1 = 3).
        let pooled = try Residual(inner: Sequential(MaxPool2D(kernel: 2)), input: [7, 7, 2], rng: &rng)
        XCTAssertEqual((pooled.projection as? Conv2D)?.stride, 3)
        XCTAssertEqual(try pooled.outputShape(for: [7, 7, 2]), [3, 3, 2])
        // A projection built for one shape refuses another.
        XCTAssertEqual(shapeError { _ = try pooled.outputShape(for: [8, 8, 2]) }?.layer, "residual")
    }
}
