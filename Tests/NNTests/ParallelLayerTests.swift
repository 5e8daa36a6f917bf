// What NN splits over the BLAS threads keeps the bits of one thread at 2 and 3: batch norm in
// training (statistics and gradient sums by features, elementwise passes by rows: outputs, input
// gradients, γ/β gradients and running statistics, for 2-D and 4-D inputs, with feature counts
// that do and do not divide evenly), Adam's elementwise update and dropout's mask.
import TestSupport
import XCTest
import TensorCore
@testable import NN

final class ParallelLayerTests: XCTestCase {
    override func tearDown() { BLAS.setThreads(1) }

    func run(_ shape: [Int], threads: Int) -> [[Float]] {
        BLAS.setThreads(threads)
        let features = shape.last!
        let bn = BatchNorm(features: features)
        var rng = RNG(seed: 5)
        bn.gamma.data = (0..<features).map { _ in rng.uniform(0.5, 1.5) }
        bn.beta.data = (0..<features).map { _ in rng.uniform(-0.5, 0.5) }
        let count = shape.reduce(1, *)
        let x = Tensor(shape: shape, data: (0..<count).map { _ in rng.uniform(-2, 3) }, requiresGrad: true)
        let weights = Tensor(shape: shape, data: (0..<count).map { _ in rng.uniform(-1, 1) })
        let y = bn(x)
        (y * weights).sum().backward()
        return [y.data, x.grad!, bn.gamma.grad!, bn.beta.grad!, bn.runningMean.data, bn.runningVar.data]
    }

    func testTrainingHasTheBitsOfOneThreadAtAnyThreadCount() {
        for shape in [[64, 8, 8, 32], [16, 14, 14, 48], [4096, 24], [300, 7, 7, 20], [40, 7, 7, 50]] {  // 50: 16/17/17 at 3
            XCTAssertGreaterThanOrEqual(shape.reduce(1, *), BatchNorm.parallelElements, "\(shape) must take the split path")
            let one = run(shape, threads: 1)
            for threads in [2, 3] {
                let many = run(shape, threads: threads)
                for (i, name) in ["y", "dx", "dγ", "dβ", "running mean", "running var"].enumerated() {
                    XCTAssertTrue(many[i].elementsEqual(one[i]) { $0.bitPattern == $1.bitPattern }, "\(shape), \(threads) threads: \(name)")
                }
            }
        }
    }

    func testAdamHasTheBitsOfOneThreadAtAnyThreadCount() {
        func steps(threads: Int) -> [Float] {
            BLAS.setThreads(threads)
            var rng = RNG(seed: 9)
            let count = 100_003  // splits into uneven parts
            let w = Tensor(shape: [count], data: (0..<count).map { _ in rng.uniform(-1, 1) }, requiresGrad: true)
            let target = Tensor(shape: [count], data: (0..<count).map { _ in rng.uniform(-1, 1) })
            let adam = Adam(learningRate: 1e-2, weightDecay: 1e-3)
            for _ in 0..<3 {
                w.zeroGrad()
                ((w - target) * (w - target)).sum().backward()
                adam.step([w])
            }
            return w.data
        }
        let one = steps(threads: 1)
        for threads in [2, 3] {
            XCTAssertTrue(steps(threads: threads).elementsEqual(one) { $0.bitPattern == $1.bitPattern }, "\(threads) threads")
        }
    }

    /// The mask drawn in bulk over the threads is the one a sequential loop of `rng.uniform()`
    /// draws (the code before), and the layer's stream ends at the same position.
    func testDropoutMaskIsTheSequentialOneAtAnyThreadCount() {
        defer { BLAS.setThreads(1) }
        let x = Tensor(shape: [128, 7, 7, 64], data: [Float](repeating: 1, count: 128 * 7 * 7 * 64))
        var start = RNG(seed: 17, stream: 3)
        _ = start.nextUInt32()  // a position inside a block
        var reference = start
        let keep: Float = 0.7, scale = 1 / keep
        let expected = (0..<x.count).map { _ in reference.uniform() < keep ? scale : 0 }
        for threads in [1, 2, 3] {
            BLAS.setThreads(threads)
            let layer = Dropout(rate: 0.3, rng: start)
            let y = layer(x)
            XCTAssertTrue(y.data.elementsEqual(expected) { $0.bitPattern == $1.bitPattern }, "\(threads) threads")
            XCTAssertEqual(layer.rng.state, reference.state, "the stream's position after, \(threads) threads")
        }
    }
}
