// `hpsearch ensemble`: the top trials of a finished sweep, combined and evaluated on the test set.
import ArgumentParser
import Coordinator
import Ensembles
import Foundation
import Storage

struct Ensemble: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build an ensemble from a sweep's best trials (selection on validation predictions; test set for evaluation only).",
        discussion: """
        average (the default): the top-k trials by the sweep metric, equal weights, except that a trial whose addition would \
        raise the ensemble's validation loss (NLL; for task: regression the mean squared error of the standardised \
        targets) is left out (the table and the JSON's `excluded` say which and why), so the ensemble is never worse on \
        that loss than the best trial; --keep-all averages all k. greedy: Caruana et al.'s forward selection with \
        replacement over every trial, minimising the same validation loss, best iteration kept. A regression ensemble \
        averages its members' predictions. JSON keys: method, members, best_single, ensemble (each model: trial, name, \
        weight, params, flops_per_example, and for classification val_accuracy, val_nll, test_accuracy, test_nll, \
        test_brier, test_ece; for regression val_rmse, val_mae, val_r2, test_rmse, test_mae, test_r2, in the targets' \
        units, R² averaged over targets), excluded ([{trial, val_nll_without, val_nll_with}]; regression: [{trial, \
        val_mse_without, val_mse_with}], standardised), greedy_losses (validation NLL, or standardised MSE, per step), \
        greedy_best_step, id (the ensemble's id in the store, for `hpsearch predict --ensemble ID` and `export-model`).
        """
    )

    @Argument(help: "The run directory.")
    var runDirectory: String

    @Option(help: "Members for `average` (default: the sweep's ensemble.top_k, else 5).")
    var top: Int?

    @Option(help: "average or greedy (default: the sweep's ensemble.method, else average).")
    var method: String?

    @Option(help: "greedy: additions after the sorted initialisation (the best step is kept).")
    var steps = 100

    @Flag(help: "average: keep all top-k trials, even those that raise the validation loss (NLL; regression: MSE).")
    var keepAll = false

    @Flag(help: "Print one JSON object: {method, members: [...], best_single: {...}, ensemble: {...}, excluded: [...]}.")
    var json = false

    func run() throws {
        let report = try StoredEnsemble.build(in: runDirectory, top: top, method: method, steps: steps, keepAll: keepAll)
        let store = try SQLiteStore(path: RunDirectory(runDirectory).storePath)
        // A program sweep's models are the program's own: predict does not apply to them.
        let run = RunDirectory(runDirectory)
        let isProgram = (try? store.sweep()).flatMap { $0 }.flatMap { try? StoredSweep.spec($0, file: run.sweepCopyPath) }?.program != nil
        let id = try store.ensembles().filter { $0.method == report.method }.map(\.id).max()
        if json {
            var object = EnsembleTable.json(report)
            object["id"] = id ?? NSNull()
            try printJSON(object)
        } else {
            print(EnsembleTable.render(report))
            if let id, !isProgram { print("stored as ensemble \(id): `hpsearch predict \(runDirectory) --input FILE` uses the newest; --ensemble \(id) picks this one") }
        }
    }
}

/// The ensemble's table and JSON; a regression report's (`EnsembleReport.isRegression`) show RMSE,
/// MAE and R² in the targets' units where a classifier's show accuracy, NLL, Brier score and ECE.
/// Tables give 4 decimals (classification) or 4 significant digits (regression); JSON full precision.
enum EnsembleTable {
    static func row(_ e: EnsembleEntry) -> [String: Any] {
        var r: [String: Any] = ["name": e.name, "params": e.params, "flops_per_example": e.flopsPerExample]
        if let v = e.validation, let t = e.test {
            r.merge(["test_accuracy": t.accuracy, "test_nll": t.nll, "test_ece": t.ece, "test_brier": t.brier,
                     "val_accuracy": v.accuracy, "val_nll": v.nll]) { $1 }
        }
        if let v = e.regressionValidation, let t = e.regressionTest {
            r.merge(["test_rmse": t.rmse, "test_mae": t.mae, "test_r2": t.r2, "val_rmse": v.rmse, "val_mae": v.mae, "val_r2": v.r2]) { $1 }
        }
        r["trial"] = e.trial
        r["weight"] = e.weight
        return r
    }

    static func json(_ r: EnsembleReport) -> [String: Any] {
        var out: [String: Any] = ["method": r.method, "members": r.members.map(row), "best_single": row(r.bestSingle), "ensemble": row(r.ensemble)]
        out["greedy_losses"] = r.greedyLosses
        out["greedy_best_step"] = r.greedyBestStep
        let (without, with) = r.isRegression ? ("val_mse_without", "val_mse_with") : ("val_nll_without", "val_nll_with")
        out["excluded"] = r.excluded?.map { ["trial": $0.trial, without: $0.validationLossWithout, with: $0.validationLossWith] }
        return out
    }

    static let header = "model              weight val_acc  test_acc test_nll test_brier test_ece     params  flops/example"
    static let regressionHeader = "model              weight val_rmse   test_rmse  test_mae   test_r2     params  flops/example"

    /// The header for entries of this task.
    static func header(regression: Bool) -> String { regression ? regressionHeader : header }

    /// 4 significant digits, padded to a column of `width`.
    static func significant(_ x: Double, width: Int = 10) -> String {
        String(format: "%#.4g", x).padding(toLength: width, withPad: " ", startingAt: 0)
    }

    static func line(_ e: EnsembleEntry, _ label: String) -> String {
        let w = e.weight.map { String(format: "%.2f", $0) } ?? "-"
        let figures: String
        if let v = e.regressionValidation, let t = e.regressionTest {
            figures = [v.rmse, t.rmse, t.mae].map { significant($0) }.joined(separator: " ") + " " + significant(t.r2, width: 7)
        } else if let v = e.validation, let t = e.test {
            figures = String(format: "%.4f   %.4f   %.4f   %.4f   %.4f", v.accuracy, t.accuracy, t.nll, t.brier, t.ece)
        } else {
            figures = "-"
        }
        return [label.padding(toLength: max(18, label.count), withPad: " ", startingAt: 0), w.padding(toLength: 6, withPad: " ", startingAt: 0),
                figures, String(format: "%10d %12d", e.params, e.flopsPerExample)].joined(separator: " ")
    }

    static func render(_ r: EnsembleReport) -> String {
        let regression = r.isRegression
        var lines = ["ensemble (\(r.method)) — selected on validation predictions; test set for evaluation only", header(regression: regression)]
        for m in r.members { lines.append(line(m, m.name)) }
        lines.append(line(r.bestSingle, "best single (\(r.bestSingle.trial ?? 0))"))
        lines.append(line(r.ensemble, r.ensemble.name))
        let cost = Double(r.ensemble.flopsPerExample) / Double(max(r.bestSingle.flopsPerExample, 1))
        // A program's models have no known cost (0 FLOPs): no ratio then.
        let costText = r.bestSingle.flopsPerExample > 0 ? String(format: ", %.1f× the inference cost", cost) : ""
        if let e = r.ensemble.regressionTest, let b = r.bestSingle.regressionTest {
            lines.append(String(format: "ensemble − best single: test RMSE %+.4g, MAE %+.4g, R² %+.4g", e.rmse - b.rmse, e.mae - b.mae, e.r2 - b.r2) + costText)
        } else if let e = r.ensemble.test, let b = r.bestSingle.test {
            lines.append(String(format: "ensemble − best single: %+.2f accuracy points, NLL %+.4f, ECE %+.4f",
                                (e.accuracy - b.accuracy) * 100, e.nll - b.nll, e.ece - b.ece) + costText)
        }
        let loss = regression ? "MSE (standardised targets)" : "NLL"
        for x in r.excluded ?? [] {
            lines.append(String(format: "left out: trial %d — adding it would raise the ensemble's validation %@ from %.4f to %.4f",
                                x.trial, loss, x.validationLossWithout, x.validationLossWith))
        }
        if let losses = r.greedyLosses, let step = r.greedyBestStep {
            lines.append(String(format: "greedy: validation %@ %.4f → best %.4f at step %d of %d (kept)", loss, losses.first ?? 0, losses[step], step, losses.count - 1))
        }
        return lines.joined(separator: "\n")
    }
}
