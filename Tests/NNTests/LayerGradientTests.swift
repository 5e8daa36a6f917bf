// Central-difference gradient checks for every layer, with respect to its input and to each of
// its parameters: Dense, Conv2D (stride 2, padding 1, bias, several channels), MaxPool2D,
// Flatten/Reshape, the activation layers, BatchNorm (train on [N, C] and [N, H, W, C], and eval),
// Dropout with a fixed mask, and a Sequential stack.
import TestSupport
import XCTest
import TensorCore
import NN

final class LayerGradientTests: XCTestCase {
    func testDenseGradient() {
        var rng = RNG(seed: 1)
        let dense = Dense(4, 3, rng: &rng)
        dense.bias!.assign(rng.normalArray(3))
        let x = TestData.normal([5, 4], seed: 2)
        GradCheck.check("Dense", wrt: [x, dense.weight, dense.bias!]) { dense(x) }
    }

    func testDenseAppliedTwiceAccumulatesParameterGradients() {
        var rng = RNG(seed: 23)
        let dense = Dense(4, 4, rng: &rng)
        dense.bias!.assign(rng.normalArray(4))
        let x = TestData.normal([3, 4], seed: 24)
        GradCheck.check("Dense∘Dense (shared)", wrt: [x, dense.weight, dense.bias!]) { dense(dense(x).tanh()) }
        // Two backward passes without zeroing add up.
        dense.zeroGrad()
        dense(x).sum().backward()
        let gw = dense.weight.grad!, gb = dense.bias!.grad!
        dense(x).sum().backward()
        assertClose(dense.weight.grad!, gw.map { 2 * $0 }, accuracy: 1e-6, "weight accumulates")
        assertClose(dense.bias!.grad!, gb.map { 2 * $0 }, accuracy: 1e-6, "bias accumulates")
        XCTAssertEqual(gb, [3, 3, 3, 3], "d(Σ y)/db = batch size")
    }

    func testDenseWithoutBiasGradient() {
        var rng = RNG(seed: 3)
        let dense = Dense(3, 2, bias: false, rng: &rng)
        XCTAssertNil(dense.bias)
        let x = TestData.normal([4, 3], seed: 4)
        GradCheck.check("Dense no bias", wrt: [x, dense.weight]) { dense(x) }
    }

    func testConv2DStride2Padding1Gradient() {
        var rng = RNG(seed: 5)
        let conv = Conv2D(inChannels: 3, outChannels: 4, kernel: 3, stride: 2, padding: 1, rng: &rng)
        conv.bias!.assign(rng.normalArray(4))
        let x = TestData.normal([2, 5, 5, 3], seed: 6)
        XCTAssertEqual(conv(x).shape, [2, 3, 3, 4])
        GradCheck.check("Conv2D s2 p1", wrt: [x, conv.weight, conv.bias!]) { conv(x) }
    }

    func testConv2DSamePaddingGradient() {
        var rng = RNG(seed: 7)
        let conv = Conv2D(inChannels: 2, outChannels: 3, kernel: 3, rng: &rng)
        conv.bias!.assign(rng.normalArray(3))
        XCTAssertEqual(conv.padding, 1)
        let x = TestData.normal([2, 4, 4, 2], seed: 8)
        XCTAssertEqual(conv(x).shape, [2, 4, 4, 3])
        GradCheck.check("Conv2D same", wrt: [x, conv.weight, conv.bias!]) { conv(x) }
        let noBias = Conv2D(inChannels: 2, outChannels: 2, kernel: 1, bias: false, rng: &rng)
        XCTAssertNil(noBias.bias)
        GradCheck.check("Conv2D 1×1 no bias", wrt: [x, noBias.weight]) { noBias(x) }
    }

    func testMaxPoolFlattenReshapeLayersGradient() {
        let x = TestData.spaced([2, 4, 4, 3], gap: 0.05, seed: 9)
        let pool = MaxPool2D(kernel: 2)
        XCTAssertEqual(pool.stride, 2)
        GradCheck.check("MaxPool2D", wrt: [x]) { pool(x) }
        let flat = Flatten()
        XCTAssertEqual(flat(x).shape, [2, 48])
        let w = TestData.normal([48], seed: 10)
        GradCheck.check("Flatten", wrt: [x]) { flat(x) * w }
        let v = TestData.normal([3, 12], seed: 11)
        let reshape = Reshape([2, 2, 3])
        XCTAssertEqual(reshape(v).shape, [3, 2, 2, 3])
        GradCheck.check("Reshape", wrt: [v]) { reshape(v) * TestData.normal([3], seed: 12) }
    }

    func testActivationLayersGradient() {
        let x = TestData.awayFromZero([4, 5], 0.1, 2, seed: 13)
        for kind in ActivationKind.allCases {
            let layer = Activation(kind)
            GradCheck.check("Activation \(kind)", wrt: [x], h: 1e-3) { layer(x) }
        }
        XCTAssertTrue(Activation(.identity)(x) === x)
    }

    func testBatchNormTrainGradient2D() {
        let bn = BatchNorm(features: 3)
        bn.gamma.assign([1.5, -0.7, 0.9])
        bn.beta.assign([0.2, -0.1, 0.4])
        let x = TestData.normal([6, 3], seed: 14, std: 2)
        XCTAssertTrue(bn.isTraining)
        GradCheck.check("BatchNorm train [N, C]", wrt: [x, bn.gamma, bn.beta], h: 1e-3) { bn(x) }
    }

    func testBatchNormTrainGradient4D() {
        let bn = BatchNorm(features: 4)
        bn.gamma.assign([1.2, 0.5, -1, 2])
        bn.beta.assign([0, 1, -0.5, 0.3])
        let x = TestData.normal([2, 3, 3, 4], seed: 15, std: 1.5)
        GradCheck.check("BatchNorm train [N, H, W, C]", wrt: [x, bn.gamma, bn.beta], h: 1e-3) { bn(x) }
    }

    func testBatchNormEvalGradient() {
        // The numeric side runs without grad (the fused affine path); the analytic side differentiates
        // the composed ops: both paths must compute the same function.
        let bn = BatchNorm(features: 3)
        bn.gamma.assign([1.5, -0.7, 0.9])
        bn.beta.assign([0.2, -0.1, 0.4])
        bn.runningMean.assign([0.3, -0.2, 1])
        bn.runningVar.assign([0.5, 2, 1.3])
        bn.isTraining = false
        let x = TestData.normal([4, 3], seed: 16)
        GradCheck.check("BatchNorm eval", wrt: [x, bn.gamma, bn.beta]) { bn(x) }
        let frozen = BatchNorm(features: 3)
        frozen.isTraining = false
        frozen.gamma.requiresGrad = false
        frozen.beta.requiresGrad = false
        frozen.runningVar.assign([0.5, 2, 1.3])
        GradCheck.check("BatchNorm eval, frozen affine", wrt: [x]) { frozen(x) }
    }

    func testDropoutGradientWithFixedMask() {
        let start = RNG(seed: 17, stream: 3)
        let dropout = Dropout(rate: 0.4, rng: start)
        let x = TestData.normal([5, 6], seed: 18)
        // Every evaluation restarts from the same RNG copy: the same mask.
        let f = { () -> Tensor in dropout.rng = start; return dropout(x) }
        XCTAssertEqual(f().data, f().data)
        let r = GradCheck.evaluate(wrt: [x], f)
        XCTAssertTrue(r.mismatches.isEmpty, "\(r.mismatches.prefix(5))")
        // Dropped elements have zero gradient; kept ones 1/(1 − p) times their weight.
        let y = f()
        let dropped = y.data.indices.filter { y.data[$0] == 0 }
        XCTAssertFalse(dropped.isEmpty)
        XCTAssertLessThan(dropped.count, x.count)
        x.zeroGrad()
        f().sum().backward()
        for i in 0..<x.count {
            XCTAssertEqual(x.grad![i], dropped.contains(i) ? 0 : 1 / 0.6, accuracy: 1e-6)
        }
    }

    func testSequentialGradientWithRespectToEveryParameter() {
        var rng = RNG(seed: 19)
        let model = Sequential(Dense(4, 5, rng: &rng), Activation(.tanh), Dense(5, 3, rng: &rng), Activation(.sigmoid))
        for p in model.parameters where p.shape.count == 1 { p.assign(rng.normalArray(p.count, std: 0.5)) }
        let x = TestData.normal([3, 4], seed: 20)
        GradCheck.check("Sequential MLP", wrt: [x] + model.parameters, h: 1e-3) { model(x) }
    }

    func testSmallCNNGradient() {
        var rng = RNG(seed: 21)
        let model = Sequential(
            Conv2D(inChannels: 2, outChannels: 3, kernel: 3, stride: 2, padding: 1, rng: &rng),
            BatchNorm(features: 3), Activation(.gelu), Flatten(), Dense(3 * 3 * 3, 2, rng: &rng))
        for p in model.parameters where p.shape.count == 1 { p.assign(rng.normalArray(p.count, std: 0.5)) }
        let x = TestData.normal([3, 5, 5, 2], seed: 22)
        // The conv bias is cancelled by the batch-norm mean that follows it: check it separately.
        let convBias = model.namedParameters.first { $0.0 == "0.bias" }!.1
        let others = model.namedParameters.filter { $0.0 != "0.bias" }.map(\.1)
        GradCheck.check("Conv-BN-GELU-Dense", wrt: [x] + others, h: 1e-3) { model(x) }
        let r = GradCheck.evaluate(wrt: [convBias], h: 1e-3) { model(x) }
        XCTAssertTrue(r.mismatches.isEmpty, "\(r.mismatches)")
        model.zeroGrad()
        model(x).sum().backward()
        XCTAssertTrue(convBias.grad!.allSatisfy { abs($0) < 1e-4 }, "BN makes the loss invariant to the conv bias: \(convBias.grad!)")
    }
}
