// The report's ensembles section: the newest ensemble ("average" or "greedy") and the newest
// distillation ("distilled") from the store's ensembles table, as tables; older ones counted.
import Storage

extension HTMLReport {
    static let ensembleHeader = ["model", "weight", "val acc", "test acc", "test NLL", "test ECE", "params"]

    static func ensembleRow(_ entry: EnsembleEntry, _ label: String, total: Bool = false) -> String {
        row([Markup.escape(label), entry.weight.map { String(format: "%.3f", $0) } ?? "-",
             String(format: "%.4f", entry.validation.accuracy), String(format: "%.4f", entry.test.accuracy),
             String(format: "%.4f", entry.test.nll), String(format: "%.4f", entry.test.ece), String(entry.params)],
            numeric: Set(1...6), cssClass: total ? "total" : nil)
    }

    static func ensembles(_ input: ReportInput) -> String {
        let built = input.ensembles.filter { $0.method != "distilled" }, distilled = input.ensembles.filter { $0.method == "distilled" }
        guard !built.isEmpty || !distilled.isEmpty else {
            return "<p class=\"note\">No ensemble stored yet: build one with <code>hpsearch ensemble RUN_DIR</code>, then distil it with "
                + "<code>hpsearch distill RUN_DIR</code>.</p>\n"
        }
        var s = ""
        if let newest = built.last {
            s += "<h3>Ensemble #\(newest.id) (\(Markup.escape(newest.method)))</h3>\n"
            do {
                let r = try ResultJSON.decode(EnsembleReport.self, newest.resultJSON)
                s += "<table class=\"ensemble\">\n" + row(ensembleHeader, header: true)
                for m in r.members { s += ensembleRow(m, m.name) }
                s += ensembleRow(r.bestSingle, "best single (trial \(r.bestSingle.trial.map(String.init) ?? "-"))")
                s += ensembleRow(r.ensemble, r.ensemble.name, total: true) + "</table>\n"
                s += "<p>" + String(format: "Ensemble − best single: %+.2f test accuracy points, NLL %+.4f, ECE %+.4f.",
                                    (r.ensemble.test.accuracy - r.bestSingle.test.accuracy) * 100, r.ensemble.test.nll - r.bestSingle.test.nll,
                                    r.ensemble.test.ece - r.bestSingle.test.ece)
                    + " Members were selected on validation predictions; the test split only evaluates."
                if let losses = r.greedyLosses, let step = r.greedyBestStep, losses.indices.contains(step), let first = losses.first {
                    s += String(format: " Greedy selection: validation NLL %.4f → best %.4f at step %d of %d (kept).", first, losses[step], step, losses.count - 1)
                }
                for x in r.excluded ?? [] {
                    s += String(format: " Trial %d was left out: adding it would have raised the validation NLL from %.4f to %.4f.", x.trial, x.validationNLLWithout, x.validationNLLWith)
                }
                s += "</p>\n"
            } catch {
                s += "<p class=\"note\">Its stored results could not be read (\(Markup.escape(String(describing: error)))).</p>\n"
            }
            s += older(built.count - 1, "ensemble")
        }
        if let newest = distilled.last {
            s += "<h3>Distillation #\(newest.id)</h3>\n"
            do {
                let r = try ResultJSON.decode(DistillationReport.self, newest.resultJSON)
                s += "<table class=\"distillation\">\n" + row(ensembleHeader, header: true)
                s += ensembleRow(r.student, r.student.name, total: true) + ensembleRow(r.control, "hard-label control")
                s += ensembleRow(r.bestSingle, "best single (trial \(r.bestSingle.trial.map(String.init) ?? "-"))")
                s += ensembleRow(r.ensemble, "teacher: " + r.ensemble.name) + "</table>\n<p>"
                s += String(format: "Student − control: %+.2f test accuracy points. ", (r.student.test.accuracy - r.control.test.accuracy) * 100)
                s += r.keptGain.isFinite
                    ? String(format: "The student keeps %.0f%% of the ensemble's gain over the best single model at 1/%.1f of its inference cost.", r.keptGain * 100, r.costRatio)
                    : String(format: "The ensemble did not beat the best single model; the student costs 1/%.1f of the ensemble.", r.costRatio)
                if r.students.count > 1 {
                    s += " Students (picked on validation): " + Markup.escape(r.students.map {
                        String(format: "#%d T %.3g α %.3g val %.4f test %.4f", $0.trial, $0.temperature, $0.alpha, $0.validationAccuracy, $0.testAccuracy)
                    }.joined(separator: "; ")) + "."
                }
                s += "</p>\n"
            } catch {
                s += "<p class=\"note\">Its stored results could not be read (\(Markup.escape(String(describing: error)))).</p>\n"
            }
            s += older(distilled.count - 1, "distillation")
        }
        return s
    }

    static func older(_ count: Int, _ what: String) -> String {
        count > 0 ? "<p class=\"note\">The newest is shown; \(count) older \(what)\(count == 1 ? " is" : "s are") stored too.</p>\n" : ""
    }
}
