// BaselineTable: the sweep's models (the best trial, the newest ensemble of each method, the
// newest distilled student) against the baselines of check.json (check 3's input-independent
// model, check 8's majority class or training mean, linear model and the sweep file's
// human_baseline), on the validation split: which model beats which baseline.
import Foundation
import Storage

/// Rows and columns of the report's "Baselines to beat" table, from a `ReportInput`.
struct BaselineTable: Equatable {
    /// One number of check.json to beat.
    struct Baseline: Equatable {
        /// "majority class (check 8)".
        var name: String
        /// The metric: val_loss, val_accuracy, val_rmse, val_mae, val_r2 (or a human baseline's own name).
        var metric: String
        var value: Double
    }

    /// One of the sweep's models, with its validation metrics by name (val_loss, val_accuracy,
    /// val_rmse, val_mae, val_r2; missing when not recorded).
    struct Model: Equatable {
        var name: String
        var metrics: [String: Double]
    }

    var baselines: [Baseline]
    var models: [Model]
    /// Why check.json gave no baselines (absent, unreadable, no check 3 or 8); nil when it did.
    var note: String?

    /// Whether higher values of `metric` are better (accuracy, AUC, F1, R², precision, recall).
    static func higherIsBetter(_ metric: String) -> Bool {
        let m = metric.lowercased()
        return ["accuracy", "auc", "f1", "r2", "precision", "recall"].contains { m.contains($0) }
    }

    /// Whether `model` beats `baseline`: strictly better on the baseline's metric; nil when the
    /// model has no finite value of that metric.
    static func beats(_ model: Model, _ baseline: Baseline) -> Bool? {
        guard let v = model.metrics[baseline.metric], v.isFinite, baseline.value.isFinite else { return nil }
        return higherIsBetter(baseline.metric) ? v > baseline.value : v < baseline.value
    }

    init(baselines: [Baseline], models: [Model], note: String? = nil) {
        self.baselines = baselines
        self.models = models
        self.note = note
    }

    init(_ input: ReportInput) {
        (baselines, note) = Self.baselines(checkText: input.checkText, regression: input.spec.task == .regression)
        models = Self.models(input)
    }

    /// The baselines of check.json's checks 3 and 8, in the table's order.
    static func baselines(checkText: String?, regression: Bool) -> ([Baseline], String?) {
        guard let text = checkText else { return ([], "the run directory holds no saved checks") }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let checks = object["checks"] as? [[String: Any]] else {
            return ([], "check.json is not the JSON object `hpsearch check --json` writes")
        }
        func values(_ id: Int) -> [String: Double]? {
            guard let c = checks.first(where: { ($0["id"] as? Int) == id }), let v = c["values"] as? [String: Any] else { return nil }
            return v.compactMapValues { ($0 as? NSNumber)?.doubleValue }
        }
        var out: [Baseline] = []
        if let v = values(3), let zeroed = v["zeroed_loss"] {
            out.append(Baseline(name: "zeroed inputs (check 3)", metric: "val_loss", value: zeroed))
        }
        if let v = values(8) {
            let pairs: [(String, String, String)] = regression
                ? [("mean_val_loss", "training mean (check 8)", "val_loss"), ("mean_val_rmse", "training mean (check 8)", "val_rmse"),
                   ("linear_val_loss", "linear regression (check 8)", "val_loss"), ("linear_val_rmse", "linear regression (check 8)", "val_rmse"),
                   ("linear_val_mae", "linear regression (check 8)", "val_mae"), ("linear_val_r2", "linear regression (check 8)", "val_r2")]
                : [("majority_val_loss", "majority class (check 8)", "val_loss"), ("majority_val_accuracy", "majority class (check 8)", "val_accuracy"),
                   ("linear_val_loss", "softmax regression (check 8)", "val_loss"), ("linear_val_accuracy", "softmax regression (check 8)", "val_accuracy")]
            for (key, name, metric) in pairs { if let x = v[key] { out.append(Baseline(name: name, metric: metric, value: x)) } }
            for (key, x) in v.sorted(by: { $0.key < $1.key }) where key.hasPrefix("human_") {
                out.append(Baseline(name: "human (sweep file)", metric: String(key.dropFirst("human_".count)), value: x))
            }
        }
        return (out, out.isEmpty ? "check.json holds neither check 3 (baseline) nor check 8 (baselines)" : nil)
    }

    /// The best trial, the newest ensemble of each method and the newest distilled student.
    static func models(_ input: ReportInput) -> [Model] {
        var out: [Model] = []
        let reports = input.ensembles.filter { $0.method != "distilled" }.compactMap { r in
            (try? ResultJSON.decode(EnsembleReport.self, r.resultJSON)).map { (r, $0) }
        }
        if let best = input.ranked.first {
            var m: [String: Double] = [:]
            m["val_loss"] = best.bestValidationLoss
            if input.spec.task != .regression { m["val_accuracy"] = best.bestValidationAccuracy }
            // The ensemble's report evaluated the same trial's stored predictions.
            if let single = reports.last(where: { $0.1.bestSingle.trial == best.index })?.1.bestSingle { m.merge(metrics(single)) { a, _ in a } }
            out.append(Model(name: "best trial \(best.index)", metrics: m))
        }
        for method in ["average", "greedy"] {
            guard let (record, report) = reports.last(where: { $0.0.method == method }) else { continue }
            out.append(Model(name: "\(method) ensemble #\(record.id) (\(report.members.count) member\(report.members.count == 1 ? "" : "s"))", metrics: metrics(report.ensemble)))
        }
        if let record = input.ensembles.last(where: { $0.method == "distilled" }),
           let report = try? ResultJSON.decode(DistillationReport.self, record.resultJSON) {
            out.append(Model(name: "distilled student #\(record.id) (trial \(report.student.trial.map(String.init) ?? "-"))", metrics: metrics(report.student)))
        }
        return out
    }

    /// An entry's validation metrics by the baselines' names.
    static func metrics(_ e: EnsembleEntry) -> [String: Double] {
        if let r = e.regressionValidation { return ["val_rmse": r.rmse, "val_mae": r.mae, "val_r2": r.r2] }
        guard let v = e.validation else { return [:] }
        return ["val_loss": v.nll, "val_accuracy": v.accuracy]
    }
}
