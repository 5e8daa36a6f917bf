// Tensor basics: construction, indexing, strides, scalar access, copies and assignment.
import TestSupport
import XCTest
import TensorCore

final class TensorTests: XCTestCase {
    func testConstruction() {
        let t = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(t.count, 6)
        XCTAssertEqual(t.rank, 2)
        XCTAssertFalse(t.requiresGrad)
        XCTAssertNil(t.grad)
        XCTAssertEqual(Tensor.zeros([2, 2]).data, [0, 0, 0, 0])
        XCTAssertEqual(Tensor.ones([3]).data, [1, 1, 1])
        XCTAssertEqual(Tensor(shape: [2], repeating: 7).data, [7, 7])
        XCTAssertTrue(Tensor.zeros([1], requiresGrad: true).requiresGrad)
        let s = Tensor(3.5)
        XCTAssertEqual(s.shape, [])
        XCTAssertEqual(s.rank, 0)
        XCTAssertEqual(s.item, 3.5)
        XCTAssertEqual(Tensor.zeros([0, 4]).count, 0)
    }

    func testRowMajorIndexingAndStrides() {
        let t = Tensor(shape: [2, 3, 4], data: (0..<24).map(Float.init))
        XCTAssertEqual(t[0, 0, 0], 0)
        XCTAssertEqual(t[0, 0, 3], 3)
        XCTAssertEqual(t[0, 1, 0], 4)
        XCTAssertEqual(t[1, 0, 0], 12)
        XCTAssertEqual(t[1, 2, 3], 23)
        XCTAssertEqual(Tensor.strides(of: [2, 3, 4]), [12, 4, 1])
        XCTAssertEqual(Tensor.strides(of: [5]), [1])
        XCTAssertEqual(Tensor.strides(of: []), [])
    }

    func testDetachedCopiesValuesNotHistory() {
        let p = Tensor(shape: [2], data: [1, 2], requiresGrad: true)
        let d = p.detached()
        XCTAssertEqual(d.data, p.data)
        XCTAssertFalse(d.requiresGrad)
        d.data[0] = 9
        XCTAssertEqual(p.data, [1, 2], "detached copy is independent")
    }

    func testAssignReplacesContents() {
        let p = Tensor(shape: [3], data: [1, 2, 3])
        p.assign([4, 5, 6])
        XCTAssertEqual(p.data, [4, 5, 6])
    }

    func testReshapedSharesNoMutableState() {
        // reshaped shares the data copy-on-write: writing to the source leaves the view's values alone.
        let t = Tensor(shape: [2, 2], data: [1, 2, 3, 4])
        let r = t.reshaped([4])
        t.data[0] = 100
        XCTAssertEqual(r.data, [1, 2, 3, 4])
    }

    func testDescription() {
        XCTAssertEqual(Tensor(shape: [2], data: [1, 2]).description, "Tensor(shape: [2], data: [1.0, 2.0])")
        XCTAssertTrue(Tensor.zeros([10]).description.hasSuffix(", …])"))
    }
}
