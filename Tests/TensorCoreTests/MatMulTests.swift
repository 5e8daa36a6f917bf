// Matrix product: forward values against a naive triple loop and gradients by central
// differences, for all four transpose combinations.
import TestSupport
import XCTest
import TensorCore

final class MatMulTests: XCTestCase {
    /// op(a)·op(b) computed naively in Double.
    func naive(_ a: Tensor, _ b: Tensor, _ ta: Bool, _ tb: Bool) -> [Float] {
        let (m, k) = ta ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let n = tb ? b.shape[0] : b.shape[1]
        var out = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n {
            var s = 0.0
            for p in 0..<k {
                let av = ta ? a[p, i] : a[i, p]
                let bv = tb ? b[j, p] : b[p, j]
                s += Double(av) * Double(bv)
            }
            out[i * n + j] = Float(s)
        } }
        return out
    }

    /// Operands shaped so that op(a) is [3, 4] and op(b) is [4, 5].
    func operands(_ ta: Bool, _ tb: Bool, seed: UInt64) -> (Tensor, Tensor) {
        (TestData.normal(ta ? [4, 3] : [3, 4], seed: seed), TestData.normal(tb ? [5, 4] : [4, 5], seed: seed + 100))
    }

    func testForwardMatchesNaiveForAllTransposeCombinations() {
        for (s, (ta, tb)) in [(false, false), (true, false), (false, true), (true, true)].enumerated() {
            let (a, b) = operands(ta, tb, seed: UInt64(s + 1))
            let c = Tensor.matmul(a, b, transposeA: ta, transposeB: tb)
            XCTAssertEqual(c.shape, [3, 5], "ta=\(ta) tb=\(tb)")
            assertClose(c.data, naive(a, b, ta, tb), accuracy: 1e-5, "ta=\(ta) tb=\(tb)")
        }
    }

    func testSmallProductByHand() {
        let a = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], data: [7, 8, 9, 10, 11, 12])
        XCTAssertEqual(a.matmul(b).data, [58, 64, 139, 154])
        // aᵀ·aᵀ… aᵀ [3,2] · bᵀ [2,3] = (b·a)ᵀ
        XCTAssertEqual(Tensor.matmul(a, b, transposeA: true, transposeB: true).data,
                       [39, 49, 59, 54, 68, 82, 69, 87, 105])
    }

    func testGradientNoTranspose() { checkGradient(false, false) }
    func testGradientTransposeA() { checkGradient(true, false) }
    func testGradientTransposeB() { checkGradient(false, true) }
    func testGradientTransposeBoth() { checkGradient(true, true) }

    func checkGradient(_ ta: Bool, _ tb: Bool, file: StaticString = #filePath, line: UInt = #line) {
        let (a, b) = operands(ta, tb, seed: 40)
        GradCheck.check("matmul ta=\(ta) tb=\(tb)", wrt: [a, b], file: file, line: line) {
            Tensor.matmul(a, b, transposeA: ta, transposeB: tb)
        }
    }

    func testGradientWithOnlyOneOperandRequiringGrad() {
        // The weight-only and input-only paths of the backward pass.
        let a = TestData.normal([3, 4], seed: 50), b = TestData.normal([4, 2], seed: 51)
        GradCheck.check("matmul wrt a", wrt: [a]) { Tensor.matmul(a, b) }
        XCTAssertNil(b.grad)
        b.requiresGrad = true
        a.requiresGrad = false
        let y = Tensor.matmul(a, b).sum()
        y.backward()
        XCTAssertNil(a.grad)
        // d(Σ a·b)/db[p, j] = Σᵢ a[i, p]
        let colSums = (0..<4).map { p in (0..<3).reduce(Float(0)) { $0 + a[$1, p] } }
        assertClose(b.grad!, colSums.flatMap { [$0, $0] }, accuracy: 1e-5, "db")
    }

    func testMatmulAfterTransposedMatchesFlag() {
        let a = TestData.normal([4, 3], seed: 60), b = TestData.normal([4, 5], seed: 61)
        let viaFlag = Tensor.matmul(a, b, transposeA: true)
        let viaCopy = Tensor.matmul(a.transposed(), b)
        assertClose(viaFlag.data, viaCopy.data, accuracy: 1e-6, "aᵀb")
    }

    func testGradientAccumulatesWhenAnOperandIsUsedTwice() {
        // a·aᵀ: a is both operands; a·b + a·c: a feeds two products.
        let a = TestData.normal([3, 4], seed: 70), b = TestData.normal([4, 2], seed: 71), c = TestData.normal([4, 2], seed: 72)
        GradCheck.check("a·aᵀ", wrt: [a]) { Tensor.matmul(a, a, transposeB: true) }
        GradCheck.check("aᵀ·a", wrt: [a]) { Tensor.matmul(a, a, transposeA: true) }
        GradCheck.check("a·b + a·c", wrt: [a, b, c]) { Tensor.matmul(a, b) + Tensor.matmul(a, c) }
    }

    func testGradientAccumulatesAcrossBackwardCalls() {
        let a = TestData.normal([3, 4], seed: 73), b = TestData.normal([4, 2], seed: 74)
        a.requiresGrad = true
        b.requiresGrad = true
        Tensor.matmul(a, b).sum().backward()
        let ga = a.grad!, gb = b.grad!
        Tensor.matmul(a, b).sum().backward()
        assertClose(a.grad!, ga.map { 2 * $0 }, accuracy: 1e-6, "a accumulates")
        assertClose(b.grad!, gb.map { 2 * $0 }, accuracy: 1e-6, "b accumulates")
    }

    func testEmptyInnerDimensionGivesZeros() {
        let a = Tensor.zeros([2, 0]), b = Tensor.zeros([0, 3])
        let c = Tensor.matmul(a, b)
        XCTAssertEqual(c.shape, [2, 3])
        XCTAssertEqual(c.data, [Float](repeating: 0, count: 6))
    }
}
