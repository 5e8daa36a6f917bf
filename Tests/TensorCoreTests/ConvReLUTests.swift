// Tensor.conv2dReLU against conv2d → relu → maxPool2d applied one after another: the same
// values and the same gradients, bit for bit, at 1 and 2 threads.
import TensorCore
import TestSupport
import XCTest

final class ConvReLUTests: XCTestCase {
    override func tearDown() { BLAS.setThreads(1) }

    struct Case {
        var x: [Int], w: [Int], stride: Int, padding: Int, pool: Tensor.PoolWindow?, bias: Bool, inputGrad: Bool
    }

    let cases: [Case] = [
        Case(x: [3, 8, 8, 1], w: [4, 3, 3, 1], stride: 1, padding: 1, pool: .init(kernel: 2, stride: 2), bias: true, inputGrad: false),
        Case(x: [2, 7, 7, 3], w: [5, 3, 3, 3], stride: 1, padding: 1, pool: .init(kernel: 2, stride: 2), bias: true, inputGrad: true),
        Case(x: [2, 9, 8, 2], w: [3, 3, 3, 2], stride: 1, padding: 0, pool: .init(kernel: 3, stride: 1), bias: true, inputGrad: true),  // overlapping windows
        Case(x: [2, 6, 6, 2], w: [4, 3, 3, 2], stride: 2, padding: 1, pool: nil, bias: false, inputGrad: true),
        Case(x: [1, 5, 5, 4], w: [6, 1, 1, 4], stride: 1, padding: 0, pool: nil, bias: true, inputGrad: true),
    ]

    /// Output, then the gradients of x (when it requires grad), weights and bias, for a fixed seed gradient.
    func run(_ c: Case, fused: Bool, threads: Int, k: Int) -> [[UInt32]] {
        BLAS.setThreads(threads)
        var rng = RNG(seed: UInt64(100 + k))
        let x = Tensor(shape: c.x, data: rng.normalArray(c.x.reduce(1, *)), requiresGrad: c.inputGrad)
        let w = Tensor(shape: c.w, data: rng.normalArray(c.w.reduce(1, *)), requiresGrad: true)
        let b = c.bias ? Tensor(shape: [c.w[0]], data: rng.normalArray(c.w[0]), requiresGrad: true) : nil
        let y: Tensor
        if fused {
            y = Tensor.conv2dReLU(x, weight: w, bias: b, stride: c.stride, padding: c.padding, pool: c.pool)
        } else {
            let a = Tensor.conv2d(x, weight: w, bias: b, stride: c.stride, padding: c.padding).relu()
            y = c.pool.map { Tensor.maxPool2d(a, kernel: $0.kernel, stride: $0.stride) } ?? a
        }
        y.backward(seed: rng.normalArray(y.count))
        return [y.data, x.grad ?? [], w.grad!, b?.grad ?? []].map { $0.map(\.bitPattern) } + [y.shape.map(UInt32.init)]
    }

    func testFusedGivesTheSameBitsAsTheOperationsApart() {
        for (k, c) in cases.enumerated() {
            for threads in [1, 2] {
                let apart = run(c, fused: false, threads: threads, k: k), fused = run(c, fused: true, threads: threads, k: k)
                XCTAssertEqual(fused, apart, "case \(k), \(threads) thread(s)")
                XCTAssertTrue(apart[0].contains { $0 != 0 }, "case \(k): some values passed")
                if c.pool == nil { XCTAssertTrue(apart[0].contains(0), "case \(k): the ReLU cut some values") }
                if c.inputGrad { XCTAssertTrue(apart[1].contains { $0 != 0 }, "case \(k): gradients reached the input") }
            }
            XCTAssertEqual(run(c, fused: true, threads: 1, k: k), run(c, fused: true, threads: 2, k: k), "case \(k): 1 vs 2 threads")
        }
    }

    func testFusedGradientMatchesFiniteDifferences() {
        // Away from the ReLU's kink and the pool's ties (random inputs), the fused op is smooth.
        let x = TestData.normal([2, 6, 6, 2], seed: 3), w = TestData.normal([3, 3, 3, 2], seed: 4)
        let b = TestData.normal([3], seed: 5)
        GradCheck.check("conv2dReLU + pool", wrt: [x, w, b], h: 1e-3) {
            Tensor.conv2dReLU(x, weight: w, bias: b, padding: 1, pool: .init(kernel: 2, stride: 2)).flattened()
        }
        GradCheck.check("conv2dReLU", wrt: [x, w, b], h: 1e-3) {
            Tensor.conv2dReLU(x, weight: w, bias: b, stride: 2, padding: 1).flattened()
        }
    }

    func testNoGradModeRecordsNothing() {
        let x = TestData.normal([1, 4, 4, 1], seed: 1), w = Tensor(shape: [2, 3, 3, 1], data: TestData.normal([2, 3, 3, 1], seed: 2).data, requiresGrad: true)
        let y = Tensor.withoutGrad { Tensor.conv2dReLU(x, weight: w, bias: nil, padding: 1, pool: .init(kernel: 2, stride: 2)) }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertEqual(y.shape, [1, 2, 2, 2])
    }
}
