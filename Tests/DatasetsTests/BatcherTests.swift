import XCTest
import TensorCore
@testable import Datasets

final class BatcherTests: XCTestCase {
    func dataset(_ n: Int) -> Dataset {
        Dataset(features: (0..<(n * 3)).map(Float.init), labels: (0..<n).map { $0 % 4 }, featureCount: 3, classCount: 4)
    }

    func testEveryRowOnceWithLastBatchSmaller() {
        let b = Batcher(dataset: dataset(10), batchSize: 4, rng: RNG(seed: 1))
        XCTAssertEqual(b.batchesPerEpoch, 3)
        var sizes: [Int] = [], firstFeatures: [Float] = []
        b.forEachBatch(epoch: 0) { x, y in
            sizes.append(y.count)
            XCTAssertEqual(x.shape, [y.count, 3])
            for r in 0..<y.count {
                // Row k of the dataset is [3k, 3k+1, 3k+2] with label k % 4.
                let k = Int(x.data[r * 3]) / 3
                XCTAssertEqual(x.data[r * 3 + 2], Float(3 * k + 2))
                XCTAssertEqual(y[r], k % 4)
                firstFeatures.append(x.data[r * 3])
            }
        }
        XCTAssertEqual(sizes, [4, 4, 2])
        XCTAssertEqual(Set(firstFeatures), Set((0..<10).map { Float($0 * 3) }))
    }

    func testOrderDependsOnlyOnSeedAndEpoch() {
        func order(seed: UInt64, epoch: Int) -> [Int] {
            var out: [Int] = []
            Batcher(dataset: dataset(50), batchSize: 7, rng: RNG(seed: seed)).forEachBatch(epoch: epoch) { x, _ in
                for r in 0..<x.shape[0] { out.append(Int(x.data[r * 3]) / 3) }
            }
            return out
        }
        XCTAssertEqual(order(seed: 5, epoch: 2), order(seed: 5, epoch: 2))
        XCTAssertNotEqual(order(seed: 5, epoch: 2), order(seed: 5, epoch: 3))
        XCTAssertNotEqual(order(seed: 5, epoch: 2), order(seed: 6, epoch: 2))
        XCTAssertNotEqual(order(seed: 5, epoch: 0), Array(0..<50))
    }

    func testSubsetKeepsRowsAndLabels() {
        let d = dataset(6).subset([4, 1])
        XCTAssertEqual(d.features, [12, 13, 14, 3, 4, 5])
        XCTAssertEqual(d.labels, [0, 1])
    }
}
