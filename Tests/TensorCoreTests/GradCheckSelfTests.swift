// The gradient checker must be able to fail: a deliberately wrong derivative is reported, a
// correct one is not, and an output that ignores an input is flagged.
import TestSupport
import XCTest
import TensorCore

final class GradCheckSelfTests: XCTestCase {
    func testCorrectDerivativePasses() {
        let x = TestData.uniform([3, 4], -1, 1, seed: 1)
        let r = GradCheck.evaluate(wrt: [x]) { x.map({ $0 * $0 * $0 }, derivative: { v, _ in 3 * v * v }) }
        XCTAssertEqual(r.checked, 12)
        XCTAssertTrue(r.mismatches.isEmpty, "\(r.mismatches)")
    }

    func testWrongDerivativeIsReported() {
        let x = TestData.uniform([3, 4], 0.5, 1.5, seed: 2)
        // Off by a factor of 2: d(x³)/dx is 3x², not 6x².
        let r = GradCheck.evaluate(wrt: [x]) { x.map({ $0 * $0 * $0 }, derivative: { v, _ in 6 * v * v }) }
        XCTAssertEqual(r.mismatches.count, 12)
    }

    func testSlightlyWrongDerivativeIsReported() {
        let x = TestData.uniform([8], 1, 2, seed: 3)
        // 10% too large: beyond the 2% tolerance.
        let r = GradCheck.evaluate(wrt: [x]) { x.map({ 2 * $0 }, derivative: { _, _ in 2.2 }) }
        XCTAssertEqual(r.mismatches.count, 8)
    }

    func testIgnoredInputHasZeroNumericGradient() {
        let x = TestData.uniform([4], 0, 1, seed: 4), y = TestData.uniform([4], 0, 1, seed: 5)
        let r = GradCheck.evaluate(wrt: [x, y]) { x.exp() }
        XCTAssertTrue(r.mismatches.isEmpty)
        XCTAssertGreaterThan(r.largestNumeric[0], 0.1)
        XCTAssertEqual(r.largestNumeric[1], 0)
    }
}
