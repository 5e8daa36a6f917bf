// ProgramSpec: the sweep file's `program:` section — the user's own training program as a
// trial, instead of the built-in trainer:
//
//   program:
//     command: [python3, train.py, --data, /data/x]   # an argv list, never a shell string
//     args: flags            # flags (default): --name=value per parameter | json: $HPSEARCH_CONFIG | env: HPSEARCH_PARAM_<NAME>
//     grace_seconds: 10      # after a stop: SIGTERM, then SIGKILL this much later
//     max_epochs_flag: --epochs   # optional: passes budget.max_epochs as --epochs=N
//
// Elements of `command` that name a file beside the sweep file (`train.py`) become that file's
// path; the first element is otherwise looked up on PATH. `model:` and `data:` do not apply.

/// The user's training program.
public struct ProgramSpec: Sendable, Hashable {
    /// How a trial's parameters reach the program.
    public enum Arguments: String, Sendable, Hashable, CaseIterable {
        /// `--name=value` appended per parameter, each its own argv element.
        case flags
        /// A JSON object in a file whose path is `$HPSEARCH_CONFIG`.
        case json
        /// `HPSEARCH_PARAM_<NAME>` per parameter (the name upper-cased, non-alphanumerics as `_`).
        case env
    }

    /// `SweepSpec.model` of a program sweep.
    public static let modelName = "program"

    public var command: [String]
    public var arguments: Arguments
    public var graceSeconds: Double
    public var maxEpochsFlag: String?

    public init(command: [String], arguments: Arguments = .flags, graceSeconds: Double = 10, maxEpochsFlag: String? = nil) {
        self.command = command
        self.arguments = arguments
        self.graceSeconds = graceSeconds
        self.maxEpochsFlag = maxEpochsFlag
    }

    /// `HPSEARCH_PARAM_<NAME>` for a parameter name.
    public static func environmentName(_ parameter: String) -> String {
        "HPSEARCH_PARAM_" + String(parameter.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}
