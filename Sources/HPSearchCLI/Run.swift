// `hpsearch run` and `hpsearch resume`: a sweep across the ranks of an MPI job, or in this
// process when started without mpirun. The work is `Coordinator.SweepDriver`'s; this parses and
// prints.
import ArgumentParser
import Coordinator
import Foundation

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
        abstract: "Finish an interrupted sweep: finished trials are kept, interrupted ones run again.",
        discussion: "Launch it like the run (`mpirun -np N hpsearch resume DIR`); the rank count may differ."
    )

    @Argument(help: "The run directory.")
    var runDirectory: String

    @OptionGroup var options: RunOptions

    func run() throws {
        try options.drive { log in try SweepPlan.resume(runDirectory, log: log) }
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
