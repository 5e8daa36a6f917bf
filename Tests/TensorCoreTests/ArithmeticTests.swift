// Elementwise + − × ÷ on equal shapes and with scalars: values and gradients.
import TestSupport
import XCTest
import TensorCore

final class ArithmeticTests: XCTestCase {
    let a = Tensor(shape: [2, 2], data: [1, -2, 3, 4])
    let b = Tensor(shape: [2, 2], data: [2, 5, -1, 0.5])

    func testForwardValues() {
        XCTAssertEqual((a + b).data, [3, 3, 2, 4.5])
        XCTAssertEqual((a - b).data, [-1, -7, 4, 3.5])
        XCTAssertEqual((a * b).data, [2, -10, -3, 2])
        XCTAssertEqual((a / b).data, [0.5, -0.4, -3, 8])
        XCTAssertEqual((a + b).shape, [2, 2])
    }

    func testScalarForwardValues() {
        XCTAssertEqual((a + 1).data, [2, -1, 4, 5])
        XCTAssertEqual((a - 1).data, [0, -3, 2, 3])
        XCTAssertEqual((a * 2).data, [2, -4, 6, 8])
        XCTAssertEqual((a / 2).data, [0.5, -1, 1.5, 2])
        XCTAssertEqual((2 * a).data, [2, -4, 6, 8])
        XCTAssertEqual((1 + a).data, [2, -1, 4, 5])
        XCTAssertEqual((1 - a).data, [0, 3, -2, -3])
        XCTAssertEqual((-a).data, [-1, 2, -3, -4])
    }

    func testInputsAreNotMutated() {
        _ = a + b; _ = a * b; _ = a / 3; _ = -a
        XCTAssertEqual(a.data, [1, -2, 3, 4])
        XCTAssertEqual(b.data, [2, 5, -1, 0.5])
    }

    func testAddGradient() {
        let x = TestData.normal([3, 4], seed: 1), y = TestData.normal([3, 4], seed: 2)
        GradCheck.check("x + y", wrt: [x, y]) { x + y }
    }

    func testSubtractGradient() {
        let x = TestData.normal([3, 4], seed: 3), y = TestData.normal([3, 4], seed: 4)
        GradCheck.check("x - y", wrt: [x, y]) { x - y }
    }

    func testMultiplyGradient() {
        let x = TestData.normal([3, 4], seed: 5), y = TestData.normal([3, 4], seed: 6)
        GradCheck.check("x * y", wrt: [x, y]) { x * y }
    }

    func testDivideGradient() {
        let x = TestData.normal([3, 4], seed: 7), y = TestData.awayFromZero([3, 4], 0.5, 1.5, seed: 8)
        GradCheck.check("x / y", wrt: [x, y]) { x / y }
    }

    func testScalarOpGradients() {
        let x = TestData.normal([2, 3], seed: 9)
        GradCheck.check("x + s", wrt: [x]) { x + 0.7 }
        GradCheck.check("x - s", wrt: [x]) { x - 0.7 }
        GradCheck.check("x * s", wrt: [x]) { x * -1.3 }
        GradCheck.check("x / s", wrt: [x]) { x / 2.5 }
        GradCheck.check("s * x", wrt: [x]) { 3 * x }
        GradCheck.check("s + x", wrt: [x]) { 2 + x }
        GradCheck.check("s - x", wrt: [x]) { 2 - x }
        GradCheck.check("-x", wrt: [x]) { -x }
    }

    func testSameTensorOnBothSidesAccumulates() {
        // x·x and x/x use x twice: both contributions must be summed.
        let x = TestData.awayFromZero([5], 0.5, 2, seed: 10)
        GradCheck.check("x * x", wrt: [x]) { x * x }
        GradCheck.check("x + x", wrt: [x]) { x + x }
        GradCheck.check("x - x·x", wrt: [x]) { x - x * x }
        GradCheck.check("(x + 1) / x", wrt: [x]) { (x + 1) / x }
    }

    func testComposedExpressionGradient() {
        let x = TestData.normal([2, 3], seed: 11), y = TestData.awayFromZero([2, 3], 0.5, 1.5, seed: 12)
        GradCheck.check("(x·y − x)/y + 2x", wrt: [x, y]) { (x * y - x) / y + 2 * x }
    }
}
