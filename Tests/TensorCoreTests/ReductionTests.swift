// Reductions: sum, mean (all and along an axis), max along an axis, argmax, logSumExp and the
// softmax helper: values by hand and gradients by central differences.
import TestSupport
import XCTest
import Foundation
@testable import TensorCore

final class ReductionTests: XCTestCase {
    // [2, 3]: [[1, 2, 3], [4, 5, 6]]
    let x = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])

    func testSumAndMeanValues() {
        XCTAssertEqual(x.sum().shape, [])
        XCTAssertEqual(x.sum().item, 21)
        XCTAssertEqual(x.mean().item, 3.5)
        XCTAssertEqual(x.sum(axis: 0).data, [5, 7, 9])
        XCTAssertEqual(x.sum(axis: 0).shape, [3])
        XCTAssertEqual(x.sum(axis: 1).data, [6, 15])
        XCTAssertEqual(x.sum(axis: -1).data, [6, 15])
        XCTAssertEqual(x.sum(axis: 1, keepDims: true).shape, [2, 1])
        XCTAssertEqual(x.mean(axis: 0).data, [2.5, 3.5, 4.5])
        XCTAssertEqual(x.mean(axis: 1).data, [2, 5])
        XCTAssertEqual(x.mean(axis: 0, keepDims: true).shape, [1, 3])
    }

    func testSumAlongMiddleAxisOf3D() {
        // [2, 3, 2]; summing axis 1 gives [2, 2].
        let t = Tensor(shape: [2, 3, 2], data: (0..<12).map(Float.init))
        XCTAssertEqual(t.sum(axis: 1).data, [6, 9, 24, 27]) // 0+2+4, 1+3+5, 6+8+10, 7+9+11
        XCTAssertEqual(t.sum(axis: 1).shape, [2, 2])
        XCTAssertEqual(t.max(axis: 1).data, [4, 5, 10, 11])
        XCTAssertEqual(t.argmax(axis: 1), [2, 2, 2, 2])
        XCTAssertEqual(t.argmax(axis: 2), [1, 1, 1, 1, 1, 1])
    }

    func testMaxAndArgmaxValues() {
        let t = Tensor(shape: [2, 3], data: [3, 9, -1, 7, 2, 7])
        XCTAssertEqual(t.max(axis: 1).data, [9, 7])
        XCTAssertEqual(t.argmax(axis: 1), [1, 0]) // ties: the first maximum
        XCTAssertEqual(t.max(axis: 0).data, [7, 9, 7])
        XCTAssertEqual(t.argmax(axis: 0), [1, 0, 1])
        XCTAssertEqual(t.argmax(), [1, 0])
        XCTAssertEqual(Tensor(shape: [3], data: [-5, -3, -4]).argmax(), [1])
    }

    func testMaxGradientGoesToFirstMaximumOnly() {
        let t = Tensor(shape: [1, 4], data: [1, 5, 5, 0], requiresGrad: true)
        t.max(axis: 1).sum().backward()
        XCTAssertEqual(t.grad!, [0, 1, 0, 0])
    }

    func testLogSumExpValues() {
        let t = Tensor(shape: [2, 3], data: [0, 0, 0, 1, 2, 3])
        let v = t.logSumExp(axis: 1).data
        XCTAssertEqual(v[0], Foundation.log(3), accuracy: 1e-6)
        XCTAssertEqual(v[1], Foundation.log(exp(1) + exp(2) + exp(3)), accuracy: 1e-5)
        // Stable for large logits where exp overflows Float.
        let big = Tensor(shape: [1, 2], data: [1000, 1000]).logSumExp(axis: 1).item
        XCTAssertEqual(big, 1000 + Foundation.log(2), accuracy: 1e-3)
        XCTAssertEqual(t.logSumExp(axis: 0, keepDims: true).shape, [1, 3])
    }

    func testSoftmaxProbabilities() {
        let p = Tensor(shape: [2, 3], data: [0, 0, 0, 1, 2, 3]).softmaxProbabilities()
        assertClose(Array(p[0..<3]), [1.0 / 3, 1.0 / 3, 1.0 / 3], accuracy: 1e-6, "uniform row")
        let e = [exp(1.0), exp(2.0), exp(3.0)], s = e.reduce(0, +)
        assertClose(Array(p[3..<6]), e.map { Float($0 / s) }, accuracy: 1e-6, "row 2")
        // Temperature 2 halves the logits.
        let pt = Tensor(shape: [1, 2], data: [0, 2]).softmaxProbabilities(temperature: 2)
        assertClose(pt, [Float(1 / (1 + exp(1.0))), Float(exp(1.0) / (1 + exp(1.0)))], accuracy: 1e-6, "T=2")
    }

    func testSumAllGradient() {
        let t = TestData.normal([3, 4], seed: 1)
        GradCheck.check("sum", wrt: [t]) { t.sum() }
        GradCheck.check("mean", wrt: [t]) { t.mean() }
    }

    func testSumAxisGradients() {
        let t = TestData.normal([2, 3, 4], seed: 2)
        for axis in [0, 1, 2, -1] {
            GradCheck.check("sum(axis: \(axis))", wrt: [t]) { t.sum(axis: axis) }
            GradCheck.check("sum(axis: \(axis), keepDims)", wrt: [t]) { t.sum(axis: axis, keepDims: true) }
            GradCheck.check("mean(axis: \(axis))", wrt: [t]) { t.mean(axis: axis) }
        }
    }

    func testMaxAxisGradients() {
        let t = TestData.spaced([2, 3, 4], gap: 0.1, seed: 3)
        for axis in [0, 1, 2] {
            GradCheck.check("max(axis: \(axis))", wrt: [t]) { t.max(axis: axis) }
            GradCheck.check("max(axis: \(axis), keepDims)", wrt: [t]) { t.max(axis: axis, keepDims: true) }
        }
    }

    func testLogSumExpGradients() {
        let t = TestData.normal([2, 3, 4], seed: 4)
        for axis in [0, 1, 2] {
            GradCheck.check("logSumExp(axis: \(axis))", wrt: [t], h: 1e-3) { t.logSumExp(axis: axis) }
        }
        let wide = TestData.normal([3, 10], seed: 5, std: 3)
        GradCheck.check("logSumExp wide", wrt: [wide], h: 1e-3) { wide.logSumExp(axis: 1, keepDims: true) }
    }

    func testSumAccumulatesInDouble() {
        // 2²⁴ + 1 + 1 + … would stall in Float accumulation.
        let n = 1000
        let t = Tensor(shape: [n + 1], data: [16_777_216] + [Float](repeating: 1, count: n))
        XCTAssertEqual(t.sum().item, 16_778_216)
    }

    /// Bias gradients (column sums of dy) split their columns over the threads: the bits of one
    /// thread at 2 and 3, for column counts that do and do not divide evenly.
    func testColumnSumsHaveTheBitsOfOneThreadAtAnyThreadCount() {
        defer { BLAS.setThreads(1) }
        for (rows, columns) in [(4096, 64), (3000, 37), (25088, 32)] {
            let a = TestData.normal([rows, columns], seed: 3).data
            func sums(_ threads: Int) -> [Float] {
                BLAS.setThreads(threads)
                var out = [Float](repeating: 0.5, count: columns)
                a.withUnsafeBufferPointer { pa in out.withUnsafeMutableBufferPointer { Tensor.addColumnSums(rows: rows, columns: columns, pa.baseAddress!, to: $0.baseAddress!) } }
                return out
            }
            let one = sums(1)
            for t in [2, 3] { XCTAssertTrue(sums(t).elementsEqual(one) { $0.bitPattern == $1.bitPattern }, "\(rows)×\(columns), \(t) threads") }
        }
    }
}
