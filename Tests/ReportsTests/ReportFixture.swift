// A small sweep built by hand for the report and export tests: six trials in mixed states, a
// log-uniform, a categorical and a conditional parameter, an ensemble and a distillation record.
import Foundation
@testable import Ensembles
import Reports
import Search
import Storage

enum ReportFixture {
    static let spec = SweepSpec(
        name: "mlp <&> \"quoted\"", seed: 7, model: "mlp", metric: MetricSpec(name: "val_loss", goal: .minimize),
        budget: Budget(trials: 10, maxEpochs: 5),
        earlyStopping: EarlyStoppingSpec(patience: 2),
        parameters: [
            ParameterSpec(name: "learning_rate", distribution: .logUniformValues(min: 1e-4, max: 1e-1)),
            ParameterSpec(name: "optimizer", distribution: .categorical(values: [.string("adam"), .string("sgd, \"nesterov\"")], probabilities: nil)),
            ParameterSpec(name: "momentum", distribution: .uniform(min: 0.5, max: 0.99),
                          when: ["optimizer": [.string("sgd, \"nesterov\"")]]),
            ParameterSpec(name: "hidden", distribution: .intUniform(min: 32, max: 512)),
        ],
        text: "name: mlp <&> \"quoted\"\nparameters:\n  learning_rate: {distribution: log_uniform_values, min: 1e-4, max: 0.1}\n")

    static let sweep = SweepRecord(name: spec.name, seed: 7, specText: spec.text, createdAt: Date(timeIntervalSince1970: 1_760_000_000),
                                   environment: ["hosts": "node1,node2", "ranks": "3", "blas_threads": "2", "hpsearch": "0.1.0",
                                                 "note": "a < b & c > d"])

    /// (state, learning rate, optimizer, momentum, hidden, validation losses per epoch).
    static let plan: [(TrialState, Double, String, Double?, Int, [Double])] = [
        (.completed, 1e-3, "adam", nil, 128, [0.9, 0.6, 0.5, 0.45, 0.43]),
        (.earlyStopped, 3e-4, "sgd, \"nesterov\"", 0.9, 256, [1.0, 0.8, 0.7, 0.71]),
        (.pruned, 5e-2, "adam", nil, 64, [1.6, 1.5]),
        (.diverged, 9e-2, "sgd, \"nesterov\"", 0.95, 512, [2.0, .nan]),
        (.failed, 2e-4, "adam", nil, 32, []),
        (.completed, 2e-3, "adam", nil, 300, [0.8, 0.55, 0.47, 0.44, 0.4123456789012345]),
        (.completed, 5e-3, "adam", nil, 200, [0.7, 0.5, 0.42, 0.41, 0.40512345678901234]),
        (.earlyStopped, 7e-4, "sgd, \"nesterov\"", 0.8, 150, [0.85, 0.6, 0.46, 0.47, 0.48]),
    ]

    static var trials: [TrialRecord] {
        plan.enumerated().map { i, p in
            var config = Configuration(["learning_rate": .double(p.1), "optimizer": .string(p.2), "hidden": .int(p.4)])
            config["momentum"] = p.3.map(ParameterValue.double)
            let finite = p.5.enumerated().filter { $0.element.isFinite }
            let best = finite.min { $0.element < $1.element }
            return TrialRecord(index: i, configuration: config, seed: UInt64.max - UInt64(i), state: p.0, rank: p.5.isEmpty ? nil : 1 + i % 2,
                               epochs: p.5.count, bestEpoch: best.map { $0.offset + 1 }, bestValue: best?.element,
                               bestValidationLoss: best?.element, bestValidationAccuracy: best.map { 1 - $0.element / 3 },
                               message: p.0 == .failed ? "worker threw: <oops & \"bad\">" : nil,
                               startedAt: Date(timeIntervalSince1970: 1_760_000_010 + Double(i) * 5.25),
                               finishedAt: Date(timeIntervalSince1970: 1_760_000_100.125 + Double(i) * 7))
        }
    }

    static var epochs: [EpochRecord] {
        plan.enumerated().flatMap { i, p in
            p.5.enumerated().map { e, loss in
                EpochRecord(trial: i, epoch: e + 1, trainLoss: loss * 0.9, trainAccuracy: 0.1 + 0.1 * Double(e), validationLoss: loss,
                            validationAccuracy: 1 - loss / 3, learningRate: p.1 / Double(e + 1), seconds: 1.0 / 3 + Double(e))
            }
        }
    }

    static func metrics(_ accuracy: Double, _ nll: Double, _ ece: Double) -> ClassificationMetrics {
        try! JSONDecoder().decode(ClassificationMetrics.self, from: Data("""
            {"accuracy": \(accuracy), "nll": \(nll), "brier": 0.2, "ece": \(ece), "count": 1000}
            """.utf8))
    }

    static func entry(_ trial: Int?, _ name: String, weight: Double?, _ accuracy: Double) -> EnsembleEntry {
        EnsembleEntry(trial: trial, name: name, weight: weight, validation: metrics(accuracy - 0.01, 0.5, 0.03),
                      test: metrics(accuracy, 0.4, 0.02), params: 101_770, flopsPerExample: 203_000)
    }

    static var ensembles: [EnsembleRecord] {
        let old = EnsembleReport(method: "average", members: [entry(5, "trial 5", weight: 1, 0.85)], bestSingle: entry(5, "trial 5", weight: nil, 0.85),
                                 ensemble: entry(nil, "average of 1", weight: nil, 0.85))
        let newest = EnsembleReport(method: "greedy", members: [entry(5, "trial 5", weight: 0.6, 0.86), entry(0, "trial 0 <best & co>", weight: 0.4, 0.84)],
                                    bestSingle: entry(5, "trial 5", weight: nil, 0.86), ensemble: entry(nil, "greedy ensemble", weight: nil, 0.8812),
                                    greedyLosses: [0.5, 0.45, 0.44], greedyBestStep: 2)
        let distilled = DistillationReport(student: entry(2, "student (T 4, α 0.7)", weight: nil, 0.874), control: entry(0, "hard-label control", weight: nil, 0.86),
                                           bestSingle: newest.bestSingle, ensemble: newest.ensemble, ensembleMethod: "greedy", temperature: 4, alpha: 0.7,
                                           students: [], keptGain: 0.66, costRatio: 2)
        return [EnsembleRecord(id: 1, method: "average", members: [5], weights: [1], resultJSON: try! ResultJSON.encode(old)),
                EnsembleRecord(id: 2, method: "greedy", members: [5, 0], weights: [0.6, 0.4], resultJSON: try! ResultJSON.encode(newest)),
                EnsembleRecord(id: 3, method: "distilled", members: [5, 0], weights: [0.6, 0.4], resultJSON: try! ResultJSON.encode(distilled))]
    }

    static var input: ReportInput {
        ReportInput(spec: spec, sweep: sweep, trials: trials, epochs: epochs, ensembles: ensembles,
                    checkText: "{\"passed\": true, \"checks\": [{\"id\": 1, \"name\": \"loss at init\", \"status\": \"pass\"}]}",
                    directory: "runs/mlp-20261123")
    }
}
