// The report's "Baselines to beat" section: the best trial, the ensembles and the distilled
// student against check.json's baselines (BaselineTable), on the validation split, with a mark
// per baseline: beats it, or not.
import Foundation

extension HTMLReport {
    /// The whole section (always shown: without check.json it says how to add the baselines).
    static func baselinesSection(_ input: ReportInput) -> String {
        section("Baselines to beat", baselines(BaselineTable(input), regression: input.spec.task == .regression))
    }

    static func baselines(_ table: BaselineTable, regression: Bool) -> String {
        let e = Markup.escape
        guard table.note == nil, !table.baselines.isEmpty else {
            return "<p class=\"note\">No baselines: \(e(table.note ?? "none found")). Run <code>hpsearch check SWEEP --save RUN_DIR</code> "
                + "to add baselines.</p>\n"
        }
        guard !table.models.isEmpty else {
            return "<p class=\"note\">No trial has a finite metric value yet: nothing to hold against the baselines.</p>\n"
        }
        let shown = regression ? ["val_loss", "val_rmse"] : ["val_loss", "val_accuracy"]
        var s = "<table class=\"baselines\">\n"
        s += row(["model"] + shown + table.baselines.map { "beats " + e($0.name) + "<br/>" + e($0.metric) + " " + Markup.value($0.value) },
                 header: true)
        for model in table.models {
            let cells = table.baselines.map { b -> String in
                switch BaselineTable.beats(model, b) {
                case true?: return "<span class=\"beats\" style=\"color:#2ca02c\" data-beats=\"true\">✓ yes</span>"
                case false?: return "<span class=\"misses\" style=\"color:#b00\" data-beats=\"false\">✗ no</span>"
                case nil: return "<span data-beats=\"unknown\">-</span>"
                }
            }
            s += row([e(model.name)] + shown.map { Markup.value(model.metrics[$0]) } + cells, numeric: Set(1...shown.count), cssClass: "model")
        }
        s += "</table>\n<p class=\"note\">All on the validation split (the test split selects nothing). The best trial's numbers are "
            + "those of its best epoch as recorded (val_loss is its training loss on validation); the ensembles' and the student's come "
            + "from their stored results ("
            + (regression ? "RMSE, MAE and R² in the targets' units, no val_loss" : "val_loss is their NLL")
            + "). Beating means strictly better on the baseline's own metric (lower loss, RMSE and MAE; higher accuracy and R²); "
            + "- where the model has no such number. Check 3 measures its input-independent model on at most 5000 validation rows.</p>\n"
        return s
    }
}
