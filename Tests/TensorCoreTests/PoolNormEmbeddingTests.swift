// avgPool2d, globalAvgPool2d (NHWC), layerNorm (over the last dimension, [N, F] and
// [N, H, W, C]) and embedding (ids [N, F] → [N, F·D]): forward values against direct loops, and
// gradients by central differences.
import TestSupport
import XCTest
import TensorCore

final class PoolNormEmbeddingTests: XCTestCase {
    func naiveAvgPool(_ x: Tensor, kernel k: Int, stride s: Int) -> (shape: [Int], data: [Float]) {
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h - k) / s + 1, ow = (w - k) / s + 1
        var out: [Float] = []
        for b in 0..<n { for oy in 0..<oh { for ox in 0..<ow { for ci in 0..<c {
            var acc = 0.0
            for ky in 0..<k { for kx in 0..<k { acc += Double(x[b, oy * s + ky, ox * s + kx, ci]) } }
            out.append(Float(acc / Double(k * k)))
        } } } }
        return ([n, oh, ow, c], out)
    }

    // MARK: Average pooling

    func testAvgPoolForwardMatchesDirectLoops() {
        let cases: [([Int], Int, Int?)] = [([2, 4, 4, 3], 2, nil), ([1, 5, 5, 2], 2, nil), ([1, 5, 5, 2], 3, 2),
                                           ([2, 6, 4, 1], 3, 1), ([1, 7, 6, 2], 2, 3), ([1, 3, 3, 1], 3, nil)]
        for (k, (shape, kernel, stride)) in cases.enumerated() {
            let x = TestData.normal(shape, seed: UInt64(k))
            let y = Tensor.avgPool2d(x, kernel: kernel, stride: stride)
            let want = naiveAvgPool(x, kernel: kernel, stride: stride ?? kernel)
            XCTAssertEqual(y.shape, want.shape, "case \(k)")
            assertClose(y.data, want.data, accuracy: 1e-6, "case \(k)")
        }
    }

    func testAvgPoolByHand() {
        let x = Tensor(shape: [1, 2, 4, 1], data: [1, 5, 2, 0, 3, -1, 8, 4])
        XCTAssertEqual(Tensor.avgPool2d(x, kernel: 2).data, [2, 3.5])
        // Two channels stay apart (NHWC: channels fastest).
        let y = Tensor(shape: [1, 2, 2, 2], data: [1, 10, 2, 20, 3, 30, 4, 40])
        XCTAssertEqual(Tensor.avgPool2d(y, kernel: 2).data, [2.5, 25])
    }

    func testAvgPoolGradient() {
        let x = TestData.normal([2, 4, 4, 3], seed: 1)
        GradCheck.check("avgPool2d k2", wrt: [x]) { Tensor.avgPool2d(x, kernel: 2) }
        let y = TestData.normal([1, 7, 5, 2], seed: 2)
        GradCheck.check("avgPool2d k3 s2 (overlapping)", wrt: [y]) { Tensor.avgPool2d(y, kernel: 3, stride: 2) }
        let z = TestData.normal([1, 7, 7, 2], seed: 3)
        GradCheck.check("avgPool2d k2 s3 (gaps)", wrt: [z]) { Tensor.avgPool2d(z, kernel: 2, stride: 3) }
    }

    func testAvgPoolGradientByHand() {
        // Overlapping 2×2 windows at stride 1 over 3×3: the centre pixel is in all four.
        let x = Tensor(shape: [1, 3, 3, 1], repeating: 1, requiresGrad: true)
        Tensor.avgPool2d(x, kernel: 2, stride: 1).sum().backward()
        XCTAssertEqual(x.grad!, [0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25])
    }

    // MARK: Global average pooling

    func testGlobalAvgPoolForwardAndGradient() {
        let x = TestData.normal([3, 4, 5, 2], seed: 4)
        let y = Tensor.globalAvgPool2d(x)
        XCTAssertEqual(y.shape, [3, 2])
        for b in 0..<3 { for c in 0..<2 {
            var acc = 0.0
            for i in 0..<4 { for j in 0..<5 { acc += Double(x[b, i, j, c]) } }
            XCTAssertEqual(y[b, c], Float(acc / 20), accuracy: 1e-6)
        } }
        GradCheck.check("globalAvgPool2d", wrt: [x]) { Tensor.globalAvgPool2d(x) }
        let one = Tensor(shape: [2, 1, 1, 3], data: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(Tensor.globalAvgPool2d(one).data, one.data, "a 1×1 image is its own average")
    }

    // MARK: Layer norm

    func naiveLayerNorm(_ x: Tensor, _ g: Tensor, _ b: Tensor, eps: Double = 1e-5) -> [Float] {
        let f = x.shape.last!, rows = x.count / f
        var out: [Float] = []
        for r in 0..<rows {
            let row = x.data[(r * f)..<((r + 1) * f)].map(Double.init)
            let mean = row.reduce(0, +) / Double(f)
            let v = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(f)
            for j in 0..<f { out.append(Float((row[j] - mean) / (v + eps).squareRoot() * Double(g.data[j]) + Double(b.data[j]))) }
        }
        return out
    }

    func testLayerNormForwardMatchesDirectLoops() {
        for shape in [[5, 4], [2, 3, 3, 6], [1, 1]] {
            let f = shape.last!
            let x = TestData.normal(shape, seed: 5, std: 3), g = TestData.normal([f], seed: 6), b = TestData.normal([f], seed: 7)
            let y = Tensor.layerNorm(x, gain: g, bias: b)
            XCTAssertEqual(y.shape, shape)
            assertClose(y.data, naiveLayerNorm(x, g, b), accuracy: 1e-5, "\(shape)")
        }
        // Unit gain, zero bias: every row has mean 0 and variance ≈ 1.
        let x = TestData.normal([3, 8], seed: 8, std: 5) + 7
        let y = Tensor.layerNorm(x, gain: Tensor.ones([8]), bias: Tensor.zeros([8]))
        for r in 0..<3 {
            let row = y.data[(r * 8)..<((r + 1) * 8)]
            XCTAssertEqual(row.reduce(0, +) / 8, 0, accuracy: 1e-5)
            XCTAssertEqual(row.map { $0 * $0 }.reduce(0, +) / 8, 1, accuracy: 1e-3)
        }
    }

    func testLayerNormGradient2D() {
        let x = TestData.normal([4, 5], seed: 9, std: 2), g = TestData.normal([5], seed: 10), b = TestData.normal([5], seed: 11)
        GradCheck.check("layerNorm [N, F]", wrt: [x, g, b], h: 1e-3) { Tensor.layerNorm(x, gain: g, bias: b) }
    }

    func testLayerNormGradient4D() {
        let x = TestData.normal([2, 3, 2, 4], seed: 12, std: 1.5), g = TestData.normal([4], seed: 13), b = TestData.normal([4], seed: 14)
        GradCheck.check("layerNorm [N, H, W, C]", wrt: [x, g, b], h: 1e-3) { Tensor.layerNorm(x, gain: g, bias: b) }
    }

    // MARK: Embedding

    func testEmbeddingLooksUpRowsFlattenedPerExample() {
        let table = Tensor(shape: [4, 2], data: [0, 1, 10, 11, 20, 21, 30, 31])
        let ids = Tensor(shape: [2, 3], data: [3, 0, 1, 2, 2, 0])
        let y = Tensor.embedding(ids, table: table)
        XCTAssertEqual(y.shape, [2, 6])
        XCTAssertEqual(y.data, [30, 31, 0, 1, 10, 11, 20, 21, 20, 21, 0, 1])
    }

    func testEmbeddingGradientScatterAdds() {
        let table = TestData.normal([5, 3], seed: 15)
        // Id 1 three times (accumulates), id 4 never (zero gradient).
        let ids = Tensor(shape: [3, 2], data: [1, 1, 3, 1, 0, 2])
        GradCheck.check("embedding", wrt: [table]) { Tensor.embedding(ids, table: table) }
        table.zeroGrad()
        Tensor.embedding(ids, table: table).sum().backward()
        XCTAssertEqual(table.grad!, [1, 1, 1, 3, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0])
        XCTAssertNil(ids.grad, "ids are indices: no gradient")
    }

    func testEmbeddingIdProblemNamesTheIdAndTheVocabulary() {
        XCTAssertNil(Tensor.embeddingIdProblem([0, 3, 2], columns: 3, vocabulary: 4))
        let big = Tensor.embeddingIdProblem([0, 1, 2, 12], columns: 2, vocabulary: 10)
        XCTAssertEqual(big, "embedding: id 12 (example 1, column 1) is not a category id of the vocabulary of 10 (integers 0..<10); "
                       + "give the embedding a larger vocabulary or map the ids into range")
        XCTAssertTrue(Tensor.embeddingIdProblem([-1], columns: 1, vocabulary: 3)!.contains("id -1 "))
        XCTAssertTrue(Tensor.embeddingIdProblem([1.5], columns: 1, vocabulary: 3)!.contains("id 1.5 "))
        XCTAssertTrue(Tensor.embeddingIdProblem([.nan], columns: 1, vocabulary: 3)!.contains("id nan "))
        XCTAssertNotNil(Tensor.embeddingIdProblem([3], columns: 1, vocabulary: 3), "the vocabulary's size itself is out of range")
    }
}
