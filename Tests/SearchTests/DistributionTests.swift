// Distribution: the inverse CDFs samplers rely on, membership, and the normal quantile's accuracy.
import XCTest
@testable import Search

final class DistributionTests: XCTestCase {
    private let grid = (0..<1000).map { Double($0) / 1000 }

    private let ordered: [Distribution] = [
        .intUniform(min: -2, max: 7), .uniform(min: -1, max: 3), .qUniform(min: 0.05, max: 0.95, q: 0.1),
        .logUniformValues(min: 1e-4, max: 1e-2), .qLogUniformValues(min: 64, max: 1024, q: 32),
        .normal(mu: 1, sigma: 2), .logNormal(mu: 0, sigma: 0.5),
    ]

    func testQuantileIsMonotoneAndStaysInTheDistribution() {
        for d in ordered {
            let values = (grid + [Double(1).nextDown]).map { d.value(atQuantile: $0) }
            for (a, b) in zip(values, values.dropFirst()) {
                XCTAssertLessThanOrEqual(a.doubleValue!, b.doubleValue!, "\(d): not monotone")
            }
            for v in values { XCTAssertTrue(d.contains(v), "\(d) produced \(v), which it does not contain") }
            if let (lower, upper) = d.numericBounds {
                XCTAssertTrue(values.allSatisfy { $0.doubleValue! >= lower && $0.doubleValue! <= upper }, "\(d)")
            }
        }
    }

    func testBoundsAreReachedAndRespected() {
        XCTAssertEqual(Distribution.uniform(min: -1, max: 3).value(atQuantile: 0), .double(-1))
        XCTAssertEqual(Distribution.uniform(min: -1, max: 3).value(atQuantile: 1), .double(3.0 - 4 * 0x1p-53))
        XCTAssertEqual(Distribution.intUniform(min: -2, max: 7).value(atQuantile: 0.999_999), .int(7))
        XCTAssertEqual(Distribution.logUniformValues(min: 1e-4, max: 1e-2).value(atQuantile: 0), .double(1e-4))
        // Out-of-range and NaN quantiles are clamped.
        XCTAssertEqual(Distribution.intUniform(min: 1, max: 3).value(atQuantile: -0.5), .int(1))
        XCTAssertEqual(Distribution.intUniform(min: 1, max: 3).value(atQuantile: 7), .int(3))
        XCTAssertEqual(Distribution.intUniform(min: 1, max: 3).value(atQuantile: .nan), .int(1))
    }

    func testQVariantsRoundToMultiplesOfQWithinTheRange() {
        let q = Distribution.qUniform(min: 0.05, max: 0.95, q: 0.1)
        let values = Set(grid.map { q.value(atQuantile: $0) })
        XCTAssertEqual(values, Set([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map(ParameterValue.double)))
        XCTAssertEqual(Distribution.qUniform(min: 0, max: 1, q: 0.1).value(atQuantile: 0.3), .double(0.3))  // not 0.30000000000000004
        XCTAssertEqual(Distribution.qUniform(min: 0, max: 10, q: 2.5).value(atQuantile: 0.3), .double(2.5))

        let width = Distribution.qLogUniformValues(min: 64, max: 1024, q: 32)
        let widths = grid.map { width.value(atQuantile: $0) }
        XCTAssertEqual(widths.first, .int(64))
        XCTAssertEqual(width.value(atQuantile: 1), .int(1024))
        XCTAssertTrue(widths.allSatisfy { $0.intValue.map { $0 % 32 == 0 && $0 >= 64 && $0 <= 1024 } ?? false })
        XCTAssertEqual(width.median, .int(256))  // √(64·1024) = 256, a multiple of 32
        // A q that is not a whole number, with bounds off its grid: results stay inside [min, max].
        let odd = Distribution.qUniform(min: 0.9, max: 2.1, q: 0.3)
        for u in grid {
            let x = odd.value(atQuantile: u).doubleValue!
            XCTAssertTrue(x >= 0.9 && x <= 2.1, "\(x)")
        }
    }

    func testLogUniformMedianIsTheGeometricMean() {
        let d = Distribution.logUniformValues(min: 1e-4, max: 1e-2)
        XCTAssertEqual(d.median.doubleValue!, 1e-3, accuracy: 1e-15)
        XCTAssertEqual(Distribution.logUniformValues(min: 2, max: 32).median.doubleValue!, 8, accuracy: 1e-12)
        // Equal shares per decade.
        XCTAssertEqual(d.value(atQuantile: 0.25).doubleValue!, 10.0.squareRoot() * 1e-4, accuracy: 1e-15)
    }

    func testNormalQuantileIsAccurate() {
        let z = Distribution.normal(mu: 0, sigma: 1)
        XCTAssertEqual(z.value(atQuantile: 0.975).doubleValue!, 1.959963984540054, accuracy: 1e-12)
        XCTAssertEqual(z.value(atQuantile: 0.025).doubleValue!, -1.959963984540054, accuracy: 1e-12)
        XCTAssertEqual(z.value(atQuantile: 0.5).doubleValue!, 0, accuracy: 1e-15)
        XCTAssertEqual(z.value(atQuantile: 0.841344746068543).doubleValue!, 1, accuracy: 1e-12)
        XCTAssertEqual(z.value(atQuantile: 1e-10).doubleValue!, -6.361340902404056, accuracy: 1e-9)
        XCTAssertEqual(z.value(atQuantile: 0.999).doubleValue!, 3.090232306167813, accuracy: 1e-9)
        XCTAssertTrue(z.value(atQuantile: 0).doubleValue!.isFinite)
        for p in [1e-300, 1e-12, 0.001, 0.02425, 0.2, 0.5, 0.7, 0.97575, 0.999999] {
            XCTAssertEqual(StandardNormal.cdf(StandardNormal.quantile(p)) / p, 1, accuracy: 1e-12, "p=\(p)")
        }
        let scaled = Distribution.normal(mu: 1, sigma: 2)
        XCTAssertEqual(scaled.value(atQuantile: 0.975).doubleValue!, 1 + 2 * 1.959963984540054, accuracy: 1e-12)
        XCTAssertEqual(Distribution.logNormal(mu: 0.5, sigma: 2).median.doubleValue!, exp(0.5), accuracy: 1e-12)
    }

    func testCategoricalFollowsTheProbabilities() {
        let d = Distribution.categorical(values: [.string("a"), .string("b"), .string("c")], probabilities: [0.5, 0.25, 0.25])
        XCTAssertEqual(d.value(atQuantile: 0), .string("a"))
        XCTAssertEqual(d.value(atQuantile: 0.49), .string("a"))
        XCTAssertEqual(d.value(atQuantile: 0.5), .string("b"))
        XCTAssertEqual(d.value(atQuantile: 0.74), .string("b"))
        XCTAssertEqual(d.value(atQuantile: 0.75), .string("c"))
        XCTAssertEqual(d.value(atQuantile: 1), .string("c"))
        let counts = Dictionary(grouping: grid.map { d.value(atQuantile: $0) }) { $0 }.mapValues(\.count)
        XCTAssertEqual(counts, [.string("a"): 500, .string("b"): 250, .string("c"): 250])

        let zero = Distribution.categorical(values: [.int(1), .int(2), .int(3)], probabilities: [0.5, 0, 0.5])
        XCTAssertFalse(grid.contains { zero.value(atQuantile: $0) == .int(2) })
        XCTAssertEqual(zero.value(atQuantile: 1), .int(3))

        let equal = Distribution.categorical(values: [.bool(true), .bool(false)], probabilities: nil)
        XCTAssertEqual(equal.value(atQuantile: 0.49), .bool(true))
        XCTAssertEqual(equal.value(atQuantile: 0.5), .bool(false))
        XCTAssertEqual(equal.median, .bool(true))  // the first value, not a quantile
    }

    func testIntUniformCoversEveryValueEqually() {
        let d = Distribution.intUniform(min: 1, max: 5)
        let counts = Dictionary(grouping: grid.map { d.value(atQuantile: $0) }) { $0 }.mapValues(\.count)
        XCTAssertEqual(counts, [.int(1): 200, .int(2): 200, .int(3): 200, .int(4): 200, .int(5): 200])
        XCTAssertEqual(d.median, .int(3))
    }

    func testContainsAndCanonical() {
        let depth = Distribution.intUniform(min: 1, max: 3)
        XCTAssertEqual(depth.canonical(.double(2)), .int(2))
        XCTAssertFalse(depth.contains(.double(2.5)))
        XCTAssertFalse(depth.contains(.string("2")))
        XCTAssertFalse(depth.contains(.int(4)))

        let choice = Distribution.categorical(values: [.int(1), .string("2"), .bool(true)], probabilities: nil)
        XCTAssertEqual(choice.canonical(.double(1)), .int(1))
        XCTAssertTrue(choice.contains(.string("2")))
        XCTAssertFalse(choice.contains(.int(2)))
        XCTAssertFalse(choice.contains(.string("true")))

        let width = Distribution.qLogUniformValues(min: 64, max: 1024, q: 32)
        XCTAssertEqual(width.canonical(.double(96)), .int(96))
        XCTAssertFalse(width.contains(.int(100)))
        XCTAssertFalse(width.contains(.int(32)))
        XCTAssertEqual(Distribution.qUniform(min: 0, max: 1, q: 0.1).canonical(.double(0.30000000000000004)), .double(0.3))

        XCTAssertEqual(Distribution.uniform(min: 0, max: 1).canonical(.int(1)), .double(1))
        XCTAssertFalse(Distribution.uniform(min: 0, max: 1).contains(.bool(true)))
        XCTAssertTrue(Distribution.normal(mu: 0, sigma: 1).contains(.double(-1e6)))
        XCTAssertFalse(Distribution.normal(mu: 0, sigma: 1).contains(.double(.infinity)))
        XCTAssertFalse(Distribution.logNormal(mu: 0, sigma: 1).contains(.int(0)))
        XCTAssertTrue(Distribution.constant(.double(4)).contains(.int(4)))
    }

    func testKinds() {
        XCTAssertTrue(Distribution.logUniformValues(min: 1, max: 2).isLogarithmic)
        XCTAssertTrue(Distribution.qLogUniformValues(min: 1, max: 2, q: 1).isLogarithmic)
        XCTAssertTrue(Distribution.logNormal(mu: 0, sigma: 1).isLogarithmic)
        XCTAssertFalse(Distribution.uniform(min: 1, max: 2).isLogarithmic)
        XCTAssertTrue(Distribution.constant(.int(1)).isCategorical)
        XCTAssertTrue(Distribution.categorical(values: [.int(1)], probabilities: nil).isCategorical)
        XCTAssertFalse(Distribution.intUniform(min: 1, max: 2).isCategorical)
        XCTAssertEqual(Distribution.qLogUniformValues(min: 64, max: 1024, q: 32).description,
                       "a multiple of 32 in [64, 1024] (log scale)")
    }
}
