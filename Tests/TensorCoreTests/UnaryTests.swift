// Elementwise functions and activations: values at known points and central-difference
// gradients (inputs kept away from kinks).
import TestSupport
import XCTest
import Foundation
import TensorCore

final class UnaryTests: XCTestCase {
    let shape = [3, 5]

    func testValuesAtKnownPoints() {
        let x = Tensor(shape: [4], data: [-2, -0.5, 0.5, 3])
        assertClose(x.exp().data, [0.13533528, 0.60653066, 1.6487213, 20.085537], accuracy: 1e-6, "exp")
        assertClose(Tensor(shape: [3], data: [1, 2.718281828, 10]).log().data, [0, 1, 2.3025851], accuracy: 1e-6, "log")
        XCTAssertEqual(Tensor(shape: [3], data: [0, 4, 2.25]).sqrt().data, [0, 2, 1.5])
        XCTAssertEqual(x.square().data, [4, 0.25, 0.25, 9])
        XCTAssertEqual(x.abs().data, [2, 0.5, 0.5, 3])
        assertClose(Tensor(shape: [2], data: [4, 9]).pow(1.5).data, [8, 27], accuracy: 1e-6, "pow")
        XCTAssertEqual(x.clamp(min: -1, max: 1).data, [-1, -0.5, 0.5, 1])
        XCTAssertEqual(x.relu().data, [0, 0, 0.5, 3])
        assertClose(x.leakyRelu(slope: 0.1).data, [-0.2, -0.05, 0.5, 3], accuracy: 1e-7, "leakyRelu")
        assertClose(x.elu(alpha: 2).data, [2 * (exp(-2) - 1), 2 * (exp(-0.5) - 1), 0.5, 3], accuracy: 1e-6, "elu")
        // GELU(x) = x·Φ(x): Φ(−2) = 0.0227501, Φ(−0.5) = 0.3085375, Φ(0.5) = 0.6914625, Φ(3) = 0.9986501.
        assertClose(x.gelu().data, [-2 * 0.0227501, -0.5 * 0.3085375, 0.5 * 0.6914625, 3 * 0.9986501],
                    accuracy: 1e-5, "gelu")
        assertClose(x.tanh().data, [-0.9640276, -0.46211716, 0.46211716, 0.9950548], accuracy: 1e-6, "tanh")
        assertClose(x.sigmoid().data, [0.11920292, 0.37754067, 0.62245933, 0.95257413], accuracy: 1e-6, "sigmoid")
    }

    func testSigmoidIsStableForLargeInputs() {
        let y = Tensor(shape: [4], data: [-100, -30, 30, 100]).sigmoid().data
        XCTAssertTrue(y.allSatisfy(\.isFinite))
        XCTAssertEqual(y[0], 0, accuracy: 1e-30)
        XCTAssertEqual(y[3], 1)
        XCTAssertGreaterThan(y[1], 0)
    }

    func testExpGradient() {
        let x = TestData.uniform(shape, -2, 2, seed: 1)
        GradCheck.check("exp", wrt: [x], h: 1e-3) { x.exp() }
    }

    func testLogGradient() {
        let x = TestData.uniform(shape, 0.5, 3, seed: 2)
        GradCheck.check("log", wrt: [x], h: 1e-3) { x.log() }
    }

    func testSqrtGradient() {
        let x = TestData.uniform(shape, 0.5, 3, seed: 3)
        GradCheck.check("sqrt", wrt: [x], h: 1e-3) { x.sqrt() }
    }

    func testSquareGradient() {
        let x = TestData.normal(shape, seed: 4)
        GradCheck.check("square", wrt: [x]) { x.square() }
    }

    func testAbsGradient() {
        let x = TestData.awayFromZero(shape, seed: 5)
        GradCheck.check("abs", wrt: [x]) { x.abs() }
    }

    func testPowGradient() {
        let x = TestData.uniform(shape, 0.5, 2, seed: 6)
        for p: Float in [2, 3, 0.5, 1.7, -1, -2.5] {
            GradCheck.check("pow(\(p))", wrt: [x], h: 1e-3) { x.pow(p) }
        }
    }

    func testClampGradient() {
        // Inside, below and above [−0.5, 0.5], never within h of a bound.
        let x = Tensor(shape: [8], data: [-1.2, -0.8, -0.3, -0.1, 0.05, 0.3, 0.9, 1.4])
        GradCheck.check("clamp", wrt: [x]) { x.clamp(min: -0.5, max: 0.5) }
        x.zeroGrad()
        x.clamp(min: -0.5, max: 0.5).sum().backward()
        XCTAssertEqual(x.grad!, [0, 0, 1, 1, 1, 1, 0, 0])
    }

    func testReluGradient() {
        let x = TestData.awayFromZero(shape, 0.1, 2, seed: 7)
        GradCheck.check("relu", wrt: [x]) { x.relu() }
    }

    func testLeakyReluGradient() {
        let x = TestData.awayFromZero(shape, 0.1, 2, seed: 8)
        GradCheck.check("leakyRelu", wrt: [x]) { x.leakyRelu(slope: 0.2) }
        GradCheck.check("leakyRelu default", wrt: [x]) { x.leakyRelu() }
    }

    func testEluGradient() {
        let x = TestData.awayFromZero(shape, 0.1, 2, seed: 9)
        GradCheck.check("elu", wrt: [x]) { x.elu() }
        GradCheck.check("elu α=1.5", wrt: [x]) { x.elu(alpha: 1.5) }
    }

    func testGeluGradient() {
        let x = TestData.uniform(shape, -3, 3, seed: 10)
        GradCheck.check("gelu", wrt: [x], h: 1e-3) { x.gelu() }
    }

    func testTanhGradient() {
        let x = TestData.uniform(shape, -2, 2, seed: 11)
        GradCheck.check("tanh", wrt: [x], h: 1e-3) { x.tanh() }
    }

    func testSigmoidGradient() {
        let x = TestData.uniform(shape, -4, 4, seed: 12)
        GradCheck.check("sigmoid", wrt: [x], h: 1e-3) { x.sigmoid() }
    }

    func testChainedActivationsGradient() {
        let x = TestData.uniform(shape, 0.3, 2, seed: 13)
        GradCheck.check("sigmoid(tanh(log x)·2)", wrt: [x], h: 1e-3) { (x.log().tanh() * 2).sigmoid().sqrt() }
    }
}
