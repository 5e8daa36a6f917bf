// The report's ensembles section: the newest ensemble ("average" or "greedy") and the newest
// distillation ("distilled") from the store's ensembles table, as tables; older ones counted.
// Regression results show RMSE, MAE and R² (targets' units, 4 significant digits) where a
// classifier's show accuracy, NLL and ECE.
import Storage

extension HTMLReport {
    static let ensembleHeader = ["model", "weight", "val acc", "test acc", "test NLL", "test ECE", "params"]
    static let regressionEnsembleHeader = ["model", "weight", "val RMSE", "test RMSE", "test MAE", "test R²", "params"]

    static func ensembleHeader(regression: Bool) -> [String] { regression ? regressionEnsembleHeader : ensembleHeader }

    static func ensembleRow(_ entry: EnsembleEntry, _ label: String, total: Bool = false) -> String {
        let figures: [Double]
        let format: String
        if let v = entry.regressionValidation, let t = entry.regressionTest {
            (figures, format) = ([v.rmse, t.rmse, t.mae, t.r2], "%#.4g")
        } else {
            (figures, format) = ([entry.validation?.accuracy, entry.test?.accuracy, entry.test?.nll, entry.test?.ece].map { $0 ?? .nan }, "%.4f")
        }
        return row([Markup.escape(label), entry.weight.map { String(format: "%.3f", $0) } ?? "-"]
                   + figures.map { String(format: format, $0) } + [String(entry.params)],
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
                s += "<table class=\"ensemble\">\n" + row(ensembleHeader(regression: r.isRegression), header: true)
                for m in r.members { s += ensembleRow(m, m.name) }
                s += ensembleRow(r.bestSingle, "best single (trial \(r.bestSingle.trial.map(String.init) ?? "-"))")
                s += ensembleRow(r.ensemble, r.ensemble.name, total: true) + "</table>\n"
                if let e = r.ensemble.regressionTest, let b = r.bestSingle.regressionTest {
                    s += "<p>" + String(format: "Ensemble − best single: test RMSE %+.4g, MAE %+.4g, R² %+.4g.", e.rmse - b.rmse, e.mae - b.mae, e.r2 - b.r2)
                } else {
                    let e = r.ensemble.test, b = r.bestSingle.test
                    s += "<p>" + String(format: "Ensemble − best single: %+.2f test accuracy points, NLL %+.4f, ECE %+.4f.",
                                        ((e?.accuracy ?? .nan) - (b?.accuracy ?? .nan)) * 100, (e?.nll ?? .nan) - (b?.nll ?? .nan),
                                        (e?.ece ?? .nan) - (b?.ece ?? .nan))
                }
                s += " Members were selected on validation predictions; the test split only evaluates."
                let loss = r.isRegression ? "MSE (standardised targets)" : "NLL"
                if let losses = r.greedyLosses, let step = r.greedyBestStep, losses.indices.contains(step), let first = losses.first {
                    s += String(format: " Greedy selection: validation %@ %.4f → best %.4f at step %d of %d (kept).", loss, first, losses[step], step, losses.count - 1)
                }
                for x in r.excluded ?? [] {
                    s += String(format: " Trial %d was left out: adding it would have raised the validation %@ from %.4f to %.4f.",
                                x.trial, loss, x.validationLossWithout, x.validationLossWith)
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
                s += "<table class=\"distillation\">\n" + row(ensembleHeader(regression: r.isRegression), header: true)
                s += ensembleRow(r.student, r.student.name, total: true) + ensembleRow(r.control, "hard-label control")
                s += ensembleRow(r.bestSingle, "best single (trial \(r.bestSingle.trial.map(String.init) ?? "-"))")
                s += ensembleRow(r.ensemble, "teacher: " + r.ensemble.name) + "</table>\n<p>"
                if let st = r.student.regressionTest, let c = r.control.regressionTest {
                    s += String(format: "Student − control: test RMSE %+.4g (lower is better). ", st.rmse - c.rmse)
                } else {
                    s += String(format: "Student − control: %+.2f test accuracy points. ",
                                ((r.student.test?.accuracy ?? .nan) - (r.control.test?.accuracy ?? .nan)) * 100)
                }
                s += r.keptGain.isFinite
                    ? String(format: "The student keeps %.0f%% of the ensemble's gain over the best single model at 1/%.1f of its inference cost.", r.keptGain * 100, r.costRatio)
                    : String(format: "The ensemble did not beat the best single model; the student costs 1/%.1f of the ensemble.", r.costRatio)
                if r.students.count > 1 {
                    s += " Students (picked on validation): " + Markup.escape(r.students.map {
                        $0.validationRMSE != nil
                            ? String(format: "#%d α %.3g val RMSE %.4g test RMSE %.4g", $0.trial, $0.alpha, $0.validationRMSE ?? .nan, $0.testRMSE ?? .nan)
                            : String(format: "#%d T %.3g α %.3g val %.4f test %.4f", $0.trial, $0.temperature, $0.alpha,
                                     $0.validationAccuracy ?? .nan, $0.testAccuracy ?? .nan)
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
