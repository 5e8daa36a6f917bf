// `hpsearch distill`: one student network trained on the ensemble's soft targets, beside a
// hard-label control of the same architecture, seed and budget; launched like `run` (under
// mpirun the students train on the worker ranks).
import ArgumentParser
import Coordinator
import Ensembles
import Foundation
import Storage

struct Distill: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Distil a sweep's ensemble into one student network (`mpirun -np N hpsearch distill DIR`, or without mpirun).",
        discussion: """
        The teacher is the newest ensemble of the run (built first, from the sweep's ensemble section, when there is none). \
        The student takes the best member's configuration with the sweep file's distill.student overrides and trains on \
        alpha·T²·KL(teacher_T ‖ student_T) + (1 − alpha)·CE(labels); for task: regression on \
        alpha·MSE(student, teacher's mean prediction) + (1 − alpha)·loss(targets), in standardised units (the temperature \
        is unused). Trial 0 of the distillation sweep is the hard-label (true-target) control; trials 1… search the \
        distill section's temperature and alpha. Everything is kept under DIR/distill/, and running the command again \
        continues an interrupted distillation. JSON keys: student, control, best_single, ensemble (each model as in \
        `hpsearch ensemble --json`: val_accuracy … test_ece, or for regression val_rmse, val_mae, val_r2, test_rmse, \
        test_mae, test_r2), ensemble_method, temperature, alpha, kept_gain (the share of the ensemble's test gain over \
        the best single model the student keeps: in accuracy, or for regression in RMSE, lower being better; null when \
        the ensemble did not beat the best single model), cost_ratio, students ([{trial, temperature, alpha, \
        val_accuracy, test_accuracy}]; regression: [{trial, temperature, alpha, val_rmse, test_rmse}]).
        """
    )

    @Argument(help: "The run directory of a finished sweep.")
    var runDirectory: String

    @Option(help: "Students to train (default: the sweep's distill.trials, else 1); the control comes on top.")
    var trials: Int?

    @Option(help: "Epochs per student and for the control (default: distill.epochs, else the sweep's max_epochs).")
    var epochs: Int?

    @Flag(help: "Print one JSON object: {student, control, best_single, ensemble, …}.")
    var json = false

    @OptionGroup var options: RunOptions

    func validate() throws {
        if let trials, trials < 1 { throw ValidationError("--trials must be at least 1") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
    }

    func run() throws {
        try options.drive(json: json) { log in try SweepPlan.distillation(of: runDirectory, trials: trials, epochs: epochs, log: log) }
    }
}

/// The distillation's table and JSON (regression reports: RMSE, MAE and R² as in `EnsembleTable`).
enum DistillTable {
    static func json(_ r: DistillationReport) -> [String: Any] {
        ["student": EnsembleTable.row(r.student), "control": EnsembleTable.row(r.control), "best_single": EnsembleTable.row(r.bestSingle),
         "ensemble": EnsembleTable.row(r.ensemble), "ensemble_method": r.ensembleMethod, "temperature": r.temperature, "alpha": r.alpha,
         "kept_gain": r.keptGain.isFinite ? r.keptGain : NSNull(), "cost_ratio": r.costRatio,
         "students": r.students.map { s -> [String: Any] in
             var out: [String: Any] = ["trial": s.trial, "temperature": s.temperature, "alpha": s.alpha]
             out["val_accuracy"] = s.validationAccuracy
             out["test_accuracy"] = s.testAccuracy
             out["val_rmse"] = s.validationRMSE
             out["test_rmse"] = s.testRMSE
             return out
         }]
    }

    static func render(_ r: DistillationReport) -> String {
        var lines = ["distillation — student picked on validation; test set for evaluation only",
                     EnsembleTable.header(regression: r.isRegression)]
        for (e, label) in [(r.student, r.student.name), (r.control, "hard-label control"),
                           (r.bestSingle, "best single (\(r.bestSingle.trial ?? 0))"), (r.ensemble, r.ensemble.name)] {
            lines.append(EnsembleTable.line(e, label))
        }
        if r.isRegression { return (lines + regressionSummary(r)).joined(separator: "\n") }
        if r.students.count > 1 {
            lines.append("students: " + r.students.map { String(format: "#%d T %.3g α %.3g val %.4f", $0.trial, $0.temperature, $0.alpha, $0.validationAccuracy ?? .nan) }
                .joined(separator: "; "))
        }
        let accuracy = { (e: EnsembleEntry) in e.test?.accuracy ?? .nan }
        let points = { (e: EnsembleEntry) in (accuracy(e) - accuracy(r.bestSingle)) * 100 }
        lines.append(String(format: "student − control: %+.2f accuracy points; student − best single: %+.2f; ensemble − best single: %+.2f",
                            (accuracy(r.student) - accuracy(r.control)) * 100, points(r.student), points(r.ensemble)))
        if !r.keptGain.isFinite {
            lines.append("the ensemble did not beat the best single model" + cost(r, "; the student costs 1/%.1f of the ensemble"))
        } else if r.keptGain < 0 {
            lines.append(String(format: "the student is %.2f points below the best single model (it keeps none of the ensemble's gain)", -points(r.student))
                          + cost(r, " at 1/%.1f of the ensemble's inference cost"))
        } else {
            lines.append(String(format: "the student keeps %.0f%% of the ensemble's gain", 100 * r.keptGain) + cost(r, " at 1/%.1f of its inference cost"))
        }
        return lines.joined(separator: "\n")
    }

    /// `format` with the ensemble's cost ÷ the student's; nothing when the costs are unknown (a program's models).
    static func cost(_ r: DistillationReport, _ format: String) -> String {
        r.costRatio.isFinite && r.costRatio > 0 ? String(format: format, r.costRatio) : ""
    }

    /// Regression: the students' validation RMSEs and the differences in test RMSE (lower is better).
    static func regressionSummary(_ r: DistillationReport) -> [String] {
        var lines: [String] = []
        if r.students.count > 1 {
            lines.append("students: " + r.students.map { String(format: "#%d α %.3g val RMSE %.4g", $0.trial, $0.alpha, $0.validationRMSE ?? .nan) }
                .joined(separator: "; "))
        }
        let rmse = { (e: EnsembleEntry) in e.regressionTest?.rmse ?? .nan }
        let above = { (e: EnsembleEntry) in rmse(e) - rmse(r.bestSingle) }
        lines.append(String(format: "test RMSE: student − control %+.4g; student − best single %+.4g; ensemble − best single %+.4g",
                            rmse(r.student) - rmse(r.control), above(r.student), above(r.ensemble)))
        if !r.keptGain.isFinite {
            lines.append("the ensemble did not beat the best single model" + cost(r, "; the student costs 1/%.1f of the ensemble"))
        } else if r.keptGain < 0 {
            lines.append(String(format: "the student's test RMSE is %.4g above the best single model's (it keeps none of the ensemble's gain)", above(r.student))
                          + cost(r, " at 1/%.1f of the ensemble's inference cost"))
        } else {
            lines.append(String(format: "the student keeps %.0f%% of the ensemble's RMSE gain", 100 * r.keptGain) + cost(r, " at 1/%.1f of its inference cost"))
        }
        return lines
    }
}
