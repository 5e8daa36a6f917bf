// StoredSweep: the sweep a run directory's store describes, for the commands that read it
// (status, report, export): the sweep file's text, or, in a distillation's directory
// (RUN_DIR/distill), the distillation sweep derived from it.
import Foundation
import Search
import Storage
import Training

enum StoredSweep {
    /// Environment key of a distillation's plan: {student, trials, epochs} as JSON.
    static let planKey = "distillation_plan"

    struct Plan: Codable {
        var student: Configuration
        var trials: Int
        var epochs: Int?
    }

    static func planText(student: Configuration, trials: Int, epochs: Int?) throws -> String {
        String(decoding: try JSONEncoder().encode(Plan(student: student, trials: trials, epochs: epochs)), as: UTF8.self)
    }

    /// `record`'s sweep, parsed as `file` (relative data paths resolve from there).
    static func spec(_ record: SweepRecord, file: String) throws -> SweepSpec {
        let spec = try SweepSpec.parse(yaml: record.specText, file: file, vocabulary: TrainingConfig.vocabulary)
        guard let text = record.environment[planKey] else { return spec }
        let plan = try JSONDecoder().decode(Plan.self, from: Data(text.utf8))
        return DistillationSweep(parent: spec, student: plan.student, trials: plan.trials, epochs: plan.epochs).spec
    }
}
