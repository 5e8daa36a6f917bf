// Global-norm gradient clipping.
import TestSupport
import XCTest
import TensorCore
import NN

final class GradientClippingTests: XCTestCase {
    func params(_ grads: [[Float]?]) -> [Tensor] {
        grads.map { g in
            let t = Tensor.zeros([g?.count ?? 2], requiresGrad: true)
            t.grad = g
            return t
        }
    }

    func testGlobalNorm() {
        // √(3² + 4² + 12²) = 13; a parameter without gradient does not count.
        XCTAssertEqual(GradientClipping.globalNorm(params([[3, 4], [12], nil])), 13, accuracy: 1e-6)
        XCTAssertEqual(GradientClipping.globalNorm(params([nil])), 0)
    }

    func testClipScalesToMaxNorm() {
        let ps = params([[3, 4], [12], nil])
        let before = GradientClipping.clipGlobalNorm(ps, maxNorm: 6.5)
        XCTAssertEqual(before, 13, accuracy: 1e-6)
        assertClose(ps[0].grad!, [1.5, 2], accuracy: 1e-6, "scaled by 0.5")
        assertClose(ps[1].grad!, [6], accuracy: 1e-6, "scaled by 0.5")
        XCTAssertNil(ps[2].grad)
        XCTAssertEqual(GradientClipping.globalNorm(ps), 6.5, accuracy: 1e-5)
        // Direction is preserved.
        XCTAssertEqual(ps[0].grad![0] / ps[1].grad![0], 3.0 / 12, accuracy: 1e-6)
    }

    func testNoClippingBelowOrAtMaxNorm() {
        let ps = params([[3, 4]])
        XCTAssertEqual(GradientClipping.clipGlobalNorm(ps, maxNorm: 10), 5, accuracy: 1e-6)
        XCTAssertEqual(ps[0].grad!, [3, 4])
        XCTAssertEqual(GradientClipping.clipGlobalNorm(ps, maxNorm: 5), 5, accuracy: 1e-6)
        XCTAssertEqual(ps[0].grad!, [3, 4])
    }

    func testClippingRealBackwardGradients() {
        var rng = RNG(seed: 1)
        let model = Sequential(Dense(5, 8, rng: &rng), Activation(.tanh), Dense(8, 3, rng: &rng))
        let x = Tensor.normal([4, 5], std: 10, rng: &rng)
        Loss.softmaxCrossEntropy(model(x), labels: [0, 1, 2, 0]).backward()
        let norm = GradientClipping.globalNorm(model.parameters)
        XCTAssertGreaterThan(norm, 0.1)
        GradientClipping.clipGlobalNorm(model.parameters, maxNorm: 0.1)
        XCTAssertEqual(GradientClipping.globalNorm(model.parameters), 0.1, accuracy: 1e-5)
    }
}
