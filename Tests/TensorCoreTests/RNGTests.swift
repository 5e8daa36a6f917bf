// RNG (Philox4x32-10): known-answer vectors, reproducibility per (seed, stream), independence of
// streams, and the distributions drawn from it (uniform, normal, integers, permutations,
// Bernoulli) checked statistically with fixed seeds.
import TestSupport
import XCTest
@testable import TensorCore

final class RNGTests: XCTestCase {
    // MARK: Known answers (Random123's kat_vectors for philox4x32 10)

    func testPhiloxKnownAnswerVectors() {
        let zero = RNG.philox(counter: (0, 0, 0, 0), key: (0, 0))
        XCTAssertEqual([zero.0, zero.1, zero.2, zero.3], [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8])
        let ones = RNG.philox(counter: (.max, .max, .max, .max), key: (.max, .max))
        XCTAssertEqual([ones.0, ones.1, ones.2, ones.3], [0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD])
        let pi = RNG.philox(counter: (0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344), key: (0xA409_3822, 0x299F_31D0))
        XCTAssertEqual([pi.0, pi.1, pi.2, pi.3], [0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1])
    }

    func testStreamStartsWithTheBlockAtCounterZero() {
        var rng = RNG(seed: 0, stream: 0)
        XCTAssertEqual((0..<4).map { _ in rng.nextUInt32() }, [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8])
        XCTAssertEqual(rng.counter, 1)
        _ = rng.nextUInt32()
        XCTAssertEqual(rng.counter, 2)
    }

    // MARK: Reproducibility and independence

    func testSameSeedAndStreamGiveSameSequence() {
        var a = RNG(seed: 1234, stream: 5), b = RNG(seed: 1234, stream: 5)
        let xa = (0..<1000).map { _ in a.nextUInt32() }, xb = (0..<1000).map { _ in b.nextUInt32() }
        XCTAssertEqual(xa, xb)
        var c = RNG(seed: 1234, stream: 5), d = RNG(seed: 1234, stream: 5)
        XCTAssertEqual(c.normalArray(500), d.normalArray(500))
        XCTAssertEqual(c.permutation(50), d.permutation(50))
    }

    func testDifferentStreamsAndSeedsDiffer() {
        func first(_ rng: RNG) -> [UInt32] { var r = rng; return (0..<64).map { _ in r.nextUInt32() } }
        let base = first(RNG(seed: 42, stream: 0))
        XCTAssertNotEqual(base, first(RNG(seed: 42, stream: 1)))
        XCTAssertNotEqual(base, first(RNG(seed: 43, stream: 0)))
        XCTAssertNotEqual(first(RNG(seed: 42, stream: 1)), first(RNG(seed: 42, stream: 2)))
        // High halves of seed and stream matter too.
        XCTAssertNotEqual(base, first(RNG(seed: 42 | 1 << 40, stream: 0)))
        XCTAssertNotEqual(base, first(RNG(seed: 42, stream: 1 << 40)))
        // Few coincidences between two streams' words.
        let other = first(RNG(seed: 42, stream: 1))
        XCTAssertLessThan(zip(base, other).filter { $0 == $1 }.count, 2)
    }

    /// A bulk draw gives exactly the numbers of one-at-a-time draws and leaves the generator at
    /// the same position, from every offset within a block, for small and for split fills, at
    /// 1 and 3 threads.
    func testBulkDrawsAreTheSequentialDraws() {
        defer { BLAS.setThreads(1) }
        for threads in [1, 3] {
            BLAS.setThreads(threads)
            for skip in 0..<5 {
                for count in [1, 3, 4, 7, 100_001] {
                    var bulk = RNG(seed: 21, stream: 4), one = bulk
                    for _ in 0..<skip { _ = bulk.nextUInt32(); _ = one.nextUInt32() }
                    var out = [UInt32](repeating: 0, count: count)
                    out.withUnsafeMutableBufferPointer { bulk.nextUInt32s(into: $0.baseAddress!, count: count) }
                    let expected = (0..<count).map { _ in one.nextUInt32() }
                    XCTAssertEqual(out, expected, "skip \(skip), count \(count), \(threads) threads")
                    XCTAssertEqual(bulk.state, one.state, "position after: skip \(skip), count \(count)")
                    XCTAssertEqual(bulk.nextUInt32(), one.nextUInt32(), "the draw after: skip \(skip), count \(count)")
                }
            }
        }
    }

    func testCopyingForksThePosition() {
        var a = RNG(seed: 9)
        _ = a.nextUInt32()
        var b = a
        let xa = (0..<10).map { _ in a.nextUInt32() }
        let xb = (0..<10).map { _ in b.nextUInt32() }
        XCTAssertEqual(xa, xb)
    }

    func testDerivedStreamsAreDeterministicDistinctAndNest() {
        let root = RNG(seed: 7)
        func first(_ rng: RNG) -> [UInt32] { var r = rng; return (0..<16).map { _ in r.nextUInt32() } }
        XCTAssertEqual(first(root.derived(stream: 3)), first(RNG(seed: 7).derived(stream: 3)))
        XCTAssertNotEqual(first(root.derived(stream: 3)), first(root.derived(stream: 4)))
        XCTAssertNotEqual(first(root.derived(stream: 0)), first(root))
        XCTAssertNotEqual(first(root.derived(stream: 1).derived(stream: 2)), first(root.derived(stream: 2).derived(stream: 1)))
        XCTAssertNotEqual(first(root.derived(stream: 1)), first(RNG(seed: 8).derived(stream: 1)))
        // A derived stream does not depend on how far the parent has advanced.
        var advanced = root
        _ = advanced.nextUInt64()
        XCTAssertEqual(first(advanced.derived(stream: 3)), first(root.derived(stream: 3)))
    }

    func testMixIsABijectionOnSamples() {
        let xs: [UInt64] = (0..<1000).map { UInt64($0) * 0x1_0000_0001 }
        XCTAssertEqual(Set(xs.map(RNG.mix)).count, xs.count)
        XCTAssertNotEqual(RNG.mix(0), 0)
    }

    // MARK: Distributions

    func testUniformMeanAndVariance() {
        var rng = RNG(seed: 2024)
        let n = 100_000
        let xs = (0..<n).map { _ in Double(rng.uniform()) }
        XCTAssertTrue(xs.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = xs.reduce(0, +) / Double(n)
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        XCTAssertEqual(mean, 0.5, accuracy: 0.005)
        XCTAssertEqual(variance, 1.0 / 12, accuracy: 0.002)
        // Each tenth of [0, 1) gets about a tenth of the samples.
        var bins = [Int](repeating: 0, count: 10)
        for x in xs { bins[Int(x * 10)] += 1 }
        for b in bins { XCTAssertEqual(Double(b) / Double(n), 0.1, accuracy: 0.005) }
    }

    func testUniformDoubleAndRange() {
        var rng = RNG(seed: 3)
        let ds = (0..<20_000).map { _ in rng.uniformDouble() }
        XCTAssertTrue(ds.allSatisfy { $0 >= 0 && $0 < 1 })
        XCTAssertEqual(ds.reduce(0, +) / Double(ds.count), 0.5, accuracy: 0.01)
        let ys = rng.uniformArray(20_000, -3, 5)
        XCTAssertTrue(ys.allSatisfy { $0 >= -3 && $0 < 5 })
        XCTAssertEqual(Double(ys.reduce(0, +)) / Double(ys.count), 1, accuracy: 0.1)
        XCTAssertLessThan(ys.min()!, -2.9)
        XCTAssertGreaterThan(ys.max()!, 4.9)
    }

    func testNormalMeanAndStd() {
        var rng = RNG(seed: 77)
        let n = 100_000
        let xs = rng.normalArray(n).map(Double.init)
        XCTAssertTrue(xs.allSatisfy(\.isFinite))
        let mean = xs.reduce(0, +) / Double(n)
        let std = (xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(std, 1, accuracy: 0.01)
        // About 68.3% within one standard deviation, 95.4% within two.
        XCTAssertEqual(Double(xs.filter { abs($0) < 1 }.count) / Double(n), 0.6827, accuracy: 0.01)
        XCTAssertEqual(Double(xs.filter { abs($0) < 2 }.count) / Double(n), 0.9545, accuracy: 0.005)
        // Shifted and scaled.
        let ys = rng.normalArray(50_000, mean: 3, std: 0.5).map(Double.init)
        let my = ys.reduce(0, +) / Double(ys.count)
        XCTAssertEqual(my, 3, accuracy: 0.01)
        XCTAssertEqual((ys.reduce(0) { $0 + ($1 - my) * ($1 - my) } / Double(ys.count)).squareRoot(), 0.5, accuracy: 0.01)
    }

    func testPermutationIsAPermutation() {
        var rng = RNG(seed: 11)
        for n in [0, 1, 2, 10, 1000] {
            let p = rng.permutation(n)
            XCTAssertEqual(p.sorted(), Array(0..<n), "n = \(n)")
        }
        let a = rng.permutation(100), b = rng.permutation(100)
        XCTAssertNotEqual(a, b)
        XCTAssertNotEqual(a, Array(0..<100))
    }

    func testPermutationIsUniformOverSmallSets() {
        // All 6 orders of 3 elements appear about equally often.
        var rng = RNG(seed: 12)
        var counts: [[Int]: Int] = [:]
        let trials = 60_000
        for _ in 0..<trials { counts[rng.permutation(3), default: 0] += 1 }
        XCTAssertEqual(counts.count, 6)
        for (_, c) in counts { XCTAssertEqual(Double(c) / Double(trials), 1.0 / 6, accuracy: 0.01) }
    }

    func testIntBelowIsInRangeAndUniform() {
        var rng = RNG(seed: 13)
        for n in [1, 2, 3, 7, 10, 1000, 1 << 40, Int.max] {
            for _ in 0..<2000 {
                let v = rng.int(below: n)
                XCTAssertTrue(v >= 0 && v < n, "\(v) not in 0..<\(n)")
                if !(v >= 0 && v < n) { return }
            }
        }
        XCTAssertEqual(rng.int(below: 1), 0)
        var counts = [Int](repeating: 0, count: 6)
        let trials = 60_000
        for _ in 0..<trials { counts[rng.int(below: 6)] += 1 }
        for c in counts { XCTAssertEqual(Double(c) / Double(trials), 1.0 / 6, accuracy: 0.01) }
        // Large bounds reach the upper half too.
        let big = (0..<200).map { _ in rng.int(below: 1 << 40) }
        XCTAssertTrue(big.contains { $0 > 1 << 39 })
        XCTAssertTrue(big.contains { $0 < 1 << 39 })
    }

    func testBernoulliRate() {
        var rng = RNG(seed: 14)
        let n = 100_000
        for p: Float in [0.1, 0.3, 0.5, 0.9] {
            let hits = (0..<n).filter { _ in rng.bernoulli(p) }.count
            XCTAssertEqual(Double(hits) / Double(n), Double(p), accuracy: 0.006, "p = \(p)")
        }
        XCTAssertFalse((0..<1000).contains { _ in rng.bernoulli(0) })
        XCTAssertTrue((0..<1000).allSatisfy { _ in rng.bernoulli(1) })
    }

    func testTensorFactories() {
        var a = RNG(seed: 15), b = RNG(seed: 15)
        let t = Tensor.uniform([3, 4], -1, 1, rng: &a, requiresGrad: true)
        XCTAssertEqual(t.shape, [3, 4])
        XCTAssertTrue(t.requiresGrad)
        XCTAssertEqual(t.data, b.uniformArray(12, -1, 1))
        let u = Tensor.normal([2, 5], mean: 1, std: 2, rng: &a)
        XCTAssertEqual(u.shape, [2, 5])
        XCTAssertFalse(u.requiresGrad)
        XCTAssertEqual(u.data, b.normalArray(10, mean: 1, std: 2))
    }
}
