// Shape operations: reshaped (with −1), flattened, permuted, transposed and rows: values and
// gradients.
import TestSupport
import XCTest
import TensorCore

final class ShapeTests: XCTestCase {
    func testReshapedKeepsOrderAndInfersDimension() {
        let t = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        let r = t.reshaped([3, -1])
        XCTAssertEqual(r.shape, [3, 2])
        XCTAssertEqual(r.data, t.data)
        XCTAssertEqual(t.reshaped([6]).shape, [6])
        XCTAssertEqual(t.reshaped([-1]).shape, [6])
        XCTAssertEqual(Tensor.zeros([4, 2, 3, 5]).flattened().shape, [4, 30])
    }

    func testPermutedValues() {
        // [2, 3, 4] with value = 100a + 10b + c; permute to [c, a, b].
        var data: [Float] = []
        for a in 0..<2 { for b in 0..<3 { for c in 0..<4 { data.append(Float(100 * a + 10 * b + c)) } } }
        let t = Tensor(shape: [2, 3, 4], data: data)
        let p = t.permuted([2, 0, 1])
        XCTAssertEqual(p.shape, [4, 2, 3])
        for a in 0..<2 { for b in 0..<3 { for c in 0..<4 { XCTAssertEqual(p[c, a, b], Float(100 * a + 10 * b + c)) } } }
        XCTAssertEqual(t.permuted([0, 1, 2]).data, t.data)
    }

    func testTransposedValues() {
        let t = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(t.transposed().shape, [3, 2])
        XCTAssertEqual(t.transposed().data, [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(t.transposed().transposed().data, t.data)
    }

    func testRowsValues() {
        let t = Tensor(shape: [3, 2], data: [1, 2, 3, 4, 5, 6])
        let r = t.rows([2, 0, 2])
        XCTAssertEqual(r.shape, [3, 2])
        XCTAssertEqual(r.data, [5, 6, 1, 2, 5, 6])
        XCTAssertEqual(t.rows([]).shape, [0, 2])
        let img = Tensor(shape: [3, 2, 2, 1], data: (0..<12).map(Float.init))
        XCTAssertEqual(img.rows([1]).data, [4, 5, 6, 7])
        XCTAssertEqual(img.rows([1]).shape, [1, 2, 2, 1])
    }

    func testRowsGradientScattersAndAccumulatesRepeats() {
        let t = Tensor(shape: [3, 2], data: [1, 2, 3, 4, 5, 6], requiresGrad: true)
        t.rows([2, 0, 2]).sum().backward()
        XCTAssertEqual(t.grad!, [1, 1, 0, 0, 2, 2])
    }

    func testReshapedGradient() {
        let t = TestData.normal([2, 6], seed: 1)
        GradCheck.check("reshaped", wrt: [t]) { t.reshaped([3, 4]) * TestData.normal([4], seed: 2) }
        GradCheck.check("flattened", wrt: [t]) { t.reshaped([2, 3, 2]).flattened().square() }
    }

    func testPermutedGradient() {
        let t = TestData.normal([2, 3, 4], seed: 3)
        for order in [[2, 0, 1], [1, 2, 0], [0, 2, 1], [2, 1, 0]] {
            // Multiply by a row vector so that the position of each element matters.
            let w = TestData.normal([t.shape[order[2]]], seed: 4)
            GradCheck.check("permuted \(order)", wrt: [t]) { t.permuted(order) * w }
        }
    }

    func testTransposedGradient() {
        let t = TestData.normal([3, 5], seed: 5)
        GradCheck.check("transposed", wrt: [t]) { t.transposed() }
        let m = TestData.normal([3, 4], seed: 6)
        GradCheck.check("transposed in matmul", wrt: [t, m]) { Tensor.matmul(t.transposed(), m) }
    }

    func testRowsGradient() {
        let t = TestData.normal([4, 3], seed: 7)
        GradCheck.check("rows", wrt: [t]) { t.rows([3, 1, 1, 0, 3, 2]) }
        let img = TestData.normal([3, 2, 2, 2], seed: 8)
        GradCheck.check("rows of images", wrt: [img]) { img.rows([2, 0, 1, 2]) }
    }
}
