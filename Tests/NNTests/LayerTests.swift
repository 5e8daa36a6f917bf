// Layer behaviour beyond gradients: BatchNorm statistics and running buffers, Dropout masks and
// scaling, Sequential naming and train/eval propagation, Dense/Conv2D shapes and initial biases.
import TestSupport
import XCTest
import TensorCore
import NN

final class LayerTests: XCTestCase {
    func testDenseComputesXWPlusB() {
        var rng = RNG(seed: 1)
        let d = Dense(2, 3, rng: &rng)
        d.weight.assign([1, 2, 3, 4, 5, 6])
        d.bias!.assign([0.5, -1, 0])
        let y = d(Tensor(shape: [2, 2], data: [1, 1, 2, -1]))
        XCTAssertEqual(y.shape, [2, 3])
        XCTAssertEqual(y.data, [5.5, 6, 9, -1.5, -2, 0])
        XCTAssertEqual(d.inputs, 2)
        XCTAssertEqual(d.outputs, 3)
        XCTAssertEqual(d.parameterCount, 9)
        XCTAssertEqual(Dense(4, 2, rng: &rng).bias!.data, [0, 0], "bias starts at zero")
    }

    func testBatchNormTrainNormalisesPerFeature() {
        let bn = BatchNorm(features: 2)
        // Feature 0: 1, 2, 3, 4 (mean 2.5, variance 1.25); feature 1: 10, 10, 20, 20 (mean 15, variance 25).
        let x = Tensor(shape: [4, 2], data: [1, 10, 2, 10, 3, 20, 4, 20])
        let y = bn(x)
        let inv0 = 1 / (1.25 + 1e-5 as Float).squareRoot(), inv1 = 1 / (25 + 1e-5 as Float).squareRoot()
        assertClose(y.data, [-1.5 * inv0, -5 * inv1, -0.5 * inv0, -5 * inv1, 0.5 * inv0, 5 * inv1, 1.5 * inv0, 5 * inv1],
                    accuracy: 1e-5, "normalised")
        // Running statistics: momentum 0.1 towards the batch mean and the unbiased variance.
        assertClose(bn.runningMean.data, [0.25, 1.5], accuracy: 1e-6, "running mean")
        assertClose(bn.runningVar.data, [0.9 + 0.1 * 5.0 / 3, 0.9 + 0.1 * 100.0 / 3], accuracy: 1e-5, "running var")
        _ = bn(x)
        assertClose(bn.runningMean.data, [0.9 * 0.25 + 0.25, 0.9 * 1.5 + 1.5], accuracy: 1e-5, "second update")
    }

    func testBatchNormAppliesGammaAndBeta() {
        let bn = BatchNorm(features: 1)
        bn.gamma.assign([3])
        bn.beta.assign([-2])
        let y = bn(Tensor(shape: [2, 1], data: [0, 2]))
        assertClose(y.data, [-3 - 2, 3 - 2], accuracy: 1e-4, "γ·x̂ + β")
    }

    func testBatchNormOverImagesUsesAllPositions() {
        // [N, H, W, C] = [2, 2, 1, 2]: statistics over the 4 positions of each channel.
        let bn = BatchNorm(features: 2)
        let x = Tensor(shape: [2, 2, 1, 2], data: [1, 0, 2, 0, 3, 8, 4, 8])
        let y = bn(x)
        let c0 = stride(from: 0, to: 8, by: 2).map { y.data[$0] }, c1 = stride(from: 1, to: 8, by: 2).map { y.data[$0] }
        for c in [c0, c1] {
            XCTAssertEqual(c.reduce(0, +) / 4, 0, accuracy: 1e-6)
            XCTAssertEqual(c.map { $0 * $0 }.reduce(0, +) / 4, 1, accuracy: 1e-3)
        }
        assertClose(bn.runningMean.data, [0.25, 0.4], accuracy: 1e-6, "running mean")
    }

    func testBatchNormEvalUsesRunningStatistics() {
        let bn = BatchNorm(features: 2, epsilon: 0)
        bn.runningMean.assign([1, -2])
        bn.runningVar.assign([4, 0.25])
        bn.gamma.assign([2, 1])
        bn.beta.assign([0, 1])
        bn.isTraining = false
        let x = Tensor(shape: [2, 2], data: [3, -2, 1, -1])
        let expected: [Float] = [2 * (3 - 1) / 2, 1 + 0, 0, 1 + (1 / 0.5)]
        XCTAssertEqual(bn(x).data, expected)
        XCTAssertEqual(Tensor.withoutGrad { bn(x) }.data, expected)
        // Evaluation does not touch the buffers.
        XCTAssertEqual(bn.runningMean.data, [1, -2])
        XCTAssertEqual(bn.runningVar.data, [4, 0.25])
        // A single example is fine in eval mode.
        XCTAssertEqual(bn(Tensor(shape: [1, 2], data: [1, -2])).data, [0, 1])
    }

    func testDropoutEvalIsIdentityAndTrainDropsAtRate() {
        let d = Dropout(rate: 0.3, rng: RNG(seed: 2))
        let x = Tensor.ones([100, 100])
        d.isTraining = false
        XCTAssertTrue(d(x) === x)
        d.isTraining = true
        let y = d(x)
        let zeros = y.data.filter { $0 == 0 }.count
        XCTAssertEqual(Double(zeros) / Double(x.count), 0.3, accuracy: 0.02)
        XCTAssertTrue(y.data.allSatisfy { $0 == 0 || abs($0 - 1 / 0.7) < 1e-6 })
        XCTAssertEqual(Double(y.data.reduce(0, +)) / Double(x.count), 1, accuracy: 0.03, "inverted dropout keeps the mean")
        // The stream advances: the next mask differs.
        XCTAssertNotEqual(d(x).data, y.data)
        // Rate 0 is the identity even in training.
        XCTAssertTrue(Dropout(rate: 0, rng: RNG(seed: 2))(x) === x)
    }

    func testDropoutMaskDependsOnlyOnRNG() {
        let x = TestData.normal([4, 8], seed: 3)
        let a = Dropout(rate: 0.5, rng: RNG(seed: 4)), b = Dropout(rate: 0.5, rng: RNG(seed: 4))
        XCTAssertEqual(a(x).data, b(x).data)
        XCTAssertEqual(a(x).data, b(x).data)
        let c = Dropout(rate: 0.5, rng: RNG(seed: 5))
        XCTAssertNotEqual(a(x).data, c(x).data)
    }

    func testSequentialNamesPropagatesModeAndZeroesGrads() {
        var rng = RNG(seed: 6)
        let model = Sequential(Dense(3, 4, rng: &rng), BatchNorm(features: 4), Activation(.relu),
                               Dropout(rate: 0.5, rng: rng), Dense(4, 2, bias: false, rng: &rng))
        XCTAssertEqual(model.namedParameters.map(\.0), ["0.weight", "0.bias", "1.gamma", "1.beta", "4.weight"])
        XCTAssertEqual(model.namedBuffers.map(\.0), ["1.running_mean", "1.running_var"])
        XCTAssertEqual(model.parameterCount, 12 + 4 + 4 + 4 + 8)
        XCTAssertTrue(model.layers.allSatisfy { $0.isTraining || $0 is StatelessLayer })
        model.isTraining = false
        XCTAssertFalse((model.layers[1] as! BatchNorm).isTraining)
        XCTAssertFalse((model.layers[3] as! Dropout).isTraining)
        XCTAssertFalse((model.layers[0] as! Dense).isTraining)
        model.isTraining = true
        XCTAssertTrue((model.layers[3] as! Dropout).isTraining)
        // zeroGrad clears every parameter's gradient.
        let x = TestData.normal([4, 3], seed: 7)
        model(x).sum().backward()
        XCTAssertTrue(model.parameters.allSatisfy { $0.grad != nil })
        model.zeroGrad()
        XCTAssertTrue(model.parameters.allSatisfy { $0.grad == nil })
    }

    func testConvAndPoolShapes() {
        var rng = RNG(seed: 8)
        let x = TestData.normal([2, 28, 28, 1], seed: 9)
        let model = Sequential(Conv2D(inChannels: 1, outChannels: 4, kernel: 5, rng: &rng), MaxPool2D(),
                               Conv2D(inChannels: 4, outChannels: 6, kernel: 3, stride: 2, padding: 0, rng: &rng),
                               Flatten())
        XCTAssertEqual(model(x).shape, [2, 6 * 6 * 6])
        XCTAssertEqual(Reshape([28, 28, 1])(TestData.normal([3, 784], seed: 10)).shape, [3, 28, 28, 1])
    }
}
