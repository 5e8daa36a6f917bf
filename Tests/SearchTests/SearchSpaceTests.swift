// SearchSpace: counting distinct configurations (conditions included), listing them, preflight.
import XCTest
@testable import Search

final class SearchSpaceTests: XCTestCase {
    static func spec(trials: Int = 5, _ parameters: String) throws -> SweepSpec {
        try TestVocabulary.parse("""
        name: space
        model: mlp
        budget: {trials: \(trials), max_epochs: 3}
        parameters:
        \(parameters)
        """, file: "sweeps/space.yaml")
    }

    func testDiscreteDistributionsCountTheirValues() throws {
        XCTAssertEqual(try Self.spec("  depth: {min: 1, max: 4}").distinctConfigurationCount, 4)
        XCTAssertEqual(try Self.spec("  batch_norm: {value: true}").distinctConfigurationCount, 1)
        // q_uniform 0…1 by 0.1: 0, 0.1, …, 1.
        XCTAssertEqual(try Self.spec("  dropout: {distribution: q_uniform, min: 0, max: 1, q: 0.1}").distinctConfigurationCount, 11)
        // Multiples of 32 from 64 to 1024: 2…32.
        XCTAssertEqual(try Self.spec("  width: {distribution: q_log_uniform_values, min: 64, max: 1024, q: 32}")
            .distinctConfigurationCount, 31)
        // Off-grid bounds: 0.9…2.1 by 0.3 holds 0.9, 1.2, 1.5, 1.8, 2.1.
        XCTAssertEqual(try Self.spec("  dropout: {distribution: q_uniform, min: 0.9, max: 2.1, q: 0.3}").distinctConfigurationCount, 5)
        // A value of probability 0 is never drawn.
        XCTAssertEqual(try Self.spec("  activation: {values: [relu, gelu, tanh], probabilities: [0.5, 0.5, 0]}")
            .distinctConfigurationCount, 2)
        XCTAssertEqual(try Self.spec("""
          optimizer: {values: [adam, sgd, adamw]}
          depth: {min: 1, max: 4}
          batch_norm: {value: true}
        """).distinctConfigurationCount, 12)
    }

    func testContinuousSpacesAreInfinite() throws {
        XCTAssertNil(try Self.spec("  dropout: {distribution: uniform, min: 0, max: 0.5}").distinctConfigurationCount)
        XCTAssertNil(try Self.spec("""
          optimizer: {values: [adam, sgd]}
          momentum: {distribution: uniform, min: 0.8, max: 0.99, when: {optimizer: sgd}}
        """).distinctConfigurationCount)
        // ... unless the continuous parameter can never be active.
        XCTAssertEqual(try Self.spec("""
          optimizer: {values: [adam, sgd], probabilities: [1, 0]}
          momentum: {distribution: uniform, min: 0.8, max: 0.99, when: {optimizer: sgd}}
        """).distinctConfigurationCount, 1)
    }

    func testConditionsAreCountedExactly() throws {
        // adam: 1; adamw: 1; sgd with momentum 0.99: 1; sgd with momentum 0.9: 2 (nesterov) → 5.
        let spec = try Self.spec("""
          optimizer: {values: [adam, sgd, adamw]}
          momentum: {values: [0.9, 0.99], when: {optimizer: sgd}}
          nesterov: {values: [true, false], when: {momentum: 0.9}}
        """)
        XCTAssertEqual(spec.distinctConfigurationCount, 5)
        let all = SearchSpace.allConfigurations(spec)!
        XCTAssertEqual(all.count, 5)
        XCTAssertEqual(Set(all).count, 5)
        XCTAssertTrue(all.contains(Configuration(["optimizer": .string("adam")])))
        XCTAssertTrue(all.contains(Configuration(["optimizer": .string("sgd"), "momentum": .double(0.9), "nesterov": .bool(false)])))
        // Sampling all five gives exactly the listed five.
        for sampler in [RandomSampler(spec: spec), SobolSampler(spec: spec)] as [any Sampler] {
            var s = sampler
            XCTAssertEqual(Set(try (0..<5).map { try s.assignment($0).configuration }), Set(all))
        }
    }

    func testConditionsOnAWideRangeAreCountedWithoutListingIt() throws {
        // batch_size 1…1000: 998 values leave clip_norm inactive, 32 and 64 have 2 each → 1002.
        let spec = try Self.spec("""
          batch_size: {min: 1, max: 1000}
          clip_norm: {values: [0.5, 1.0], when: {batch_size: [32, 64]}}
          depth: {min: 1, max: 3}
        """)
        XCTAssertEqual(spec.distinctConfigurationCount, 3006)
        XCTAssertEqual(SearchSpace.allConfigurations(spec)?.count, 3006)
        XCTAssertNil(SearchSpace.allConfigurations(spec, limit: 3005))
        // A space too large to list is still counted, saturating rather than overflowing.
        let huge = try Self.spec("""
          batch_size: {min: 1, max: 1000000000}
          width: {min: 1, max: 1000000000}
          depth: {min: 1, max: 1000000000}
        """)
        XCTAssertEqual(huge.distinctConfigurationCount, Int.max)
        XCTAssertNil(SearchSpace.allConfigurations(huge))
    }

    func testPreflightRefusesMoreTrialsThanConfigurations() throws {
        let params = """
          optimizer: {values: [adam, sgd, adamw]}
          depth: {min: 1, max: 4}
        """
        XCTAssertNoThrow(try preflight(Self.spec(trials: 12, params)))
        XCTAssertThrowsError(try preflight(Self.spec(trials: 60, params))) { error in
            let e = error as? SweepSpecError
            XCTAssertEqual(e?.location, SourceLocation(file: "sweeps/space.yaml", line: 3, column: 18))
            XCTAssertEqual(e?.message, "budget.trials is 60 but the space has only 12 distinct configurations; "
                           + "lower budget.trials to at most 12, or widen the space (more values, or a continuous distribution)")
        }
        // With conditions, the message says how they were counted.
        let conditional = """
          optimizer: {values: [adam, sgd]}
          momentum: {values: [0.9, 0.99], when: {optimizer: sgd}}
        """
        XCTAssertNoThrow(try preflight(Self.spec(trials: 3, conditional)))
        XCTAssertThrowsError(try preflight(Self.spec(trials: 4, conditional))) { error in
            XCTAssertTrue("\(error)".hasPrefix("sweeps/space.yaml:3:18: budget.trials is 4 but the space has only 3 "
                                               + "distinct configurations (counting each condition's inactive "
                                               + "parameters as absent)"), "\(error)")
        }
        // Continuous spaces never run out.
        XCTAssertNoThrow(try preflight(Self.spec(trials: 100_000, "  dropout: {distribution: uniform, min: 0, max: 0.5}")))
        // A hand-built spec without text is refused at the file as a whole.
        var bare = try Self.spec(trials: 60, params)
        bare.text = ""
        XCTAssertThrowsError(try preflight(bare)) {
            XCTAssertEqual(($0 as? SweepSpecError)?.location, SourceLocation(file: "sweeps/space.yaml", line: 0, column: 0))
        }
    }
}
