// The tape itself: gradients accumulate across uses and across backward calls, flow only to
// tensors that require them, and interior graph state is released after backward.
import TestSupport
import XCTest
import TensorCore

final class AutodiffTests: XCTestCase {
    func testChainRuleByHand() {
        // y = Σ (a·b + a)², a = [1, 2], b = [3, −1]: dy/da = 2(ab + a)(b + 1), dy/db = 2(ab + a)·a.
        let a = Tensor(shape: [2], data: [1, 2], requiresGrad: true)
        let b = Tensor(shape: [2], data: [3, -1], requiresGrad: true)
        let y = (a * b + a).square().sum()
        XCTAssertEqual(y.item, 16)
        y.backward()
        XCTAssertEqual(a.grad!, [32, 0])
        XCTAssertEqual(b.grad!, [8, 0])
    }

    func testDiamondGraphAccumulates() {
        // u = x·2 feeds two branches that are added back together: d/dx Σ(u² + 3u) = 2·(2u + 3).
        let x = Tensor(shape: [3], data: [0.5, -1, 2], requiresGrad: true)
        let u = x * 2
        (u.square() + u * 3).sum().backward()
        XCTAssertEqual(x.grad!, [10, -2, 22]) // 2·(2u + 3) at u = 1, −2, 4
    }

    func testGradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        let p = Tensor(shape: [2], data: [1, 2], requiresGrad: true)
        (p * 3).sum().backward()
        XCTAssertEqual(p.grad!, [3, 3])
        (p * 3).sum().backward()
        XCTAssertEqual(p.grad!, [6, 6])
        p.zeroGrad()
        XCTAssertNil(p.grad)
        (p.square()).sum().backward()
        XCTAssertEqual(p.grad!, [2, 4])
    }

    func testOnlyTensorsRequiringGradReceiveGradients() {
        let p = Tensor(shape: [2], data: [1, 2], requiresGrad: true)
        let c = Tensor(shape: [2], data: [5, 7])
        let y = (p * c).sum()
        XCTAssertTrue(y.requiresGrad)
        y.backward()
        XCTAssertEqual(p.grad!, [5, 7])
        XCTAssertNil(c.grad)
        // Nothing requires grad: the result does not either.
        XCTAssertFalse((c * c).requiresGrad)
    }

    func testInteriorGradientsAreReleasedAfterBackward() {
        let p = Tensor(shape: [2], data: [1, 2], requiresGrad: true)
        let hidden = p * 2
        let y = hidden.sum()
        y.backward()
        XCTAssertNil(hidden.grad)
        XCTAssertEqual(y.grad!, [1])
        XCTAssertEqual(p.grad!, [2, 2])
    }

    func testBackwardWithSeed() {
        let p = Tensor(shape: [3], data: [1, 2, 3], requiresGrad: true)
        let y = p.square()
        y.backward(seed: [1, 0, -1])
        XCTAssertEqual(p.grad!, [2, 0, -6])
    }

    func testDetachedStopsGradient() {
        let p = Tensor(shape: [2], data: [1, 2], requiresGrad: true)
        let d = (p * 2).detached()
        XCTAssertFalse(d.requiresGrad)
        XCTAssertEqual(d.data, [2, 4])
        (p * d).sum().backward()
        XCTAssertEqual(p.grad!, [2, 4])
    }

    func testDeepChainDoesNotOverflowTheStack() {
        // The topological sort is iterative: a long chain must work.
        let p = Tensor(shape: [1], data: [1], requiresGrad: true)
        var y = p
        for _ in 0..<20_000 { y = y + 0 }
        (y * 3).sum().backward()
        XCTAssertEqual(p.grad!, [3])
    }

    func testCustomRecordedOperation() {
        // An op defined outside TensorCore through record/accumulateGrad (as the fused losses do).
        let x = TestData.uniform([4], 0.5, 1.5, seed: 1)
        func cube(_ x: Tensor) -> Tensor {
            let out = Tensor(shape: x.shape, data: x.data.map { $0 * $0 * $0 })
            out.record([x]) { r in
                x.accumulateGrad { g in for i in 0..<x.count { g[i] += r.grad![i] * 3 * x.data[i] * x.data[i] } }
            }
            return out
        }
        GradCheck.check("custom cube", wrt: [x]) { cube(x) }
    }

    func testTracks() {
        let p = Tensor.zeros([1], requiresGrad: true), c = Tensor.zeros([1])
        XCTAssertTrue(Tensor.tracks(p, c))
        XCTAssertFalse(Tensor.tracks(c))
        Tensor.withoutGrad { XCTAssertFalse(Tensor.tracks(p)) }
    }
}
