// Samplers: assignments as a pure function of (seed, index), the distributions they produce
// (fixed seeds, generous statistical thresholds), conditions, and deduplication.
import Foundation
import XCTest
@testable import Search

final class SamplerTests: XCTestCase {
    static let mixed = """
    name: mixed
    seed: 7
    model: mlp
    budget: {trials: 100, max_epochs: 10}
    parameters:
      learning_rate: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-1}
      width:         {distribution: q_uniform, min: 32, max: 256, q: 32}
      depth:         {min: 1, max: 4}
      optimizer:     {values: [adam, sgd, adamw], probabilities: [0.5, 0.3, 0.2]}
      momentum:      {distribution: q_uniform, min: 0.8, max: 0.95, q: 0.05, when: {optimizer: sgd}}
      nesterov:      {values: [true, false], when: {momentum: [0.9, 0.95]}}
      dropout:       {distribution: normal, mu: 0.2, sigma: 0.05}
      weight_decay:  {distribution: uniform, min: 0.0, max: 0.1}
    """

    static func spec(_ yaml: String = mixed, seed: UInt64? = nil, sampler: SamplerKind = .random) throws -> SweepSpec {
        var spec = try TestVocabulary.parse(yaml)
        if let seed { spec.seed = seed }
        spec.sampler = sampler
        return spec
    }

    static func samplers(_ spec: SweepSpec) -> [(String, any Sampler)] {
        [("random", RandomSampler(spec: spec)), ("sobol", SobolSampler(spec: spec))]
    }

    /// `n` assignments, asked for in order.
    static func draw(_ sampler: any Sampler, _ n: Int) throws -> [TrialAssignment] {
        var s = sampler
        return try (0..<n).map { try s.assignment($0) }
    }

    /// The values of `name` over `n` trials (absent ones left out).
    static func values(_ name: String, _ spec: SweepSpec, _ n: Int, sobol: Bool = false) throws -> [ParameterValue] {
        let s: any Sampler = sobol ? SobolSampler(spec: spec) : RandomSampler(spec: spec)
        return try draw(s, n).compactMap { $0.configuration[name] }
    }

    // MARK: Purity

    func testAssignmentsDoNotDependOnTheOrderOfQueries() throws {
        let spec = try Self.spec()
        for (name, sampler) in Self.samplers(spec) {
            let inOrder = try Self.draw(sampler, 100)
            var order = Array(0..<100)
            var rng = SearchRandom(seed: 99)
            order.shuffle(using: &rng)
            var shuffled = sampler
            var byIndex = [Int: TrialAssignment]()
            for i in order { byIndex[i] = try shuffled.assignment(i) }
            XCTAssertEqual((0..<100).map { byIndex[$0]! }, inOrder, name)
            // A fresh sampler asked for the last index first, and the same sampler asked twice.
            var fresh = sampler
            XCTAssertEqual(try fresh.assignment(99), inOrder[99], name)
            XCTAssertEqual(try fresh.assignment(3), inOrder[3], name)
            XCTAssertEqual(try fresh.assignment(99), inOrder[99], name)
            XCTAssertEqual(inOrder.map(\.index), Array(0..<100), name)
            // And makeSampler picks the same sampler.
            var made = makeSampler(for: try Self.spec(sampler: name == "sobol" ? .sobol : .random))
            XCTAssertEqual(try made.assignment(42), inOrder[42], name)
        }
    }

    func testDifferentSeedsGiveDifferentAssignments() throws {
        for kind in SamplerKind.allCases {
            let a = try Self.draw(makeSampler(for: Self.spec(seed: 1, sampler: kind)), 50)
            let b = try Self.draw(makeSampler(for: Self.spec(seed: 2, sampler: kind)), 50)
            let sameConfig = zip(a, b).filter { $0.configuration == $1.configuration }.count
            XCTAssertEqual(sameConfig, 0, "\(kind)")
            XCTAssertTrue(zip(a, b).allSatisfy { $0.seed != $1.seed }, "\(kind)")
        }
    }

    func testTrainingSeedsAreDistinctAndDoNotDependOnTheConfiguration() throws {
        let spec = try Self.spec()
        let random = try Self.draw(RandomSampler(spec: spec), 300)
        let sobol = try Self.draw(SobolSampler(spec: spec), 300)
        XCTAssertEqual(random.map(\.seed), sobol.map(\.seed))
        XCTAssertEqual(Set(random.map(\.seed)).count, 300)
        XCTAssertEqual(random[5].seed, TrialAssignment.trainingSeed(sweepSeed: 7, index: 5))
        // Well mixed: consecutive indices' seeds differ in about half their bits.
        let flips = zip(random, random.dropFirst()).map { ($0.seed ^ $1.seed).nonzeroBitCount }
        XCTAssertEqual(Double(flips.reduce(0, +)) / Double(flips.count), 32, accuracy: 3)
    }

    func testGeneratorIsAPureFunctionOfSeedAndStream() {
        var a = SearchRandom(seed: 5, stream: 1), b = SearchRandom(seed: 5, stream: 1), c = SearchRandom(seed: 5, stream: 2)
        let xa = (0..<10).map { _ in a.next() }, xb = (0..<10).map { _ in b.next() }, xc = (0..<10).map { _ in c.next() }
        XCTAssertEqual(xa, xb)
        XCTAssertNotEqual(xa, xc)
        // SplitMix64's reference output for seed 0 (state starting at 0): 0xE220A8397B1DCDAF.
        XCTAssertEqual(SearchRandom.mix(0x9E37_79B9_7F4A_7C15), 0xE220_A839_7B1D_CDAF)
    }

    // MARK: Distributions

    func testEveryValueIsInItsDistribution() throws {
        let spec = try Self.spec()
        for (name, sampler) in Self.samplers(spec) {
            for a in try Self.draw(sampler, 1000) {
                for (key, value) in a.configuration.values {
                    let d = spec.parameter(named: key)!.distribution
                    XCTAssertEqual(d.canonical(value), value, "\(name): \(key)=\(value) not canonical in \(d)")
                    if let (lo, hi) = d.numericBounds, let x = value.doubleValue {
                        XCTAssertTrue(x >= lo && x <= hi, "\(name): \(key)=\(x) outside [\(lo), \(hi)]")
                    }
                }
            }
        }
    }

    /// Kolmogorov–Smirnov distance between the sample and U(0, 1).
    static func ksDistance(_ sample: [Double]) -> Double {
        let sorted = sample.sorted(), n = Double(sorted.count)
        return sorted.enumerated().map { i, x in max(Double(i + 1) / n - x, x - Double(i) / n) }.max()!
    }

    func testLogUniformIsUniformInLogSpace() throws {
        let spec = try Self.spec()
        for sobol in [false, true] {
            let lr = try Self.values("learning_rate", spec, 4000, sobol: sobol).map { $0.doubleValue! }
            let t = lr.map { log($0 / 1e-4) / log(1e-1 / 1e-4) }
            // 1.95/√n is the 0.1% critical value: a correct sampler fails it with one seed in 1,000.
            XCTAssertLessThan(Self.ksDistance(t), 1.95 / 4000.0.squareRoot(), "sobol: \(sobol)")
            // Not uniform in linear space: most of the mass is below 0.01.
            XCTAssertGreaterThan(Double(lr.filter { $0 < 1e-2 }.count) / 4000, 0.6)
        }
    }

    func testQValuesAreMultiplesAndCoverTheRange() throws {
        let spec = try Self.spec()
        let widths = try Self.values("width", spec, 2000)
        XCTAssertEqual(Set(widths), Set([32, 64, 96, 128, 160, 192, 224, 256].map(ParameterValue.int)))
        let momenta = try Self.values("momentum", spec, 2000)
        XCTAssertEqual(Set(momenta), Set([0.8, 0.85, 0.9, 0.95].map(ParameterValue.double)))  // exact, not 0.8500000000000001
    }

    /// Pearson's chi-square statistic of `counts` against `expected` probabilities.
    static func chiSquare(_ counts: [Int], _ expected: [Double]) -> Double {
        let n = Double(counts.reduce(0, +))
        return zip(counts, expected).map { c, p in (Double(c) - n * p) * (Double(c) - n * p) / (n * p) }.reduce(0, +)
    }

    func testIntUniformCoversEveryValueEvenly() throws {
        let spec = try Self.spec()
        for sobol in [false, true] {
            let depths = try Self.values("depth", spec, 4000, sobol: sobol).map { $0.intValue! }
            let counts = (1...4).map { d in depths.filter { $0 == d }.count }
            XCTAssertTrue(counts.allSatisfy { $0 > 0 })
            XCTAssertLessThan(Self.chiSquare(counts, [0.25, 0.25, 0.25, 0.25]), 16.27)  // 3 df, 0.1%
        }
    }

    func testCategoricalFollowsItsProbabilities() throws {
        let spec = try Self.spec()
        for sobol in [false, true] {
            let optimizers = try Self.values("optimizer", spec, 4000, sobol: sobol)
            let counts = ["adam", "sgd", "adamw"].map { o in optimizers.filter { $0 == .string(o) }.count }
            XCTAssertLessThan(Self.chiSquare(counts, [0.5, 0.3, 0.2]), 13.82)  // 2 df, 0.1%
        }
    }

    func testNormalHasItsMeanAndStandardDeviation() throws {
        let spec = try Self.spec()
        for sobol in [false, true] {
            let x = try Self.values("dropout", spec, 4000, sobol: sobol).map { $0.doubleValue! }
            let mean = x.reduce(0, +) / Double(x.count)
            let sd = (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count - 1)).squareRoot()
            XCTAssertEqual(mean, 0.2, accuracy: 4 * 0.05 / 4000.0.squareRoot())
            XCTAssertEqual(sd, 0.05, accuracy: 0.05 * 0.06)
        }
    }

    // MARK: Conditions

    func testConditionalParametersAppearOnlyWhenTheirConditionHolds() throws {
        let spec = try Self.spec()
        for (name, sampler) in Self.samplers(spec) {
            var sawMomentum = false, sawNesterov = false
            for a in try Self.draw(sampler, 600) {
                let c = a.configuration
                XCTAssertEqual(c["momentum"] != nil, c["optimizer"] == .string("sgd"), "\(name): \(c)")
                let fast = c["momentum"].map { $0 == .double(0.9) || $0 == .double(0.95) } ?? false
                XCTAssertEqual(c["nesterov"] != nil, fast, "\(name): \(c)")
                XCTAssertEqual(Set(c.values.keys).subtracting(["momentum", "nesterov"]),
                               ["learning_rate", "width", "depth", "optimizer", "dropout", "weight_decay"], name)
                sawMomentum = sawMomentum || c["momentum"] != nil
                sawNesterov = sawNesterov || c["nesterov"] != nil
            }
            XCTAssertTrue(sawMomentum && sawNesterov, name)
        }
    }

    // MARK: Deduplication

    static let tiny = """
    name: tiny
    model: mlp
    budget: {trials: 6, max_epochs: 3}
    parameters:
      optimizer: {values: [adam, sgd]}
      depth: {min: 1, max: 3}
    """

    func testATinySpaceIsCoveredWithoutDuplicates() throws {
        let spec = try Self.spec(Self.tiny)
        let all = Set(SearchSpace.allConfigurations(spec)!)
        XCTAssertEqual(all.count, 6)
        for (name, sampler) in Self.samplers(spec) {
            let configs = try Self.draw(sampler, 6).map(\.configuration)
            XCTAssertEqual(Set(configs), all, name)
        }
    }

    func testAnExhaustedSpaceThrows() throws {
        let spec = try Self.spec(Self.tiny)
        for (name, sampler) in Self.samplers(spec) {
            var s = sampler
            XCTAssertThrowsError(try s.assignment(6), name) { error in
                let e = error as? SamplerError
                XCTAssertEqual(e?.trial, 6, name)
                XCTAssertEqual(e?.description, "cannot sample trial 6: the search space has only 6 distinct "
                               + "configurations; lower budget.trials or widen the space", name)
            }
            // Earlier indices still work, later ones fail the same way.
            XCTAssertNoThrow(try s.assignment(5), name)
            XCTAssertThrowsError(try s.assignment(9), name) { XCTAssertEqual(($0 as? SamplerError)?.trial, 6) }
            XCTAssertThrowsError(try s.assignment(-1), name)
        }
    }

    func testASpaceCanBeUsedUpExactly() throws {
        // 3 × 4 × 5 = 60 configurations: 60 trials take every one of them; the 61st throws.
        let spec = try Self.spec("""
        name: exact
        model: mlp
        budget: {trials: 60, max_epochs: 3}
        parameters:
          optimizer: {values: [adam, sgd, adamw], probabilities: [0.8, 0.15, 0.05]}
          depth: {min: 1, max: 4}
          width: {distribution: q_log_uniform_values, min: 32, max: 160, q: 32}
        """)
        XCTAssertNoThrow(try preflight(spec))
        let all = Set(SearchSpace.allConfigurations(spec)!)
        XCTAssertEqual(all.count, 60)
        for (name, sampler) in Self.samplers(spec) {
            var s = sampler
            XCTAssertEqual(Set(try (0..<60).map { try s.assignment($0).configuration }), all, name)
            XCTAssertThrowsError(try s.assignment(60), name)
            // Still a pure function of the index: a fresh sampler asked out of order agrees.
            var fresh = sampler, again = sampler
            XCTAssertEqual(try fresh.assignment(59), try again.assignment(59))
        }
    }

    func testAnUnlikelyRemainingConfigurationIsFoundByEnumeration() throws {
        // Random draws hit 'rare' once in 10⁵: after 1,000 misses the sampler lists the space.
        let spec = try Self.spec("""
        name: rare
        model: mlp
        budget: {trials: 2, max_epochs: 3}
        parameters:
          activation: {values: [relu, rare], probabilities: [0.99999, 0.00001]}
        """)
        for (name, sampler) in Self.samplers(spec) {
            let configs = try Self.draw(sampler, 2).map { $0.configuration["activation"] }
            XCTAssertEqual(configs, [.string("relu"), .string("rare")], name)
        }
    }

    func testContinuousSpacesNeverRepeat() throws {
        let spec = try Self.spec()
        for (name, sampler) in Self.samplers(spec) {
            let configs = try Self.draw(sampler, 2000).map(\.configuration)
            XCTAssertEqual(Set(configs).count, 2000, name)
        }
    }
}
