// `hpsearch status`: a sweep's trials, best first; readable while the sweep writes.
import ArgumentParser
import Coordinator
import Ensembles
import Foundation
import Reports
import Search
import Storage
import Training

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a sweep's trials, the best first.")

    @Argument(help: "The run directory.")
    var runDirectory: String

    @Flag(help: ArgumentHelp("Print the trials as JSON (keys below).", discussion: StatusJSON.help))
    var json = false

    @Option(help: "Show at most this many trials (the best ones).")
    var limit: Int?

    @Option(help: ArgumentHelp("Show one trial: its epochs, each layer's training health (gradient and weight norms, update-to-weight ratio, activations, dead ReLUs, saturation) and the flags it raises; with --json, its object with the health records.", valueName: "N"))
    var trial: Int?

    @Flag(help: "Check the run directory: SQLite's integrity check and every artifact's checksum (exit 1 on a problem).")
    var verify = false

    @Flag(help: "Redraw every --interval seconds until the sweep has finished (Ctrl-C stops watching, not the sweep).")
    var watch = false

    @Option(help: "Seconds between redraws with --watch.")
    var interval: Double = 2

    func validate() throws {
        if interval <= 0 { throw ValidationError("--interval must be positive") }
        if watch && json { throw ValidationError("--watch redraws a table; for a JSON feed use `hpsearch run --json-logs`") }
        if let trial, trial < 0 { throw ValidationError("--trial \(trial): trial indices start at 0") }
        if trial != nil && (verify || limit != nil) { throw ValidationError("--trial shows one trial; leave out --verify and --limit") }
    }

    func run() throws {
        if verify { return try verifyRun() }
        guard watch else { try show(); return }
        let tty = isatty(STDOUT_FILENO) == 1
        while true {
            if tty { print("\u{1B}[H\u{1B}[2J", terminator: "") }
            let finished = try show()
            if !tty { print("") }
            fflush(nil)
            if finished { return }
            Thread.sleep(forTimeInterval: interval)
        }
    }

    /// Prints the table once; true when every trial of the budget has finished.
    @discardableResult
    func show() throws -> Bool {
        let run = RunDirectory(runDirectory)
        guard run.exists else { throw CoordinatorError("\(runDirectory) holds no sweep (no sweep.db)") }
        let store = try SQLiteStore(path: run.storePath, readOnly: true)
        guard let sweep = try store.sweep() else { throw CoordinatorError("\(runDirectory): the store has no sweep yet") }
        let spec = try StoredSweep.spec(sweep, file: run.sweepCopyPath)
        let trials = try store.trials()
        if let index = trial {
            guard let t = trials.first(where: { $0.index == index }) else {
                throw CoordinatorError("\(runDirectory) has no trial \(index) (trials 0…\(max(trials.count - 1, 0)) so far); `hpsearch status \(runDirectory)` lists them")
            }
            var input = ReportInput(spec: spec, sweep: sweep, trials: trials, epochs: try store.epochs(trial: index))
            input.health = try store.health(trial: index)
            if json {
                FileHandle.standardOutput.write(Data(StatusJSON.trialObjectWithHealth(t, input).utf8))
            } else {
                print(TrialHealthTable.render(t, input))
                if spec.program != nil { print(Self.programLogs(run, trial: index)) }
            }
            return t.state.isFinished
        }
        if json {
            var input = ReportInput(spec: spec, sweep: sweep, trials: trials, epochs: try store.allEpochs())
            input.health = try store.allHealth()
            var rows = input
            if let limit { rows.trials = StatusJSON.ordered(trials, metric: spec.metric).prefix(limit).sorted { $0.index < $1.index } }
            FileHandle.standardOutput.write(Data(StatusJSON.render(rows).utf8))
        } else {
            print(StatusTable.render(trials: trials, spec: spec, limit: limit))
            if let time = spec.budget.time {
                let spent = sweep.environment[SweepCoordinator.secondsSpentKey].flatMap(Double.init) ?? 0
                print("time budget \(Budget.format(seconds: time)): \(Budget.format(seconds: spent.rounded())) spent over this sweep's jobs")
            }
            if let ended = sweep.environment[SweepCoordinator.endedKey] {
                print("ended early: \(ended); `hpsearch resume \(runDirectory) --trials N --time T` extends it")
            }
        }
        return (trials.count >= spec.budget.trials || sweep.environment["ended"] != nil) && trials.allSatisfy(\.state.isFinished)
    }

    /// `--verify`: the store's integrity and each artifact file against its recorded checksum.
    func verifyRun() throws {
        let run = RunDirectory(runDirectory)
        guard run.exists else { throw CoordinatorError("\(runDirectory) holds no sweep (no sweep.db)") }
        let store = try SQLiteStore(path: run.storePath, readOnly: true)
        let integrity = try store.integrityCheck()
        var problems = integrity == "ok" ? [] : integrity.split(separator: "\n").prefix(20).map { "sweep.db: \($0)" }
        var files = 0
        for t in try store.trials() {
            for a in try store.artifacts(trial: t.index) {
                files += 1
                guard let bytes = try? run.read(a.path) else { problems.append("\(a.path): missing (trial \(t.index)'s \(a.kind))"); continue }
                if bytes.count != a.bytes || RunDirectory.checksum(bytes) != a.checksum {
                    problems.append("\(a.path): \(bytes.count) bytes that do not match the store's checksum (trial \(t.index)'s \(a.kind))")
                }
            }
        }
        if problems.isEmpty {
            print("\(runDirectory): ok — integrity check passed, \(files) artifact files match their checksums")
        } else {
            for p in problems { print(p) }
            print("\(runDirectory): \(problems.count) problem(s); `hpsearch resume` re-runs trials whose files are damaged only if they are unfinished — copy the run directory before repairing by hand")
            throw ExitCode(1)
        }
    }
}

/// The trials table of `run` and `status`.
enum StatusTable {
    /// Best first (by the sweep metric), then trials without a value by index.
    static func ordered(_ trials: [TrialRecord], spec: SweepSpec) -> [TrialRecord] {
        StatusJSON.ordered(trials, metric: spec.metric)
    }

    static func render(trials: [TrialRecord], spec: SweepSpec, limit: Int? = nil) -> String {
        let counts = Dictionary(grouping: trials, by: \.state).mapValues(\.count)
        var lines = ["\(spec.name): \(trials.count)/\(spec.budget.trialsText) trials"
                     + (spec.budget.time.map { " (time budget \(Budget.format(seconds: $0)))" } ?? "") + " — " +
                     TrialState.allCases.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }.joined(separator: ", ")]
        let names = spec.parameters.map(\.name)
        // Regression has no accuracy: its second figure is val_loss (standardised MSE).
        let regression = spec.task == .regression
        lines.append(["trial", "state", "rank", "epochs", spec.metric.name, regression ? "val_loss" : "val_acc"].enumerated()
            .map { $1.padding(toLength: [6, 14, 5, 7, 10, 8][$0], withPad: " ", startingAt: 0) }.joined(separator: " ") + "  config")
        for t in ordered(trials, spec: spec).prefix(limit ?? .max) {
            let cells = [String(t.index), t.state.rawValue, t.rank.map(String.init) ?? "-", String(t.epochs),
                         t.bestValue.map { String(format: "%.4f", $0) } ?? "-",
                         (regression ? t.bestValidationLoss : t.bestValidationAccuracy).map { String(format: "%.4f", $0) } ?? "-"]
            let config = names.compactMap { n in t.configuration[n].map { "\(n)=\(short($0))" } }.joined(separator: " ")
            lines.append(cells.enumerated().map { $1.padding(toLength: [6, 14, 5, 7, 10, 8][$0], withPad: " ", startingAt: 0) }.joined(separator: " ") + "  " + config)
        }
        if spec.repeats > 1 {
            // repeats: each configuration's figure is the mean of its repeats'.
            let groups = ConfigurationStatistics.ranked(trials, repeats: spec.repeats, metric: spec.metric)
            lines.append("\nconfigurations (\(spec.metric.name): mean ± standard deviation over \(spec.repeats) repeats), best first:")
            lines.append("config  trials      \(spec.metric.name)")
            for g in groups.prefix(limit ?? .max) {
                let span = g.trials.count > 1 ? "\(g.trials.first!)–\(g.trials.last!)" : g.trials.map(String.init).joined()
                let config = trials.first { $0.index == g.trials.first }.map { t in
                    names.compactMap { n in t.configuration[n].map { "\(n)=\(short($0))" } }.joined(separator: " ")
                } ?? ""
                lines.append(String(g.index).padding(toLength: 7, withPad: " ", startingAt: 0) + " " + span.padding(toLength: 11, withPad: " ", startingAt: 0)
                             + " " + g.text.padding(toLength: 32, withPad: " ", startingAt: 0) + "  " + config)
            }
        }
        return lines.joined(separator: "\n")
    }

    static func short(_ v: ParameterValue) -> String {
        if case .double(let d) = v { return String(format: "%.3g", d) }
        return v.description
    }

}

extension Status {
    /// A program trial's standard output and error (their last 20 lines each), kept under RUN_DIR/trials/NNNNN/.
    static func programLogs(_ run: RunDirectory, trial: Int) -> String {
        var lines: [String] = []
        for name in ["stdout.log", "stderr.log"] {
            let path = RunDirectory.trialFolder(trial) + "/" + name
            guard let bytes = try? run.read(path) else {
                lines.append("\n\(name): none yet (the program's output arrives when the trial ends)")
                continue
            }
            let all = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let tail = all.suffix(21).joined(separator: "\n")
            lines.append("\n\(name) (\(run.url.appendingPathComponent(path).path)\(all.count > 21 ? ", last 20 lines" : "")):\n" + tail)
        }
        return lines.joined(separator: "\n")
    }
}
