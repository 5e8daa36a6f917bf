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
        raise the ensemble's validation NLL is left out (the table and the JSON's `excluded` say which and why), so the \
        ensemble is never worse on validation NLL than the best trial; --keep-all averages all k. greedy: Caruana et \
        al.'s forward selection with replacement over every trial, best iteration kept. JSON keys: method, members, \
        best_single, ensemble (each model: trial, name, weight, val_accuracy, val_nll, test_accuracy, test_nll, \
        test_brier, test_ece, params, flops_per_example), excluded ([{trial, val_nll_without, val_nll_with}]), \
        greedy_losses, greedy_best_step.
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

    @Flag(help: "average: keep all top-k trials, even those that raise the validation NLL.")
    var keepAll = false

    @Flag(help: "Print one JSON object: {method, members: [...], best_single: {...}, ensemble: {...}, excluded: [...]}.")
    var json = false

    func run() throws {
        let report = try StoredEnsemble.build(in: runDirectory, top: top, method: method, steps: steps, keepAll: keepAll)
        if json { try printJSON(EnsembleTable.json(report)) } else { print(EnsembleTable.render(report)) }
    }
}

enum EnsembleTable {
    static func row(_ e: EnsembleEntry) -> [String: Any] {
        var r: [String: Any] = ["name": e.name, "test_accuracy": e.test.accuracy, "test_nll": e.test.nll, "test_ece": e.test.ece,
                                "test_brier": e.test.brier, "val_accuracy": e.validation.accuracy, "val_nll": e.validation.nll,
                                "params": e.params, "flops_per_example": e.flopsPerExample]
        r["trial"] = e.trial
        r["weight"] = e.weight
        return r
    }

    static func json(_ r: EnsembleReport) -> [String: Any] {
        var out: [String: Any] = ["method": r.method, "members": r.members.map(row), "best_single": row(r.bestSingle), "ensemble": row(r.ensemble)]
        out["greedy_losses"] = r.greedyLosses
        out["greedy_best_step"] = r.greedyBestStep
        out["excluded"] = r.excluded?.map { ["trial": $0.trial, "val_nll_without": $0.validationNLLWithout, "val_nll_with": $0.validationNLLWith] }
        return out
    }

    static let header = "model              weight val_acc  test_acc test_nll test_brier test_ece     params  flops/example"

    static func line(_ e: EnsembleEntry, _ label: String) -> String {
        let w = e.weight.map { String(format: "%.2f", $0) } ?? "-"
        return [label.padding(toLength: max(18, label.count), withPad: " ", startingAt: 0), w.padding(toLength: 6, withPad: " ", startingAt: 0),
                String(format: "%.4f   %.4f   %.4f   %.4f   %.4f", e.validation.accuracy, e.test.accuracy, e.test.nll, e.test.brier, e.test.ece),
                String(format: "%10d %12d", e.params, e.flopsPerExample)].joined(separator: " ")
    }

    static func render(_ r: EnsembleReport) -> String {
        var lines = ["ensemble (\(r.method)) — selected on validation predictions; test set for evaluation only", header]
        for m in r.members { lines.append(line(m, m.name)) }
        lines.append(line(r.bestSingle, "best single (\(r.bestSingle.trial ?? 0))"))
        lines.append(line(r.ensemble, r.ensemble.name))
        let gain = (r.ensemble.test.accuracy - r.bestSingle.test.accuracy) * 100
        lines.append(String(format: "ensemble − best single: %+.2f accuracy points, NLL %+.4f, ECE %+.4f, %.1f× the inference cost",
                            gain, r.ensemble.test.nll - r.bestSingle.test.nll, r.ensemble.test.ece - r.bestSingle.test.ece,
                            Double(r.ensemble.flopsPerExample) / Double(max(r.bestSingle.flopsPerExample, 1))))
        for x in r.excluded ?? [] {
            lines.append(String(format: "left out: trial %d — adding it would raise the ensemble's validation NLL from %.4f to %.4f", x.trial, x.validationNLLWithout, x.validationNLLWith))
        }
        if let losses = r.greedyLosses, let step = r.greedyBestStep {
            lines.append(String(format: "greedy: validation NLL %.4f → best %.4f at step %d of %d (kept)", losses.first ?? 0, losses[step], step, losses.count - 1))
        }
        return lines.joined(separator: "\n")
    }
}
