// Batch norm in training splits its statistics and gradient sums by features and its
// elementwise passes by rows over the BLAS threads: outputs, input gradients, γ/β gradients and
// running statistics have the bits of one thread at 2 and 3 (for 2-D and 4-D inputs, with
// feature counts that do and do not divide evenly).
import TestSupport
import XCTest
import TensorCore
@testable import NN

final class BatchNormThreadTests: XCTestCase {
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
        for shape in [[64, 8, 8, 32], [16, 14, 14, 48], [4096, 24], [300, 7, 7, 20]] {
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
}
