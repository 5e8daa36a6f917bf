// `hpsearch run` and `hpsearch resume`: a sweep across the ranks of an MPI job, or in this
// process when started without mpirun. The work is `Coordinator.SweepDriver`'s; this parses and
// prints.
import ArgumentParser
import Coordinator
import Foundation
import Search

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a sweep: `mpirun -np N hpsearch run sweep.yaml` (rank 0 coordinates, N−1 workers train), or without mpirun in this process.",
        discussion: "The run directory holds the SQLite store (sweep.db), a copy of the sweep file and every trial's checkpoint and predictions."
    )

    @Argument(help: "The sweep file (YAML).")
    var sweep: String

    @Option(help: "Run directory (default: runs/<name>-<UTC timestamp>). Must not exist yet.")
    var dir: String?

    @OptionGroup var options: RunOptions

    func run() throws {
        try options.drive { log in try SweepPlan.search(sweepFile: sweep, directory: dir, log: log) }
    }
}

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Finish an interrupted sweep, or extend a finished one: finished trials are kept, interrupted ones continue from their last epoch state.",
        discussion: """
            Launch it like the run (`mpirun -np N hpsearch resume DIR`); the rank count may differ.
            --trials and --time extend the sweep: both are new totals, counting what the sweep already ran (a 20-trial \
            sweep resumed with --trials 40 runs 20 more, the trials a 40-trial sweep of the same seed has; a sweep that \
            ran 2h resumed with --time 3h runs for one more hour). The new budget is kept for later resumes, and a \
            sweep that ended early (time budget, stop_when) goes on.
            """
    )

    @Argument(help: "The run directory.")
    var runDirectory: String

    @Option(help: "The new trial budget: a total, at least the trials the sweep already holds.")
    var trials: Int?

    @Option(help: "The new time budget: a total over every job of the sweep (90s, 30m, 2h, 1h30m), more than it has run.")
    var time: String?

    @OptionGroup var options: RunOptions

    func validate() throws {
        if let trials, trials < 1 { throw ValidationError("--trials must be at least 1") }
        if let time, Budget.seconds(in: time) == nil { throw ValidationError("--time takes a duration such as 90s, 30m, 2h or 1h30m, got '\(time)'") }
    }

    func run() throws {
        let seconds = time.flatMap(Budget.seconds(in:))
        try options.drive { log in try SweepPlan.resume(runDirectory, trials: trials, time: seconds, log: log) }
    }
}

struct RunOptions: ParsableArguments {
    @Option(help: "BLAS threads per rank (default: HPSEARCH_BLAS_THREADS, else cores ÷ ranks on this node, at least 1).")
    var threads: Int?

    @Flag(help: "Only errors and the final table.")
    var quiet = false

    @Flag(help: "Progress and events as JSON lines on standard error (for log collectors).")
    var jsonLogs = false

    @Option(help: "Seconds a worker holding a trial may go without reporting an epoch before rank 0 gives it up as hung and runs the trial elsewhere (0: never).")
    var workerTimeout: Double = 1800

    @Option(help: "Seconds a worker holding a trial may send nothing, not even its heartbeat (every 2 s), before rank 0 gives it up as lost (host down or unreachable) and runs the trial elsewhere (0: never).")
    var heartbeatTimeout: Double = 10

    func validate() throws {
        if workerTimeout < 0 { throw ValidationError("--worker-timeout must be 0 (never) or a number of seconds") }
        if heartbeatTimeout < 0 { throw ValidationError("--heartbeat-timeout must be 0 (never) or a number of seconds") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    var driverOptions: SweepDriver.Options {
        var o = SweepDriver.Options()
        o.threads = threads
        o.workerTimeout = workerTimeout > 0 ? workerTimeout : nil
        o.heartbeatTimeout = heartbeatTimeout > 0 ? heartbeatTimeout : nil
        o.version = HPSearch.configuration.version
        return o
    }

    /// Runs the job on this rank with `prepare`'s plan (rank 0 only) and prints what rank 0 saw;
    /// exits with the outcome's status (128 + signal when stopped).
    func drive(json: Bool = false, prepare: (_ log: @escaping (String) -> Void) throws -> SweepPlan) throws {
        let driver = SweepDriver(communicator: try SweepDriver.launch(), options: driverOptions)
        defer { driver.finalize() }
        let presenter = TerminalPresenter(monitor: SweepMonitor(quiet: quiet, jsonLogs: jsonLogs), json: json)
        guard let outcome = try driver.run(presenter: presenter, prepare: prepare) else { return }
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}
