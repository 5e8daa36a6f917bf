// `hpsearch export`: a sweep's trials and epoch metrics as CSV, JSON or JSON Lines, for pandas
// (`pd.read_csv`, `pd.read_json(..., lines=True)`); readable while the sweep runs.
import ArgumentParser
import Foundation
import Reports

extension SweepExport.Format: ExpressibleByArgument {}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a sweep's trials and epoch metrics as CSV, JSON or JSON Lines (works while the sweep runs).",
        discussion: """
        csv: one row per epoch (a trial without epochs gets one row with empty epoch columns): trial, state, seed, rank, \
        param_<name> per hyperparameter, best_value, epoch, train_loss, train_accuracy, val_loss, val_accuracy, \
        learning_rate, seconds, then the task's further metrics by name (val_auc, val_f1 for two classes). jsonl: the same rows as JSON objects, one per line. json: {"trials": [{trial fields, \
        "params": {...}, "epochs": [...]}]}. Numbers read back exactly; in JSON, NaN and infinities are null.
        """
    )

    @Argument(help: "The run directory.")
    var runDirectory: String

    @Option(help: "The output format.")
    var format: SweepExport.Format = .csv

    @Option(name: .shortAndLong, help: "Write to this file (default: standard output).")
    var output: String?

    func run() throws {
        let text = SweepExport.render(try ReportSource.load(runDirectory), format: format)
        if let output {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw ValidationError("cannot write \(output): \(error.localizedDescription); check that its folder exists and is writable")
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
