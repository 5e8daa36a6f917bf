// `hpsearch predict`: a sweep's model (newest ensemble, else best trial; or a chosen trial,
// ensemble or the distilled student) applied to new data, with the run's stored preprocessing.
import ArgumentParser
import Datasets
import Ensembles
import Foundation
import Search
import Storage
import TensorCore

/// `--trial N | --ensemble [ID] | --student`, shared by `predict` and `export-model`.
struct ModelChoiceOptions: ParsableArguments {
    @Option(help: "Use this trial's model.")
    var trial: Int?

    @Flag(help: "Use the newest ensemble; `--ensemble ID` (the same as --ensemble-id ID) picks another.")
    var ensemble = false

    @Option(help: "Use the ensemble with this id (`hpsearch ensemble` prints the id it stores; --json: `id`).")
    var ensembleId: Int?

    @Flag(help: "Use the distilled student (`hpsearch distill` first).")
    var student = false

    func validate() throws {
        let picked = [trial != nil, ensemble || ensembleId != nil, student].filter { $0 }.count
        if picked > 1 { throw ValidationError("give at most one of --trial, --ensemble / --ensemble-id and --student") }
        if let trial, trial < 0 { throw ValidationError("--trial must be 0 or more") }
    }

    var choice: StoredModel.Choice {
        if let trial { return .trial(trial) }
        if ensemble || ensembleId != nil { return .ensemble(ensembleId) }
        if student { return .student }
        return .automatic
    }
}

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply a sweep's model to new data (CSV, .npy/.npz or IDX images), with the preprocessing fitted in training.",
        discussion: """
        The model is the newest ensemble of RUN_DIR, else its best trial (by the sweep metric); --trial N, --ensemble \
        (--ensemble-id ID) or --student picks another. The input: a CSV file with the training table's feature columns \
        by name (any order; the label column optional), an .npy/.npz array (npz member x, and y when present) shaped \
        as the training x, or an IDX image file (gzip or plain); --labels gives labels for arrays and images (.npy or \
        IDX). Everything fitted on the training split (standardisation, one-hot vocabularies, medians) is applied as in \
        training. Output (-o; default: CSV on standard output): CSV with `prediction` (the class) and, with --proba, one \
        `p_<class>` column per class; for task: regression one column per target in the targets' units. An output \
        ending in .npy holds class indices (int64 [N]), with --proba probabilities (float32 [N, C]), or regression \
        predictions (float32 [N, T]). With labels, the metrics are printed (accuracy, NLL, Brier, ECE; regression: \
        RMSE, MAE, R²) — on standard error when the predictions go to standard output. Rows are read and predicted in \
        batches of 4,000; a bad input (missing or extra column, unknown category, wrong image shape) is refused with \
        its file, line and column, and nothing is written. JSON keys (--json, with -o): model, rows, seconds, \
        rows_per_second, output, and with labels accuracy, nll, brier, ece (regression: rmse, mae, r2).
        """
    )

    @Argument(help: "The run directory.")
    var runDirectory: String

    @Option(help: "The data to predict: .csv, .npy, .npz or an IDX image file (.gz or plain).")
    var input: String

    @Option(help: "Labels for an .npy or IDX input (.npy, or an IDX label file): the metrics are printed.")
    var labels: String?

    @OptionGroup var model: ModelChoiceOptions

    @Option(name: .shortAndLong, help: "Write the predictions here (.csv or .npy; default: CSV on standard output).")
    var output: String?

    @Flag(help: "Add each class's probability (p_<class> columns; .npy: [N, C] float32).")
    var proba = false

    @Flag(help: "With -o: print one JSON object {model, rows, seconds, rows_per_second, output, accuracy, …}.")
    var json = false

    @Option(help: "BLAS threads (default: HPSEARCH_BLAS_THREADS, else every core).")
    var threads: Int?

    func validate() throws {
        if json && output == nil { throw ValidationError("--json needs -o FILE (the predictions would share standard output)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        if let threads { BLAS.setThreads(threads) } else { try BLAS.configureThreads(fallback: BLAS.cores) }
        let stored = try StoredModel.load(runDirectory, choice: model.choice)
        let labelColumns = Self.labelColumns(stored.spec.data)
        var member = "x", labelMember = "y"
        if case .npz(_, let x, let y, _, _, _) = stored.spec.data.source { member = x; labelMember = y }
        let reader = try PredictionInput(path: input, transform: stored.transform, regression: stored.isRegression,
                                         labelColumns: labelColumns, labels: labels, member: member, labelMember: labelMember)
        let toStdout = output == nil
        let predictor = Predictor(model: stored, probabilities: proba)
        let out = FileHandle.standardOutput
        let summary = try predictor.run(reader, output: output) { out.write(Data($0.utf8)) }
        if json {
            try printJSON(Self.json(summary, model: stored))
            return
        }
        var lines = [String(format: "predicted %d rows with %@ in %.3g s (%.4g rows/s)%@", summary.rows, stored.name, summary.seconds,
                            Double(summary.rows) / max(summary.seconds, 1e-9), output.map { " → \($0)" } ?? "")]
        if let c = summary.classification {
            lines.append(String(format: "accuracy %.4f  nll %.4f  brier %.4f  ece %.4f  (%d labelled rows)", c.accuracy, c.nll, c.brier, c.ece, c.count))
        }
        if let r = summary.regression {
            lines.append(String(format: "rmse %.4g  mae %.4g  r2 %.4g  (%d rows)", r.rmse, r.mae, r.r2, r.count))
        }
        let text = lines.joined(separator: "\n") + "\n"
        if toStdout { FileHandle.standardError.write(Data(text.utf8)) } else { print(text, terminator: "") }
    }

    /// The training table's label (or target) column names.
    static func labelColumns(_ data: DataSpec) -> [String] {
        guard case .csv(_, let labels, _, _, _, _) = data.source else { return [] }
        return labels.map { c in
            switch c {
            case .name(let n): return n
            case .index(let i): return "column \(i)"
            }
        }
    }

    static func json(_ s: Predictor.Summary, model: StoredModel) -> [String: Any] {
        var out: [String: Any] = ["model": model.name, "rows": s.rows, "seconds": s.seconds,
                                  "rows_per_second": Double(s.rows) / max(s.seconds, 1e-9), "output": s.output ?? NSNull()]
        if let c = s.classification { out.merge(["accuracy": c.accuracy, "nll": c.nll, "brier": c.brier, "ece": c.ece]) { $1 } }
        if let r = s.regression { out.merge(["rmse": r.rmse, "mae": r.mae, "r2": r.r2]) { $1 } }
        return out
    }
}
