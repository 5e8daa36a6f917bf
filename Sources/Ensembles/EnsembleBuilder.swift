// EnsembleBuilder: an ensemble from a finished sweep's own records: candidates are the trials
// with a model, ranked by their validation metric; selection reads their stored validation
// predictions only; the test predictions evaluate members, the best single model and the
// ensemble at the end.
import Foundation
import Search
import Storage
import TensorCore
import Training

public struct EnsembleError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

public struct EnsembleBuilder {
    public let spec: SweepSpec
    public let store: any Store
    public let run: RunDirectory
    public let data: PreparedData
    /// Reads (or, without the files, recomputes from checkpoints) the members' predictions.
    public var predictions: MemberPredictions

    public init(spec: SweepSpec, store: any Store, run: RunDirectory, data: PreparedData) {
        self.spec = spec
        self.store = store
        self.run = run
        self.data = data
        predictions = MemberPredictions(spec: spec, store: store, run: run, data: data)
    }

    /// Trials with a model whose validation and test predictions can be had, best validation
    /// metric first.
    func candidates() throws -> [TrialRecord] {
        try store.trials().filter { t in
            try t.state.hasModel && t.bestValue != nil && predictions.available(t, .validation, .test)
        }.sorted { a, b in
            a.bestValue! == b.bestValue! ? a.index < b.index : spec.metric.isBetter(a.bestValue!, than: b.bestValue!)
        }
    }

    /// Selects (`average` of the top `k`, leaving out those that would raise the validation loss
    /// unless `keepAll`; or Caruana's `greedy` over every candidate with up to `steps`
    /// additions), evaluates on the test split, stores the result and returns it. The validation
    /// loss is the NLL for classification and, for regression, the mean squared error of the
    /// standardised targets (`EnsembleSelection`); a regression ensemble averages its members'
    /// predictions and its entries hold RMSE, MAE and R² in the targets' units.
    public func build(top k: Int, method: String, steps: Int = 100, keepAll: Bool = false) throws -> EnsembleReport {
        guard method == "average" || method == "greedy" else { throw EnsembleError(description: "unknown method '\(method)': use average or greedy") }
        let all = try candidates()
        guard !all.isEmpty else { throw EnsembleError(description: "no finished trial with a model and stored predictions yet") }
        let pool = method == "average" ? Array(all.prefix(max(k, 1))) : all
        let validation = try pool.map { try predictions.probabilities($0, .validation) }
        let validationTargets = data.validation.targets
        var weights: EnsembleWeights
        var trace: EnsembleSelection.GreedyTrace?
        var excluded: [EnsembleReport.Exclusion]?
        if method == "average" && keepAll {
            weights = EnsembleSelection.average(candidates: pool.count, top: k)
        } else if method == "average" {
            let safe = validationTargets.map { EnsembleSelection.safeAverage(validation: validation, targets: $0, top: k) }
                ?? EnsembleSelection.safeAverage(validation: validation, labels: data.validation.labels, classes: data.classCount, top: k)
            weights = safe.weights
            excluded = safe.excluded.map { .init(trial: pool[$0.candidate].index, validationLossWithout: $0.lossWithout, validationLossWith: $0.lossWith) }
        } else {
            let initial = min(2, pool.count), steps = max(steps, 0)
            let g = validationTargets.map { EnsembleSelection.greedy(validation: validation, targets: $0, initial: initial, steps: steps) }
                ?? EnsembleSelection.greedy(validation: validation, labels: data.validation.labels, classes: data.classCount,
                                            initial: initial, steps: steps)
            weights = g.weights
            trace = g.trace
        }
        // Selection is done; only now is the test split read.
        let chosen = weights.members
        var tests: [Int: [Float]] = [:]
        for i in chosen + [0] where tests[i] == nil { tests[i] = try predictions.probabilities(pool[i], .test) }
        func entry(trial: Int?, name: String, weight: Double?, validation v: [Float], test t: [Float], params: Int, flops: Int) -> EnsembleEntry {
            Self.entry(data, trial: trial, name: name, weight: weight, validation: v, test: t, params: params, flopsPerExample: flops)
        }
        func member(_ i: Int, weight: Double?) throws -> EnsembleEntry {
            let cost = try self.cost(pool[i])
            return entry(trial: pool[i].index, name: "trial \(pool[i].index)", weight: weight, validation: validation[i], test: tests[i]!,
                         params: cost.parameters, flops: cost.flopsPerExample)
        }
        let members = try chosen.map { try member($0, weight: weights.weights[$0]) }
        let best = try member(0, weight: nil)
        let combinedValidation = EnsembleSelection.combine(validation, weights)
        let combinedTest = EnsembleSelection.combine(chosen.map { tests[$0]! }, EnsembleWeights(weights: chosen.map { weights.weights[$0] }))
        let ensemble = entry(trial: nil, name: "\(method) of \(members.count)", weight: nil, validation: combinedValidation, test: combinedTest,
                             params: members.reduce(0) { $0 + $1.params }, flops: members.reduce(0) { $0 + $1.flopsPerExample })
        let report = EnsembleReport(method: method, members: members, bestSingle: best, ensemble: ensemble,
                                    greedyLosses: trace?.losses, greedyBestStep: trace?.bestStep, excluded: excluded)
        try store.putEnsemble(EnsembleRecord(id: 0, method: method, members: members.compactMap(\.trial),
                                             weights: members.compactMap(\.weight), resultJSON: try ResultJSON.encode(report)))
        return report
    }

    /// The entry of one model (or an ensemble) from its validation and test outputs on `data`:
    /// classification metrics of probabilities, or for regression data regression metrics of
    /// predictions in the targets' units.
    static func entry(_ data: PreparedData, trial: Int?, name: String, weight: Double?, validation: [Float], test: [Float],
                      params: Int, flopsPerExample: Int) -> EnsembleEntry {
        if let v = data.validation.targets, let t = data.test.targets {
            return EnsembleEntry(trial: trial, name: name, weight: weight,
                                 validation: RegressionMetrics(predictions: validation, targets: v),
                                 test: RegressionMetrics(predictions: test, targets: t),
                                 params: params, flopsPerExample: flopsPerExample)
        }
        let c = data.classCount
        return EnsembleEntry(trial: trial, name: name, weight: weight,
                             validation: ClassificationMetrics(probabilities: validation, labels: data.validation.labels, classes: c),
                             test: ClassificationMetrics(probabilities: test, labels: data.test.labels, classes: c),
                             params: params, flopsPerExample: flopsPerExample)
    }

    /// Parameters and FLOPs of a trial's model, from its configuration.
    func cost(_ t: TrialRecord) throws -> ModelCost {
        // A program's model is its own: its size is not known here.
        if spec.program != nil { return ModelCost(parameters: 0, flopsPerExample: 0) }
        var rng = RNG(seed: 0)
        return try ModelBuilder.build(try spec.trainingConfig(t.configuration), for: data, rng: &rng).cost
    }
}
