// StoredSweep: the sweep a run directory's store describes, for the commands that read it
// (resume, ensemble, distill, status, report, export): the sweep file's text, or, in a distillation's directory
// (RUN_DIR/distill), the distillation sweep derived from it.
import Foundation
import Search
import Storage
import Training

public enum StoredSweep {
    /// Environment key of a distillation's plan: {student, trials, epochs} as JSON.
    public static let planKey = "distillation_plan"

    struct Plan: Codable {
        var student: Configuration
        var trials: Int
        var epochs: Int?
    }

    public static func planText(student: Configuration, trials: Int, epochs: Int?) throws -> String {
        String(decoding: try JSONEncoder().encode(Plan(student: student, trials: trials, epochs: epochs)), as: UTF8.self)
    }

    /// Environment keys of the budget `hpsearch resume --trials N --time T` set (a trial count;
    /// seconds), which replace the sweep file's.
    public static let budgetTrialsKey = "budget_trials", budgetTimeKey = "budget_time"

    /// `spec` with the budget that `environment` records (`resume --trials/--time`), if any.
    public static func applyingBudget(of environment: [String: String], to spec: SweepSpec) -> SweepSpec {
        var spec = spec
        if let trials = environment[budgetTrialsKey].flatMap(Int.init) {
            spec.budget.trials = trials
            spec.budget.hasTrialLimit = true
        }
        if let time = environment[budgetTimeKey].flatMap(Double.init) { spec.budget.time = time }
        return spec
    }

    /// `record`'s sweep, parsed as `file` (relative data paths resolve from there), with the
    /// budget of its last extension.
    public static func spec(_ record: SweepRecord, file: String) throws -> SweepSpec {
        let spec = applyingBudget(of: record.environment,
                                  to: try SweepSpec.parse(yaml: record.specText, file: file, vocabulary: TrainingConfig.vocabulary))
        guard let text = record.environment[planKey] else { return spec }
        let plan = try JSONDecoder().decode(Plan.self, from: Data(text.utf8))
        return DistillationSweep(parent: spec, student: plan.student, trials: plan.trials, epochs: plan.epochs).spec
    }

    /// The sweep a run directory holds, for training: the copy's text, anchored where the original
    /// sweep file was (so relative data paths resolve as they did), validated for the trainer.
    public static func trainingSpec(of run: RunDirectory, store: any Store) throws -> SweepSpec {
        let environment = try store.sweep()?.environment ?? [:]
        let original = environment["sweep_file"] ?? run.sweepCopyPath
        let text: String
        do {
            text = try String(contentsOfFile: run.sweepCopyPath, encoding: .utf8)
        } catch {
            throw RunDirectoryError("cannot read \(run.sweepCopyPath), the copy of the sweep file: \(error.localizedDescription); it is needed to continue the sweep")
        }
        let spec = applyingBudget(of: environment, to: try SweepSpec.parse(yaml: text, file: original, vocabulary: TrainingConfig.vocabulary))
        try spec.validateForTraining()
        return spec
    }
}
