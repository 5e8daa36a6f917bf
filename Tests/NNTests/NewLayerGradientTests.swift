// Central-difference gradient checks for the layers of the layer language that the first
// families did not need: Residual (identity skip, 1×1 conv projection with stride, dense
// projection), AvgPool2D with a stride, GlobalAvgPool2D, LayerNorm on [N, F] and [N, H, W, C],
// Embedding, and Conv2D with `padding: same | valid | N` at strides 1 and 2.
import TestSupport
import XCTest
import TensorCore
import NN

final class NewLayerGradientTests: XCTestCase {
    /// Gives every 1-D parameter (biases, gains) non-trivial values.
    func perturbVectors(_ layer: any Layer, seed: UInt64) {
        var rng = RNG(seed: seed)
        for p in layer.parameters where p.rank == 1 { p.assign(rng.normalArray(p.count, std: 0.5)) }
    }

    func testResidualIdentitySkipGradient() throws {
        var rng = RNG(seed: 1)
        let block = try Residual(inner: Sequential(Dense(4, 4, rng: &rng), Activation(.tanh), Dense(4, 4, rng: &rng)),
                                 input: [4], rng: &rng)
        XCTAssertNil(block.projection, "the shape is kept: no projection")
        perturbVectors(block, seed: 2)
        let x = TestData.normal([3, 4], seed: 3)
        GradCheck.check("Residual identity", wrt: [x] + block.parameters, h: 1e-3) { block(x) }
        // y − x is the inner stack's output.
        let y = Tensor.withoutGrad { block(x) }, inner = Tensor.withoutGrad { block.inner(x) }
        assertClose(y.data, zip(inner.data, x.data).map { $0 + $1 }, accuracy: 0, "inner(x) + x")
    }

    func testResidualConvProjectionWithStrideGradient() throws {
        var rng = RNG(seed: 4)
        let inner = Sequential(Conv2D(inChannels: 2, outChannels: 3, kernel: 3, stride: 2, padding: .same, rng: &rng),
                               Activation(.tanh), Conv2D(inChannels: 3, outChannels: 3, kernel: 3, padding: .same, rng: &rng))
        let block = try Residual(inner: inner, input: [5, 5, 2], rng: &rng)
        let projection = try XCTUnwrap(block.projection as? Conv2D)
        XCTAssertEqual(projection.weight.shape, [3, 1, 1, 2], "1×1 conv from 2 to 3 channels")
        XCTAssertEqual(projection.stride, 2)
        XCTAssertEqual(projection.padding, 0)
        XCTAssertNil(projection.bias)
        XCTAssertEqual(try block.outputShape(for: [5, 5, 2]), [3, 3, 3])
        perturbVectors(block, seed: 5)
        let x = TestData.normal([2, 5, 5, 2], seed: 6)
        XCTAssertEqual(block(x).shape, [2, 3, 3, 3])
        GradCheck.check("Residual conv projection s2", wrt: [x] + block.parameters, h: 1e-3) { block(x) }
    }

    func testResidualChannelOnlyProjectionAndDenseProjectionGradient() throws {
        var rng = RNG(seed: 7)
        let widen = try Residual(inner: Sequential(Conv2D(inChannels: 2, outChannels: 4, kernel: 3, rng: &rng), Activation(.elu)),
                                 input: [4, 4, 2], rng: &rng)
        XCTAssertEqual((widen.projection as? Conv2D)?.stride, 1)
        perturbVectors(widen, seed: 8)
        let x = TestData.normal([2, 4, 4, 2], seed: 9)
        GradCheck.check("Residual conv projection s1", wrt: [x] + widen.parameters, h: 1e-3) { widen(x) }

        let vector = try Residual(inner: Sequential(Dense(3, 5, rng: &rng), Activation(.tanh)), input: [3], rng: &rng)
        let dense = try XCTUnwrap(vector.projection as? Dense)
        XCTAssertEqual(dense.weight.shape, [3, 5])
        XCTAssertNil(dense.bias)
        perturbVectors(vector, seed: 10)
        let v = TestData.normal([4, 3], seed: 11)
        GradCheck.check("Residual dense projection", wrt: [v] + vector.parameters, h: 1e-3) { vector(v) }
    }

    func testPoolingLayersGradient() {
        let x = TestData.normal([2, 5, 5, 3], seed: 12)
        let pool = AvgPool2D(kernel: 3, stride: 2)
        XCTAssertEqual(pool(x).shape, [2, 2, 2, 3])
        GradCheck.check("AvgPool2D k3 s2", wrt: [x]) { pool(x) }
        let plain = AvgPool2D()
        XCTAssertEqual(plain.kernel, 2)
        XCTAssertEqual(plain.stride, 2)
        GradCheck.check("AvgPool2D k2", wrt: [x]) { plain(x) }
        let global = GlobalAvgPool2D()
        XCTAssertEqual(global(x).shape, [2, 3])
        GradCheck.check("GlobalAvgPool2D", wrt: [x]) { global(x) }
        let strided = MaxPool2D(kernel: 3, stride: 1)
        let s = TestData.spaced([1, 4, 4, 2], gap: 0.05, seed: 13)
        XCTAssertEqual(strided(s).shape, [1, 2, 2, 2])
        GradCheck.check("MaxPool2D k3 s1", wrt: [s]) { strided(s) }
    }

    func testLayerNormGradient2DAnd4D() {
        let ln = LayerNorm(features: 4)
        XCTAssertEqual(ln.namedParameters.map(\.0), ["gain", "bias"])
        ln.gain.assign([1.5, -0.7, 0.9, 1.1])
        ln.bias.assign([0.2, -0.1, 0.4, 0])
        let v = TestData.normal([5, 4], seed: 14, std: 2)
        GradCheck.check("LayerNorm [N, F]", wrt: [v, ln.gain, ln.bias], h: 1e-3) { ln(v) }
        let img = TestData.normal([2, 3, 3, 4], seed: 15, std: 1.5)
        GradCheck.check("LayerNorm [N, H, W, C]", wrt: [img, ln.gain, ln.bias], h: 1e-3) { ln(img) }
        // No running statistics: evaluation computes the same function.
        let train = Tensor.withoutGrad { ln(img) }
        ln.isTraining = false
        XCTAssertEqual(Tensor.withoutGrad { ln(img) }.data, train.data)
        XCTAssertTrue(ln.namedBuffers.isEmpty)
    }

    func testEmbeddingGradient() {
        var rng = RNG(seed: 16)
        let emb = Embedding(vocabulary: 6, dim: 3, rng: &rng)
        XCTAssertEqual(emb.namedParameters.map(\.0), ["table"])
        XCTAssertEqual(emb.table.shape, [6, 3])
        let ids = Tensor(shape: [3, 2], data: [5, 0, 2, 5, 5, 1])
        XCTAssertEqual(emb(ids).shape, [3, 6])
        GradCheck.check("Embedding", wrt: [emb.table]) { emb(ids) }
        // Through a dense layer: the table's gradient and the dense layer's together.
        let dense = Dense(6, 2, rng: &rng)
        GradCheck.check("Embedding → Dense", wrt: [emb.table, dense.weight, dense.bias!]) { dense(emb(ids)).tanh() }
    }

    func testConvPaddingModesGradient() {
        var rng = RNG(seed: 17)
        let x = TestData.normal([2, 6, 5, 2], seed: 18)
        let cases: [(Conv2D.Padding, Int, Int, [Int])] = [
            (.same, 3, 1, [2, 6, 5, 3]), (.same, 3, 2, [2, 3, 3, 3]), (.valid, 3, 1, [2, 4, 3, 3]),
            (.valid, 3, 2, [2, 2, 2, 3]), (.explicit(2), 3, 2, [2, 4, 4, 3]), (.same, 5, 1, [2, 6, 5, 3]),
        ]
        for (padding, kernel, stride, shape) in cases {
            let conv = Conv2D(inChannels: 2, outChannels: 3, kernel: kernel, stride: stride, padding: padding, rng: &rng)
            conv.bias!.assign(rng.normalArray(3))
            let name = "Conv2D padding \(padding) k\(kernel) s\(stride)"
            XCTAssertEqual(conv(x).shape, shape, name)
            XCTAssertEqual(try conv.outputShape(for: [6, 5, 2]), Array(shape.dropFirst()), name)
            GradCheck.check(name, wrt: [x, conv.weight, conv.bias!]) { conv(x) }
        }
        XCTAssertEqual(Conv2D.Padding.same.pixels(kernel: 3), 1)
        XCTAssertEqual(Conv2D.Padding.same.pixels(kernel: 7), 3)
        XCTAssertNil(Conv2D.Padding.same.pixels(kernel: 4), "same padding needs an odd kernel")
        XCTAssertEqual(Conv2D.Padding.valid.pixels(kernel: 5), 0)
        XCTAssertNil(Conv2D.Padding.explicit(-1).pixels(kernel: 3))
    }

    func testConvPaddingEnumMatchesTheIntegerInitBitForBit() {
        // padding: .same builds exactly what the existing init (padding nil) builds, from the same draws.
        var a = RNG(seed: 19), b = RNG(seed: 19)
        let old = Conv2D(inChannels: 2, outChannels: 4, kernel: 3, rng: &a)
        let new = Conv2D(inChannels: 2, outChannels: 4, kernel: 3, padding: .same, rng: &b)
        XCTAssertEqual(old.padding, new.padding)
        XCTAssertEqual(old.weight.data, new.weight.data)
        let x = TestData.normal([1, 5, 5, 2], seed: 20)
        XCTAssertEqual(old(x).data, new(x).data)
    }
}
