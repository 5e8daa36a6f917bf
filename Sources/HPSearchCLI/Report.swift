// `hpsearch report`: one self-contained HTML page about a sweep (inline SVG and CSS, no scripts,
// nothing fetched); reads the store without the run lock, so it works while the sweep runs.
import ArgumentParser
import Coordinator
import Ensembles
import Foundation
import Reports
import Search
import Storage
import Training

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a sweep's report: one self-contained HTML file (works while the sweep runs).",
        discussion: """
        Summary, learning curves, the metric against each hyperparameter, parallel coordinates, parameter importance, \
        early-stopping savings, the newest ensemble and distillation, where the best trial and the ensemble fail on the \
        validation split (confusion matrices, the most confidently wrong examples; regression: the largest errors), the \
        best trial's first layer (image data), the baselines to beat (from check.json), check.json when the run directory \
        has one, the sweep file and the environment. Inline SVG, CSS and small PNG pictures only: no scripts, nothing \
        fetched, so it opens offline.
        """
    )

    @Argument(help: "The run directory.")
    var runDirectory: String

    @Option(name: .shortAndLong, help: "Where to write the page (default: RUN_DIR/report.html).")
    var output: String?

    func run() throws {
        let input = try ReportSource.load(runDirectory, insight: true)
        let path = output ?? RunDirectory(runDirectory).url.appendingPathComponent("report.html").path
        do {
            try Data(HTMLReport.render(input).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CoordinatorError("cannot write \(path): \(error.localizedDescription); check that its folder exists and is writable, or give another with -o")
        }
        let summary = SweepSummary(input)
        print("\(path): \(summary.trials) trials, \(summary.epochsTrained) epochs"
              + (summary.best.map { " — best trial \($0.index), \(input.spec.metric.name) \(String(format: "%.4g", $0.bestValue ?? .nan))" } ?? ""))
    }
}

/// What `report` and `export` read from a run directory, read-only and without the run lock.
enum ReportSource {
    /// `insight`: also gather the models' validation predictions and first layer (`report`).
    static func load(_ path: String, insight: Bool = false) throws -> ReportInput {
        let run = RunDirectory(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CoordinatorError("\(path) is not a directory; give a run directory (runs/NAME-DATE, which `hpsearch run` creates)")
        }
        guard run.exists else {
            throw CoordinatorError("\(path) holds no sweep (no sweep.db); give the run directory `hpsearch run` created (runs/NAME-DATE)")
        }
        let store = try SQLiteStore(path: run.storePath, readOnly: true)
        guard let sweep = try store.sweep() else {
            throw CoordinatorError("\(path): the store has no sweep yet; try again once `hpsearch run` has started it")
        }
        let spec = try StoredSweep.spec(sweep, file: sweep.environment["sweep_file"] ?? run.sweepCopyPath)
        var input = try ReportInput.load(store: store, spec: spec, directory: run.url)
        input.directory = path
        if insight { input.insight = ReportInsight.gather(run: run, store: store, input: input) }
        return input
    }
}
