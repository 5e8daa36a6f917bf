// ModelCard: what an exported model is, beside it as `FILE.json`: the sweep, the trial or the
// ensemble's members with their configurations, the metrics on validation and test (computed
// from the stored predictions, as `hpsearch ensemble` computes them), the data's fingerprint,
// the graph's input and output, and the hpsearch version.
import Datasets
import Foundation
import Search
import Storage
import Training

public enum ModelCard {
    /// FNV-1a (64-bit, hex) of the stored transform's JSON: what was fitted on the training split
    /// (vocabularies, medians, standardisation) — equal for models trained on the same data and
    /// preprocessing.
    public static func dataFingerprint(_ t: FittedTransform) -> String {
        let bytes = (try? t.json()).map { [UInt8]($0) } ?? []
        return String(format: "%016llx", RunDirectory.checksum(bytes))
    }

    /// The card as a JSON object. `format`: "onnx" | "safetensors"; `file`: the exported file.
    public static func json(_ model: StoredModel, format: String, file: String, version: String,
                            input: [String: Any], output: [String: Any]) throws -> [String: Any] {
        let t = model.transform
        var card: [String: Any] = [
            "format": format, "file": file, "hpsearch_version": version, "model": model.name, "kind": model.kind,
            "sweep": model.sweep?.name ?? model.spec.name, "sweep_seed": model.sweep.map { String($0.seed) } ?? NSNull(),
            "task": model.isRegression ? "regression" : "classification", "metric": model.spec.metric.name,
            "data_fingerprint": dataFingerprint(t), "data_source": model.spec.data.source.paths.joined(separator: ", "),
            "input": input, "output": output, "feature_names": t.featureNames,
            "class_names": t.classNames, "target_names": model.targetNames,
            "created_at": ISO8601DateFormatter().string(from: Date()),
        ]
        if let id = model.ensembleID { card["ensemble_id"] = id }
        if let m = model.method { card["method"] = m }
        card["members"] = model.members.map { m -> [String: Any] in
            ["trial": m.trial, "weight": m.weight, "configuration": m.configuration.values.mapValues(\.jsonValue),
             "params": m.cost.parameters, "flops_per_example": m.cost.flopsPerExample, "run_directory": m.runDirectory,
             "best_epoch": m.record.bestEpoch ?? NSNull(), "epochs": m.record.epochs, "state": m.record.state.rawValue]
        }
        if model.members.count == 1 { card["configuration"] = model.members[0].configuration.values.mapValues(\.jsonValue) }
        card["metrics"] = try metrics(model)
        return card
    }

    /// {validation: {...}, test: {...}}: accuracy, nll, brier, ece (regression: rmse, mae, r2 in
    /// the targets' units) of the model's stored predictions (an ensemble's combined with its weights).
    static func metrics(_ model: StoredModel) throws -> [String: Any] {
        let data = try PreparedData.load(model.spec.data, seed: model.spec.seed)
        var validation: [[Float]] = [], test: [[Float]] = []
        for m in model.members {
            let run = RunDirectory(m.runDirectory)
            let reader = MemberPredictions(spec: model.spec, store: try SQLiteStore(path: run.storePath), run: run, data: data)
            validation.append(try reader.probabilities(m.record, .validation))
            test.append(try reader.probabilities(m.record, .test))
        }
        let weights = EnsembleWeights(weights: model.members.map(\.weight))
        let v = validation.count == 1 ? validation[0] : EnsembleSelection.combine(validation, weights)
        let s = test.count == 1 ? test[0] : EnsembleSelection.combine(test, weights)
        let e = EnsembleBuilder.entry(data, trial: nil, name: model.name, weight: nil, validation: v, test: s,
                                      params: model.members.reduce(0) { $0 + $1.cost.parameters },
                                      flopsPerExample: model.members.reduce(0) { $0 + $1.cost.flopsPerExample })
        func c(_ m: ClassificationMetrics) -> [String: Any] { ["accuracy": m.accuracy, "nll": m.nll, "brier": m.brier, "ece": m.ece, "rows": m.count] }
        func r(_ m: RegressionMetrics) -> [String: Any] { ["rmse": m.rmse, "mae": m.mae, "r2": m.r2, "rows": m.count] }
        if let a = e.regressionValidation, let b = e.regressionTest { return ["validation": r(a), "test": r(b)] }
        return ["validation": e.validation.map(c) ?? [:], "test": e.test.map(c) ?? [:]]
    }
}
