// The builder over a run directory's records: candidates ranked by the sweep metric, selection
// on validation predictions only, the test split read for evaluation only.
import Coordinator
import Datasets
import Foundation
import Search
import Storage
import TestSupport
import XCTest
@testable import Ensembles
@testable import Training

final class EnsembleBuilderTests: XCTestCase {
    let classes = 3

    func dataset(_ n: Int, seed: Int) -> Dataset {
        Dataset(features: [Float](repeating: 0, count: n * 4), labels: (0..<n).map { ($0 * 7 + seed) % 3 }, featureCount: 4, classCount: 3)
    }

    /// A noisy "model": probability `skill` on the true class for a seeded share of rows.
    func predictions(_ labels: [Int], skill: Float, seed: UInt64) -> [Float] {
        var state = seed
        var out: [Float] = []
        for y in labels {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let right = Double(state >> 11) / Double(1 << 53) < Double(skill)
            let guess = right ? y : (y + 1) % classes
            out += (0..<classes).map { $0 == guess ? 0.7 : 0.15 }
        }
        return out
    }

    func makeRun(poisonTest: Bool) throws -> (EnsembleBuilder, TemporaryDirectory) {
        let dir = try TemporaryDirectory(prefix: "ensemble")
        let data = PreparedData(train: dataset(30, seed: 0), validation: dataset(200, seed: 1), test: dataset(200, seed: 2))
        let spec = try SweepSpec.parse(yaml: """
        name: e
        model: mlp
        budget: {trials: 6, max_epochs: 2}
        parameters: {width: {values: [4, 8, 16, 32, 64, 128]}}
        """, file: "e.yaml", vocabulary: TrainingConfig.vocabulary)
        let store = InMemoryStore()
        let run = RunDirectory(dir.url.path)
        for i in 0..<6 {
            let skill = Float(0.5 + 0.07 * Double(i))
            let validation = predictions(data.validation.labels, skill: skill, seed: UInt64(10 + i))
            let loss = ClassificationMetrics(probabilities: validation, labels: data.validation.labels, classes: classes).nll
            try store.upsertTrial(TrialRecord(index: i, configuration: Configuration(["width": .int(4 << i)]), seed: 1,
                                              state: i == 0 ? .failed : .completed, epochs: 2, bestEpoch: 2, bestValue: loss))
            var test = predictions(data.test.labels, skill: skill, seed: UInt64(20 + i))
            if poisonTest { test = [Float](repeating: .nan, count: test.count) }
            for (kind, name, values) in [("validation_predictions", "v", validation), ("test_predictions", "t", test)] {
                let path = "trials/\(i)/\(name).f32"
                let sum = try run.write(values.withUnsafeBytes { Array($0) }, to: path)
                try store.putArtifact(ArtifactRecord(trial: i, kind: kind, path: path, bytes: values.count * 4, checksum: sum))
            }
        }
        return (EnsembleBuilder(spec: spec, store: store, run: run, data: data), dir)
    }

    func testAverageTakesTheTopTrialsByValidationMetricAndIsStored() throws {
        let (builder, dir) = try makeRun(poisonTest: false)
        _ = dir
        let r = try builder.build(top: 3, method: "average", keepAll: true)
        XCTAssertNil(r.excluded)
        XCTAssertEqual(r.members.map(\.trial), [5, 4, 3], "best validation NLL first; the failed trial is no candidate")
        XCTAssertEqual(r.bestSingle.trial, 5)
        // The default MLP has two hidden layers: 4 → w → w → 3.
        XCTAssertEqual(r.members.map(\.params), [128, 64, 32].map { w in 4 * w + w + w * w + w + w * 3 + 3 })
        XCTAssertEqual(r.ensemble.params, r.members.reduce(0) { $0 + $1.params })
        let stored = try builder.store.ensembles()
        XCTAssertEqual(stored.map(\.members), [[5, 4, 3]])
        XCTAssertEqual(try JSONDecoder().decode(EnsembleReport.self, from: Data(stored[0].resultJSON.utf8)), r)
    }

    func testTheDefaultAverageLeavesOutTrialsThatWouldRaiseTheValidationNLLAndSaysSo() throws {
        let (builder, dir) = try makeRun(poisonTest: false)
        _ = dir
        let plain = try builder.build(top: 5, method: "average", keepAll: true)
        let safe = try builder.build(top: 5, method: "average")
        let excluded = try XCTUnwrap(safe.excluded)
        XCTAssertFalse(excluded.isEmpty, "the weaker trials of this fixture raise the average's NLL")
        XCTAssertEqual(safe.members.first?.trial, 5, "the best trial always stays")
        XCTAssertEqual(Set(safe.members.compactMap(\.trial)).union(excluded.map(\.trial)), [5, 4, 3, 2, 1], "each of the top 5 is kept or left out")
        XCTAssertTrue(excluded.allSatisfy { $0.validationLossWith > $0.validationLossWithout }, "\(excluded)")
        XCTAssertLessThanOrEqual(try XCTUnwrap(safe.ensemble.validation).nll, try XCTUnwrap(safe.bestSingle.validation).nll, "never worse than its best member on validation")
        XCTAssertGreaterThan(try XCTUnwrap(plain.ensemble.validation).nll, try XCTUnwrap(safe.ensemble.validation).nll, "the plain average of all five is worse")
        XCTAssertEqual(safe.members.compactMap(\.weight).reduce(0, +), 1, accuracy: 1e-12)
        let stored = try builder.store.ensembles().last
        XCTAssertEqual(try ResultJSON.decode(EnsembleReport.self, try XCTUnwrap(stored).resultJSON), safe, "the exclusions are stored")
    }

    func testSelectionNeverReadsTheTestSplit() throws {
        for method in ["average", "greedy"] {
            let clean = try makeRun(poisonTest: false), poisoned = try makeRun(poisonTest: true)
            let a = try clean.0.build(top: 3, method: method), b = try poisoned.0.build(top: 3, method: method)
            XCTAssertEqual(a.members.map(\.trial), b.members.map(\.trial), method)
            XCTAssertEqual(a.members.map(\.weight), b.members.map(\.weight), method)
            XCTAssertEqual(a.ensemble.validation, b.ensemble.validation, method)
            XCTAssertTrue(try XCTUnwrap(b.ensemble.test).nll.isNaN, "the poisoned test predictions were only read to evaluate")
        }
    }

    func testUnknownMethodAndEmptySweepAreClearErrors() throws {
        let (builder, dir) = try makeRun(poisonTest: false)
        _ = dir
        XCTAssertThrowsError(try builder.build(top: 3, method: "stacking")) { XCTAssertTrue("\($0)".contains("use average or greedy")) }
        let empty = EnsembleBuilder(spec: builder.spec, store: InMemoryStore(), run: builder.run, data: builder.data)
        XCTAssertThrowsError(try empty.build(top: 3, method: "average")) { XCTAssertTrue("\($0)".contains("no finished trial")) }
    }
}
