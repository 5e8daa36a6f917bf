// Sobol: the unscrambled sequence against Joe–Kuo (as SciPy's `qmc.Sobol(scramble=False)` prints
// it), the scramble keeping the net property, and evenness against random sampling.
import XCTest
@testable import Search

final class SobolTests: XCTestCase {
    /// Points 0…15 of dimensions 1…21, times 16 (SciPy 1.17 `qmc.Sobol(21, scramble=False).random(16)`).
    static let first16: [[UInt32]] = [
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        [8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8],
        [12, 4, 4, 4, 12, 12, 4, 12, 12, 12, 12, 12, 4, 4, 12, 4, 12, 4, 12, 4, 4],
        [4, 12, 12, 12, 4, 4, 12, 4, 4, 4, 4, 4, 12, 12, 4, 12, 4, 12, 4, 12, 12],
        [6, 6, 10, 14, 6, 2, 6, 14, 14, 10, 14, 6, 6, 10, 6, 14, 6, 14, 14, 2, 2],
        [14, 14, 2, 6, 14, 10, 14, 6, 6, 2, 6, 14, 14, 2, 14, 6, 14, 6, 6, 10, 10],
        [10, 2, 14, 10, 10, 14, 2, 2, 2, 6, 2, 10, 2, 14, 10, 10, 10, 10, 2, 6, 6],
        [2, 10, 6, 2, 2, 6, 10, 10, 10, 14, 10, 2, 10, 6, 2, 2, 2, 2, 10, 14, 14],
        [3, 5, 15, 7, 9, 5, 7, 15, 15, 5, 11, 1, 15, 15, 13, 15, 13, 13, 15, 5, 3],
        [11, 13, 7, 15, 1, 13, 15, 7, 7, 13, 3, 9, 7, 7, 5, 7, 5, 5, 7, 13, 11],
        [15, 1, 11, 3, 5, 9, 3, 3, 3, 9, 7, 13, 11, 11, 1, 11, 1, 9, 3, 1, 7],
        [7, 9, 3, 11, 13, 1, 11, 11, 11, 1, 15, 5, 3, 3, 9, 3, 9, 1, 11, 9, 15],
        [5, 3, 5, 9, 15, 7, 1, 1, 1, 15, 5, 7, 9, 5, 11, 1, 11, 3, 1, 7, 1],
        [13, 11, 13, 1, 7, 15, 9, 9, 9, 7, 13, 15, 1, 13, 3, 9, 3, 11, 9, 15, 9],
        [9, 7, 1, 13, 3, 11, 5, 13, 13, 3, 9, 11, 13, 1, 7, 5, 7, 7, 13, 3, 5],
        [1, 15, 9, 5, 11, 3, 13, 5, 5, 11, 1, 3, 5, 9, 15, 13, 15, 15, 5, 11, 13],
    ]
    /// Point 1000 of dimensions 1…21, times 1024 (SciPy, after `fast_forward(1000)`).
    static let point1000: [UInt32] = [225, 99, 531, 693, 287, 929, 47, 921, 513, 71, 87, 261, 165, 393, 147, 379,
                                      737, 353, 1015, 743, 535]

    func testUnscrambledPointsMatchJoeKuo() {
        let sobol = SobolSequence(dimensions: 21)
        XCTAssertEqual(sobol.directions.count, 21)
        for (i, row) in Self.first16.enumerated() {
            XCTAssertEqual((0..<21).map { sobol.point(UInt32(i), dimension: $0) >> 28 }, row, "point \(i)")
            // Exactly on the 1/16 grid: the lower bits are zero.
            XCTAssertTrue((0..<21).allSatisfy { sobol.point(UInt32(i), dimension: $0) & 0x0FFF_FFFF == 0 })
        }
        XCTAssertEqual((0..<21).map { sobol.point(1000, dimension: $0) >> 22 }, Self.point1000)
        XCTAssertEqual(SobolSequence.maxDimensions, 64)
        XCTAssertGreaterThanOrEqual(SobolSampler.maxDimensions, 21)
    }

    func testEveryDimensionIsStratifiedOverPowersOfTwo() {
        // Any 2ᵐ consecutive aligned points put one point in each interval [j/2ᵐ, (j+1)/2ᵐ), in all
        // 64 dimensions, unscrambled and scrambled alike (nested scrambling keeps the property).
        let unscrambled = SobolSequence(dimensions: 64)
        let scrambled = ScrambledSobol(seed: 3, dimensions: 64)
        for d in 0..<64 {
            let bins = Set((256..<512).map { unscrambled.point(UInt32($0), dimension: d) >> 24 })
            XCTAssertEqual(bins.count, 256, "dimension \(d + 1)")
        }
        let points = (0..<256).map(scrambled.uniforms)
        for d in 0..<64 {
            XCTAssertEqual(Set(points.map { Int($0[d] * 256) }).count, 256, "scrambled dimension \(d + 1)")
            XCTAssertTrue(points.allSatisfy { $0[d] >= 0 && $0[d] < 1 })
        }
        // Dimensions 1 and 2 form a (0, 2)-sequence: 256 points, one in each 16 × 16 cell, and in
        // each 4 × 64 and 64 × 4 cell; scrambled too.
        for (a, b) in [(16, 16), (4, 64), (64, 4)] {
            let cells = Set(points.map { Int($0[0] * Double(a)) * b + Int($0[1] * Double(b)) })
            XCTAssertEqual(cells.count, 256, "\(a) × \(b)")
        }
    }

    func testScramblingDependsOnTheSeed() {
        let a = ScrambledSobol(seed: 1, dimensions: 3), b = ScrambledSobol(seed: 1, dimensions: 3)
        let c = ScrambledSobol(seed: 2, dimensions: 3)
        XCTAssertEqual(a.uniforms(17), b.uniforms(17))
        XCTAssertNotEqual(a.uniforms(17), c.uniforms(17))
        XCTAssertNotEqual(a.uniforms(0), [0, 0, 0])  // the unscrambled first point is the origin
        // Dimensions past the table still get uniforms.
        let wide = ScrambledSobol(seed: 1, dimensions: 70)
        XCTAssertEqual(wide.uniforms(5).count, 70)
        XCTAssertTrue(wide.uniforms(5).allSatisfy { $0 >= 0 && $0 < 1 })
    }

    /// The largest |fraction in [0, x) × [0, y) − x·y| over a 32 × 32 grid of corners: a proxy
    /// for the star discrepancy.
    static func discrepancy(_ points: [(Double, Double)]) -> Double {
        var worst = 0.0
        for i in 1...32 {
            for j in 1...32 {
                let x = Double(i) / 32, y = Double(j) / 32
                let inside = points.filter { $0.0 < x && $0.1 < y }.count
                worst = max(worst, abs(Double(inside) / Double(points.count) - x * y))
            }
        }
        return worst
    }

    func testSobolCoversTheSpaceMoreEvenlyThanRandom() throws {
        let spec = try TestVocabulary.parse("""
        name: even
        seed: 11
        model: mlp
        budget: {trials: 256, max_epochs: 3}
        parameters:
          dropout: {distribution: uniform, min: 0, max: 1}
          weight_decay: {distribution: uniform, min: 0, max: 1}
        """)
        func points(_ s: any Sampler) throws -> [(Double, Double)] {
            var s = s
            return try (0..<256).map {
                let c = try s.assignment($0).configuration
                return (c["dropout"]!.doubleValue!, c["weight_decay"]!.doubleValue!)
            }
        }
        let sobol = try points(SobolSampler(spec: spec)), random = try points(RandomSampler(spec: spec))
        // 1-D: 16 bins of 16 expected; Sobol is exact, random is off by a few.
        func maxBinDeviation(_ x: [Double]) -> Int {
            (0..<16).map { b in abs(x.filter { Int($0 * 16) == b }.count - 16) }.max()!
        }
        XCTAssertEqual(maxBinDeviation(sobol.map(\.0)), 0)
        XCTAssertEqual(maxBinDeviation(sobol.map(\.1)), 0)
        XCTAssertGreaterThan(maxBinDeviation(random.map(\.0)), 2)
        // 2-D: Sobol's discrepancy is several times smaller (≈ log²n/n against ≈ 1/√n).
        let ds = Self.discrepancy(sobol), dr = Self.discrepancy(random)
        XCTAssertLessThan(ds, 0.02)
        XCTAssertLessThan(ds * 2, dr, "sobol \(ds), random \(dr)")
    }
}
