// Graph lifetime: retained graphs can be differentiated again, and backward rules use the
// inputs' values from forward time even if the inputs change before backward.
import TestSupport
import XCTest
import TensorCore

final class GraphLifetimeTests: XCTestCase {
    func testRetainGraphLetsTwoLossesShareATrunk() {
        let w = Tensor(shape: [2, 2], data: [1, 2, 3, 4], requiresGrad: true)
        let x = Tensor(shape: [1, 2], data: [1, -1])
        let h = Tensor.matmul(x, w)            // [1, 2] = [-2, -2]
        let l1 = (h * 3).sum(), l2 = h.square().sum()
        l1.backward(retainGraph: true)
        l2.backward()
        // d(3·Σh)/dW = 3·xᵀ·1 ; d(Σh²)/dW = xᵀ·2h
        let expected: [Float] = [3 + 1 * 2 * -2, 3 + 1 * 2 * -2, -3 + -1 * 2 * -2, -3 + -1 * 2 * -2]
        XCTAssertEqual(w.grad!, expected)
    }

    func testSummedLossesEqualRetainedPasses() {
        let w = Tensor(shape: [3], data: [0.5, -1, 2], requiresGrad: true)
        ((w * w).sum() + w.exp().sum()).backward()
        let once = w.grad!
        w.zeroGrad()
        let a = (w * w).sum(), b = w.exp().sum()
        a.backward(retainGraph: true)
        b.backward()
        for (p, q) in zip(once, w.grad!) { XCTAssertEqual(p, q, accuracy: 1e-6) }
    }

    func testBackwardUsesForwardTimeValues() {
        let a = Tensor(shape: [2], data: [2, 3], requiresGrad: true)
        let b = Tensor(shape: [2], data: [5, 7], requiresGrad: true)
        let loss = (a * b).sum()
        // An optimizer step between forward and backward must not change this step's gradient.
        a.data = [100, 100]
        b.data = [-1, -1]
        loss.backward()
        XCTAssertEqual(a.grad!, [5, 7])
        XCTAssertEqual(b.grad!, [2, 3])
    }

    func testMatmulBackwardUsesForwardTimeValues() {
        let a = Tensor(shape: [1, 2], data: [1, 2], requiresGrad: true)
        let b = Tensor(shape: [2, 1], data: [3, 4], requiresGrad: true)
        let loss = Tensor.matmul(a, b).sum()
        b.data = [0, 0]
        a.data = [0, 0]
        loss.backward()
        XCTAssertEqual(a.grad!, [3, 4])
        XCTAssertEqual(b.grad!, [1, 2])
    }
}
