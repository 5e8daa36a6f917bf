// Ensembles of regression models: predictions averaged, selection on the validation MSE of the
// standardised targets, the safe average never worse than its best member, RMSE/MAE/R² in the
// targets' units, and the stored results (old classification JSON still decodes).
import Datasets
import Foundation
import Search
import Storage
import TensorCore
import TestSupport
import XCTest
@testable import Ensembles
@testable import Training

final class RegressionEnsembleTests: XCTestCase {
    /// y₀ = Σ features + noise, y₁ = 100 (x₀ − x₁) + 50 + noise: two targets on very different scales.
    static func rows(_ n: Int, seed: UInt64) -> Dataset {
        var rng = RNG(seed: seed)
        var x: [Float] = [], y: [Float] = []
        for _ in 0..<n {
            let f = rng.normalArray(4)
            x += f
            y += [f.reduce(0, +) + 0.1 * rng.normal(), 100 * (f[0] - f[1]) + 50 + 5 * rng.normal()]
        }
        return Dataset(features: x, targets: Dataset.Targets(values: y, width: 2, names: ["y[0]", "y[1]"]), featureCount: 4)
    }

    /// Standardised features and targets, fitted on the training split.
    static func data(train: Int = 120, validation: Int = 200, test: Int = 200) -> PreparedData {
        var d = PreparedData(train: rows(train, seed: 1), validation: rows(validation, seed: 2), test: rows(test, seed: 3))
        d.normalise()
        return d
    }

    /// A "model": the truth in the targets' units plus seeded noise of `noise` × each target's scale.
    static func member(_ t: Dataset.Targets, noise: Float, seed: UInt64, bias: Double = 0) -> [Float] {
        var rng = RNG(seed: seed)
        let n = t.values.count / t.width
        return (0..<(n * t.width)).map { k in
            let j = k % t.width
            return Float(t.value(row: k / t.width, target: j) + (bias + Double(noise * rng.normal())) * t.std[j])
        }
    }

    static func mse(_ p: [Float], _ t: Dataset.Targets) -> Double { RegressionScores(predictions: p, targets: t).standardisedMSE }

    func testTheDataIsARegressionWithStandardisedTargets() throws {
        let d = Self.data()
        XCTAssertTrue(d.isRegression)
        XCTAssertEqual(d.outputCount, 2)
        let t = try XCTUnwrap(d.train.targets)
        XCTAssertEqual(t.mean[1], 50, accuracy: 30)
        XCTAssertGreaterThan(t.std[1], 50 * t.std[0], "the second target is on a far larger scale")
    }

    func testRegressionMetricsByHand() {
        // One target standardised with mean 10, std 2: values −1, 1 are 8 and 12 in its units.
        let one = Dataset.Targets(values: [-1, 1], width: 1, names: ["y"], mean: [10], std: [2])
        let m = RegressionMetrics(predictions: [9, 13], targets: one)
        XCTAssertEqual(m, RegressionMetrics(rmse: 1, mae: 1, r2: 1 - 2.0 / 8, count: 2))
        // Two raw targets: errors (0, 0), (0, 5), (1, 0).
        let two = Dataset.Targets(values: [1, 10, 2, 20, 3, 30], width: 2, names: ["a", "b"])
        let m2 = RegressionMetrics(predictions: [1, 10, 2, 25, 4, 30], targets: two)
        XCTAssertEqual(m2.rmse, ((1.0 + 25) / 6).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(m2.mae, 6.0 / 6, accuracy: 1e-12)
        XCTAssertEqual(m2.r2, ((1 - 1.0 / 2) + (1 - 25.0 / 200)) / 2, accuracy: 1e-12, "R² per target, averaged")
        XCTAssertEqual(m2.count, 3)
    }

    func testTheAverageOfRegressionModelsAveragesTheirPredictions() throws {
        let t = try XCTUnwrap(Self.data().validation.targets)
        let high = Self.member(t, noise: 0, seed: 1, bias: 0.5), low = Self.member(t, noise: 0, seed: 1, bias: -0.5)
        let combined = EnsembleSelection.combine([high, low, high], EnsembleSelection.average(candidates: 3, top: 2))
        for (x, y) in zip(combined, zip(high, low).map { ($0 + $1) / 2 }) { XCTAssertEqual(x, y, accuracy: 1e-4) }
        let m = RegressionMetrics(predictions: combined, targets: t)
        XCTAssertEqual(m.rmse, 0, accuracy: 1e-3, "opposite biases cancel")
        XCTAssertEqual(m.r2, 1, accuracy: 1e-6)
        XCTAssertGreaterThan(RegressionMetrics(predictions: high, targets: t).rmse, 1)
    }

    func testGreedyMinimisesTheStandardisedValidationMSE() throws {
        let t = try XCTUnwrap(Self.data().validation.targets)
        let members = [0.3, 0.35, 0.4, 0.5].enumerated().map { Self.member(t, noise: Float($1), seed: UInt64(10 + $0)) }
            + [Self.member(t, noise: 0.3, seed: 20, bias: 3)]   // biased: never helps
        let (w, trace) = EnsembleSelection.greedy(validation: members, targets: t, initial: 1, steps: 12)
        XCTAssertEqual(trace.losses.count, 13)
        XCTAssertEqual(trace.losses[0], Self.mse(members[0], t), accuracy: 1e-9, "starts from the best member alone, in standardised units")
        XCTAssertLessThan(trace.losses[trace.bestStep], 0.8 * trace.losses[0], "independent errors average out")
        XCTAssertEqual(Self.mse(EnsembleSelection.combine(members, w), t), trace.losses[trace.bestStep], accuracy: 1e-6)
        XCTAssertEqual(w.weights[4], 0, "the biased member is never picked")
        XCTAssertEqual(w.weights.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertGreaterThan(w.members.count, 2)
    }

    func testTheSafeAverageLeavesOutAMemberThatRaisesTheValidationMSE() throws {
        let t = try XCTUnwrap(Self.data().validation.targets)
        let good = Self.member(t, noise: 0.3, seed: 1), alsoGood = Self.member(t, noise: 0.3, seed: 2)
        let bad = Self.member(t, noise: 20, seed: 3)   // huge errors
        let (w, excluded) = EnsembleSelection.safeAverage(validation: [good, alsoGood, bad], targets: t, top: 3)
        XCTAssertEqual(w.weights, [0.5, 0.5, 0])
        XCTAssertEqual(excluded.map(\.candidate), [2])
        let kept = Self.mse(EnsembleSelection.combine([good, alsoGood, bad], w), t)
        XCTAssertEqual(excluded[0].lossWithout, kept, accuracy: 1e-6)
        XCTAssertEqual(excluded[0].lossWith, Self.mse(EnsembleSelection.combine([good, alsoGood, bad], .init(weights: [1, 1, 1].map { $0 / 3.0 })), t),
                       accuracy: 1e-6)
        XCTAssertLessThanOrEqual(kept, Self.mse(good, t), "never worse than the best member")
        XCTAssertLessThanOrEqual(RegressionMetrics(predictions: EnsembleSelection.combine([good, alsoGood, bad], w), targets: t).rmse,
                                 RegressionMetrics(predictions: good, targets: t).rmse)
        // The best member first and bad: the others only join when they lower the MSE.
        let alone = EnsembleSelection.safeAverage(validation: [good, bad, bad], targets: t, top: 3)
        XCTAssertEqual(alone.weights.weights, [1, 0, 0])
        XCTAssertEqual(alone.excluded.map(\.candidate), [1, 2])
    }

    // MARK: The builder over a run's records

    func makeRun(poisonTest: Bool = false) throws -> (EnsembleBuilder, TemporaryDirectory) {
        let dir = try TemporaryDirectory(prefix: "ensemble-regression")
        let data = Self.data()
        let spec = try SweepSpec.parse(yaml: """
        name: r
        task: regression
        data: {source: {npy: {x: /unused/x.npy, y: /unused/y.npy}}}
        model: mlp
        budget: {trials: 6, max_epochs: 2}
        parameters: {width: {values: [4, 8, 16, 32, 64, 128]}}
        """, file: "r.yaml", vocabulary: TrainingConfig.vocabulary)
        let store = InMemoryStore()
        let run = RunDirectory(dir.url.path)
        let v = try XCTUnwrap(data.validation.targets), t = try XCTUnwrap(data.test.targets)
        // Trial 0 failed; 1–4 good with independent errors, trial 5 poor (ranked last).
        let noise: [Float] = [0.3, 0.3, 0.4, 0.36, 0.33, 3]
        for i in 0..<6 {
            let validation = Self.member(v, noise: noise[i], seed: UInt64(10 + i))
            var test = Self.member(t, noise: noise[i], seed: UInt64(20 + i))
            if poisonTest { test = [Float](repeating: .nan, count: test.count) }
            try store.upsertTrial(TrialRecord(index: i, configuration: Configuration(["width": .int(4 << i)]), seed: 1,
                                              state: i == 0 ? .failed : .completed, epochs: 2, bestEpoch: 2, bestValue: Self.mse(validation, v)))
            for (kind, name, values) in [("validation_predictions", "v", validation), ("test_predictions", "t", test)] {
                let path = "trials/\(i)/\(name).f32"
                let sum = try run.write(values.withUnsafeBytes { Array($0) }, to: path)
                try store.putArtifact(ArtifactRecord(trial: i, kind: kind, path: path, bytes: values.count * 4, checksum: sum))
            }
        }
        return (EnsembleBuilder(spec: spec, store: store, run: run, data: data), dir)
    }

    func testTheSafeAverageOfARegressionSweepIsNeverWorseThanItsBestTrial() throws {
        let (builder, dir) = try makeRun()
        _ = dir
        let plain = try builder.build(top: 5, method: "average", keepAll: true)
        let safe = try builder.build(top: 5, method: "average")
        XCTAssertTrue(safe.isRegression)
        let excluded = try XCTUnwrap(safe.excluded)
        XCTAssertEqual(excluded.map(\.trial), [5], "the poor trial would raise the validation MSE")
        XCTAssertTrue(excluded.allSatisfy { $0.validationLossWith > $0.validationLossWithout })
        XCTAssertEqual(safe.bestSingle.trial, 1, "ranked by the stored validation metric")
        XCTAssertEqual(Set(safe.members.compactMap(\.trial)), [1, 2, 3, 4])
        for e in safe.members + [safe.bestSingle, safe.ensemble] {
            XCTAssertNil(e.validation)
            XCTAssertNil(e.test)
            XCTAssertEqual(e.regressionValidation?.count, 200)
            XCTAssertEqual(e.regressionTest?.count, 200)
        }
        let ensemble = try XCTUnwrap(safe.ensemble.regressionValidation), best = try XCTUnwrap(safe.bestSingle.regressionValidation)
        XCTAssertLessThan(ensemble.rmse, best.rmse)
        XCTAssertGreaterThan(ensemble.r2, best.r2)
        XCTAssertLessThan(try XCTUnwrap(safe.ensemble.regressionTest).rmse, try XCTUnwrap(safe.bestSingle.regressionTest).rmse)
        XCTAssertGreaterThan(try XCTUnwrap(plain.ensemble.regressionValidation).rmse, ensemble.rmse, "the plain average of all five is worse")
        // The default MLP has two hidden layers: 4 → w → w → 2 targets.
        XCTAssertEqual(safe.bestSingle.params, 4 * 8 + 8 + 8 * 8 + 8 + 8 * 2 + 2)
        // The entry's figures are those of the stored predictions.
        let v = try XCTUnwrap(builder.data.validation.targets)
        let reference = Self.member(v, noise: 0.3, seed: 11)
        XCTAssertEqual(safe.bestSingle.regressionValidation, RegressionMetrics(predictions: reference, targets: v))
        let stored = try XCTUnwrap(try builder.store.ensembles().last)
        XCTAssertEqual(try ResultJSON.decode(EnsembleReport.self, stored.resultJSON), safe)
        XCTAssertFalse(stored.resultJSON.contains("accuracy"), stored.resultJSON)
    }

    func testGreedyOnARegressionSweepNeverReadsTheTestSplit() throws {
        let clean = try makeRun(), poisoned = try makeRun(poisonTest: true)
        let a = try clean.0.build(top: 3, method: "greedy", steps: 10), b = try poisoned.0.build(top: 3, method: "greedy", steps: 10)
        XCTAssertEqual(a.members.map(\.trial), b.members.map(\.trial))
        XCTAssertEqual(a.members.map(\.weight), b.members.map(\.weight))
        XCTAssertEqual(a.ensemble.regressionValidation, b.ensemble.regressionValidation)
        XCTAssertTrue(try XCTUnwrap(b.ensemble.regressionTest).rmse.isNaN)
        let losses = try XCTUnwrap(a.greedyLosses), step = try XCTUnwrap(a.greedyBestStep)
        XCTAssertLessThanOrEqual(losses[step], losses[0])
        XCTAssertFalse(a.members.contains { $0.trial == 5 }, "the poor trial never helps")
        XCTAssertLessThan(try XCTUnwrap(a.ensemble.regressionValidation).rmse, try XCTUnwrap(a.bestSingle.regressionValidation).rmse)
    }

    // MARK: Stored results

    func testARegressionReportRoundTripsAndKeepsOnlyRegressionKeys() throws {
        let m = RegressionMetrics(rmse: 1.5, mae: 1.25, r2: 0.875, count: 10)
        let e = EnsembleEntry(trial: 3, name: "trial 3", weight: 0.5, validation: m, test: RegressionMetrics(rmse: .nan, mae: 2, r2: -0.5, count: 11),
                              params: 10, flopsPerExample: 20)
        let report = EnsembleReport(method: "average", members: [e], bestSingle: e, ensemble: e,
                                    excluded: [.init(trial: 4, validationLossWithout: 0.25, validationLossWith: 0.5)])
        let text = try ResultJSON.encode(report)
        let back = try ResultJSON.decode(EnsembleReport.self, text)
        XCTAssertEqual(back.members[0].regressionValidation, m)
        XCTAssertTrue(try XCTUnwrap(back.ensemble.regressionTest).rmse.isNaN)
        XCTAssertTrue(back.isRegression)
        XCTAssertEqual(back.excluded, report.excluded)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let entry = try XCTUnwrap(object["ensemble"] as? [String: Any])
        XCTAssertEqual(Set(entry.keys), ["trial", "name", "weight", "regressionValidation", "regressionTest", "params", "flopsPerExample"])
        XCTAssertEqual(Set(try XCTUnwrap(entry["regressionValidation"] as? [String: Any]).keys), ["rmse", "mae", "r2", "count"])

        let student = DistillationReport.StudentResult(trial: 1, temperature: 2, alpha: 0.5, validationRMSE: 1.5, testRMSE: 1.75)
        let d = DistillationReport(student: e, control: e, bestSingle: e, ensemble: e, ensembleMethod: "average", temperature: 2, alpha: 0.5,
                                   students: [student], keptGain: 0.5, costRatio: 3)
        let dText = try ResultJSON.encode(d)
        XCTAssertEqual(try ResultJSON.decode(DistillationReport.self, dText).students, [student])
        XCTAssertTrue(try ResultJSON.decode(DistillationReport.self, dText).isRegression)
        XCTAssertFalse(dText.contains("Accuracy"), dText)
    }

    /// A classification report as stored before regression existed.
    static let oldClassificationReport = """
    {"bestSingle":{"flopsPerExample":200,"name":"trial 5","params":100,"test":{"accuracy":0.75,"brier":0.25,"count":200,"ece":0.0625,"nll":0.5},\
    "trial":5,"validation":{"accuracy":0.5,"brier":0.375,"count":200,"ece":"NaN","nll":0.625}},\
    "ensemble":{"flopsPerExample":400,"name":"average of 2","params":200,"test":{"accuracy":0.8125,"brier":0.25,"count":200,"ece":0.03125,"nll":0.4375},\
    "validation":{"accuracy":0.625,"brier":0.3125,"count":200,"ece":0.125,"nll":0.5625}},\
    "excluded":[{"trial":2,"validationNLLWith":0.75,"validationNLLWithout":0.5625}],\
    "members":[{"flopsPerExample":200,"name":"trial 5","params":100,"test":{"accuracy":0.75,"brier":0.25,"count":200,"ece":0.0625,"nll":0.5},\
    "trial":5,"validation":{"accuracy":0.5,"brier":0.375,"count":200,"ece":"NaN","nll":0.625},"weight":0.5}],"method":"average"}
    """

    func testOldClassificationResultsStillDecodeAndEncodeAsBefore() throws {
        let r = try ResultJSON.decode(EnsembleReport.self, Self.oldClassificationReport)
        XCTAssertFalse(r.isRegression)
        XCTAssertEqual(r.ensemble.test?.accuracy, 0.8125)
        XCTAssertNil(r.ensemble.regressionTest)
        XCTAssertEqual(r.excluded, [.init(trial: 2, validationLossWithout: 0.5625, validationLossWith: 0.75)])
        XCTAssertEqual(try ResultJSON.encode(r), Self.oldClassificationReport, "the same layout, key for key")

        let old = """
        {"alpha":0.5,"bestSingle":\(Self.entry),"control":\(Self.entry),"costRatio":2,"ensemble":\(Self.entry),"ensembleMethod":"average",\
        "keptGain":"NaN","student":\(Self.entry),"students":[{"alpha":0.5,"temperature":4,"testAccuracy":0.75,"trial":1,"validationAccuracy":0.5}],\
        "temperature":4}
        """
        let d = try ResultJSON.decode(DistillationReport.self, old)
        XCTAssertFalse(d.isRegression)
        XCTAssertEqual(d.students, [.init(trial: 1, temperature: 4, alpha: 0.5, validationAccuracy: 0.5, testAccuracy: 0.75)])
        XCTAssertEqual(try ResultJSON.encode(d), old)
    }

    static let entry = """
    {"flopsPerExample":200,"name":"trial 5","params":100,"test":{"accuracy":0.75,"brier":0.25,"count":200,"ece":0.0625,"nll":0.5},\
    "trial":5,"validation":{"accuracy":0.5,"brier":0.375,"count":200,"ece":0.125,"nll":0.625}}
    """

    func testKeptGainIsMeasuredInRMSEForRegression() {
        func entry(_ rmse: Double) -> EnsembleEntry {
            let m = RegressionMetrics(rmse: rmse, mae: rmse, r2: 0, count: 1)
            return EnsembleEntry(name: "m", validation: m, test: m, params: 1, flopsPerExample: 1)
        }
        XCTAssertEqual(Distiller.keptGain(student: entry(1.75), bestSingle: entry(2), ensemble: entry(1.5)), 0.5, "halfway from the best single to the ensemble")
        XCTAssertEqual(Distiller.keptGain(student: entry(2.25), bestSingle: entry(2), ensemble: entry(1.5)), -0.5, "worse than the best single model")
        XCTAssertEqual(Distiller.keptGain(student: entry(1.25), bestSingle: entry(2), ensemble: entry(1.5)), 1.5, "better than the ensemble")
        XCTAssertTrue(Distiller.keptGain(student: entry(1), bestSingle: entry(2), ensemble: entry(2.5)).isNaN, "the ensemble did not beat the best single model")
    }
}
