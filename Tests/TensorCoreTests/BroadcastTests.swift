// Broadcasting: NumPy's rule for shapes, forward values against a naive index computation, and
// gradients (summed over stretched dimensions) for every path: same shape, scalar, trailing row
// vector on either side, and the general strided case.
import TestSupport
import XCTest
import TensorCore

final class BroadcastTests: XCTestCase {
    /// The NumPy result of a ∘ b computed element by element from multi-indices.
    func naive(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> (shape: [Int], data: [Float]) {
        let r = max(a.rank, b.rank)
        let pa = [Int](repeating: 1, count: r - a.rank) + a.shape
        let pb = [Int](repeating: 1, count: r - b.rank) + b.shape
        let shape = zip(pa, pb).map { max($0, $1) }
        let total = shape.reduce(1, *)
        var out: [Float] = []
        for li in 0..<total {
            var rem = li
            var idx = [Int](repeating: 0, count: r)
            for d in stride(from: r - 1, through: 0, by: -1) { idx[d] = rem % shape[d]; rem /= shape[d] }
            func lin(_ s: [Int]) -> Int {
                var l = 0
                for d in 0..<r { l = l * s[d] + (s[d] == 1 ? 0 : idx[d]) }
                return l
            }
            out.append(f(a.data[lin(pa)], b.data[lin(pb)]))
        }
        return (shape, out)
    }

    let patterns: [([Int], [Int])] = [
        ([4, 3], [3]),          // bias row
        ([3], [4, 3]),          // row on the left
        ([2, 3, 4], [4]),       // row over two leading dims
        ([2, 3, 4], [3, 4]),    // multi-dim trailing row
        ([2, 3, 4], [1, 3, 4]), // leading 1
        ([4, 3], []),           // rank-0 scalar
        ([4, 3], [1]),          // one-element
        ([1, 1], [4, 3]),       // one-element on the left
        ([3, 1], [1, 4]),       // both stretch (outer product shape)
        ([3, 1], [4]),          // column against row
        ([2, 3, 4], [3, 1]),    // strided middle
        ([2, 1, 4], [2, 3, 1]), // strided on both
        ([4, 1], [4, 3]),       // column
    ]

    func testForwardValuesMatchNaive() {
        let ops: [(String, (Tensor, Tensor) -> Tensor, (Float, Float) -> Float)] = [
            ("+", { $0 + $1 }, { $0 + $1 }), ("-", { $0 - $1 }, { $0 - $1 }),
            ("*", { $0 * $1 }, { $0 * $1 }), ("/", { $0 / $1 }, { $0 / $1 }),
        ]
        for (k, (sa, sb)) in patterns.enumerated() {
            let a = TestData.normal(sa, seed: UInt64(k))
            let b = TestData.awayFromZero(sb, 0.5, 2, seed: UInt64(100 + k))
            for (name, op, f) in ops {
                let got = op(a, b), want = naive(a, b, f)
                XCTAssertEqual(got.shape, want.shape, "\(sa) \(name) \(sb)")
                XCTAssertEqual(got.data, want.data, "\(sa) \(name) \(sb)")
            }
        }
    }

    func testResultShapes() {
        XCTAssertEqual((Tensor.zeros([3, 1]) + Tensor.zeros([1, 4])).shape, [3, 4])
        XCTAssertEqual((Tensor.zeros([5]) + Tensor.zeros([2, 1])).shape, [2, 5])
        XCTAssertEqual((Tensor.zeros([]) + Tensor.zeros([2, 3])).shape, [2, 3])
        XCTAssertEqual((Tensor.zeros([]) + Tensor.zeros([])).shape, [])
        XCTAssertEqual((Tensor.zeros([2, 1, 3]) * Tensor.zeros([4, 1])).shape, [2, 4, 3])
    }

    func testRowBiasByHand() {
        let x = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3], data: [10, 20, 30])
        XCTAssertEqual((x + b).data, [11, 22, 33, 14, 25, 36])
        XCTAssertEqual((b - x).data, [9, 18, 27, 6, 15, 24])
        let col = Tensor(shape: [2, 1], data: [1, 2])
        XCTAssertEqual((x * col).data, [1, 2, 3, 8, 10, 12])
    }

    func testGradientsForAllPatternsAndOps() {
        for (k, (sa, sb)) in patterns.enumerated() {
            let a = TestData.normal(sa, seed: UInt64(200 + k))
            let b = TestData.awayFromZero(sb, 0.5, 2, seed: UInt64(300 + k))
            GradCheck.check("\(sa) + \(sb)", wrt: [a, b]) { a + b }
            GradCheck.check("\(sa) - \(sb)", wrt: [a, b]) { a - b }
            GradCheck.check("\(sa) * \(sb)", wrt: [a, b]) { a * b }
            GradCheck.check("\(sa) / \(sb)", wrt: [a, b]) { a / b }
        }
    }

    func testDivisionWithBroadcastDenominatorOnLeft() {
        // b / a where the broadcast operand is the numerator.
        let a = TestData.awayFromZero([3, 4], 0.5, 2, seed: 400), b = TestData.normal([4], seed: 401)
        GradCheck.check("[4] / [3,4]", wrt: [a, b]) { b / a }
        let c = TestData.normal([3, 1], seed: 402), d = TestData.awayFromZero([1, 4], 0.5, 2, seed: 403)
        GradCheck.check("[3,1] / [1,4]", wrt: [c, d]) { c / d }
    }

    func testBiasGradientIsColumnSum() {
        // d(Σ (x + b))/db = number of rows, exactly.
        let x = TestData.normal([5, 3], seed: 500)
        let b = Tensor.zeros([3], requiresGrad: true)
        (x + b).sum().backward()
        XCTAssertEqual(b.grad!, [5, 5, 5])
        // Strided: [3,1] + [1,4] summed: each of a's 3 elements is used 4 times, b's 4 used 3 times.
        let c = Tensor.zeros([3, 1], requiresGrad: true), d = Tensor.zeros([1, 4], requiresGrad: true)
        (c + d).sum().backward()
        XCTAssertEqual(c.grad!, [4, 4, 4])
        XCTAssertEqual(d.grad!, [3, 3, 3, 3])
    }
}
