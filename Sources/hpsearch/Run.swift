// `hpsearch run` and `hpsearch resume`: a sweep across the ranks of an MPI job, or in this
// process when started without mpirun.
import ArgumentParser
import CSignals
import Cluster
import Coordinator
import Ensembles
import Foundation
import Search
import Storage
import TensorCore
import Training

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
        try SweepJob(options: options).start { log in
            // Absolute, so that workers (and a later resume, reading the copy in the run
            // directory) resolve the sweep's relative data paths from the same place.
            let spec = try SweepSpec.loadForTraining(path: URL(fileURLWithPath: sweep).standardizedFileURL.path)
            try preflight(spec)
            let run = RunDirectory(dir ?? RunDirectory.defaultPath(name: spec.name))
            guard !run.exists else { throw CoordinatorError("\(run.url.path) already holds a sweep; use `hpsearch resume \(run.url.path)` or another --dir") }
            try run.create()
            try spec.text.write(toFile: run.sweepCopyPath, atomically: true, encoding: .utf8)
            log("run directory: \(run.url.path)")
            return SweepPlan.search(spec, run)
        }
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
        try SweepJob(options: options).start { log in
            let run = RunDirectory(runDirectory)
            guard run.exists else { throw CoordinatorError("\(runDirectory) holds no sweep (no sweep.db); start one with `hpsearch run`") }
            let store = try SQLiteStore(path: run.storePath, readOnly: true)
            if let parent = try store.sweep()?.environment["distillation_of"] {
                throw CoordinatorError("\(runDirectory) is the distillation sweep of \(parent): continue it with `hpsearch distill \(parent)`")
            }
            let spec = try SweepJob.spec(of: run, store: store)
            log("resuming \(run.url.path)")
            return SweepPlan.search(spec, run)
        }
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
}

/// What rank 0 runs: the sweep, where, and what to do once it is complete.
struct SweepPlan {
    var spec: SweepSpec
    var run: RunDirectory
    /// Replaces the sampler the spec names (the distillation sweep's).
    var sampler: (any Sampler)?
    /// Sent to every worker in its welcome.
    var payload: [UInt8] = []
    /// Trains students in the size-1 world.
    var teacher: Teacher?
    /// The data, when `prepare` loaded it already.
    var data: PreparedData?
    /// Extra facts for the store's sweep record.
    var environment: [String: String] = [:]
    /// Called on rank 0 once every trial has finished, also when nothing was left to run when
    /// `finishWhenAlreadyComplete`.
    var finish: (_ store: SQLiteStore, _ data: () throws -> PreparedData) throws -> Void = { _, _ in }
    var finishWhenAlreadyComplete = false
    /// How the user continues an interrupted job (default: `hpsearch resume DIR`).
    var resumeCommand: String?
    /// Objects to keep alive until the job ends (locks).
    var keepAlive: [AnyObject] = []

    /// A search: the sweep file's ensemble is built at the end when it asks for one.
    static func search(_ spec: SweepSpec, _ run: RunDirectory) -> SweepPlan {
        var plan = SweepPlan(spec: spec, run: run)
        plan.finish = { store, data in
            guard let e = spec.ensemble else { return }
            // The sweep file asks for an ensemble: build it now from the stored predictions.
            let report = try EnsembleBuilder(spec: spec, store: store, run: run, data: data()).build(top: e.topK, method: e.method)
            print(EnsembleTable.render(report))
        }
        return plan
    }
}

/// What `run`, `resume` and `distill` share: the world, the rank roles, the store, the final table.
struct SweepJob {
    let options: RunOptions

    /// The sweep a run directory holds: the copy's text, anchored where the original sweep file
    /// was (so relative data paths resolve as they did).
    static func spec(of run: RunDirectory, store: any Store) throws -> SweepSpec {
        let original = try store.sweep()?.environment["sweep_file"] ?? run.sweepCopyPath
        let text = try String(contentsOfFile: run.sweepCopyPath, encoding: .utf8)
        let spec = try SweepSpec.parse(yaml: text, file: original, vocabulary: TrainingConfig.vocabulary)
        try spec.validateForTraining()
        return spec
    }

    /// Runs the job on this rank: workers train what rank 0 hands out; rank 0 calls `prepare`
    /// (only there) and coordinates.
    func start(prepare: (_ log: @escaping (String) -> Void) throws -> SweepPlan) throws {
        Allocator.keepFreedMemory()
        let communicator: any Communicator = MPICommunicator.launchedByMPI ? try MPICommunicator() : LocalCommunicator.world(size: 1)[0]
        defer { (communicator as? MPICommunicator)?.finalize() }
        let localRanks = max(1, Int(ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"] ?? "") ?? 1)
        // Rank 0 of a multi-rank job mostly waits (~1% of a core): one thread, and the workers
        // on its node share all the cores. Elsewhere workers share their node's cores.
        let fallback = communicator.rank == 0 && communicator.size > 1 ? 1 : max(1, BLAS.cores / localRanks)
        if let t = options.threads { BLAS.setThreads(max(1, t)) } else { try BLAS.configureThreads(fallback: fallback) }
        if communicator.rank != 0 {
            var worker = WorkerLoop(communicator: communicator)
            if options.threads == nil {
                worker.configureThreads = { host in
                    let workersHere = host == ProcessInfo.processInfo.hostName ? max(localRanks - 1, 1) : localRanks
                    _ = try? BLAS.configureThreads(fallback: max(1, BLAS.cores / workersHere))
                }
            }
            try worker.run()
            return
        }
        let monitor = SweepMonitor(quiet: options.quiet, jsonLogs: options.jsonLogs)
        let log: (String) -> Void = { monitor.log($0) }
        let plan: SweepPlan
        do {
            plan = try prepare(log)
        } catch {
            // Nothing may start: release every worker before reporting.
            for r in 1..<max(communicator.size, 1) { try? communicator.send(.shutdown, to: r) }
            throw error
        }
        do {
            try coordinate(plan, communicator: communicator, monitor: monitor)
        } catch let error as ExitCode {
            throw error
        } catch {
            // Workers wait on rank 0: finalizing would hang the job. Say why, then end every rank.
            if let mpi = communicator as? MPICommunicator, communicator.size > 1 {
                logLine("Error: \(error)")
                mpi.abort(code: 1)
            }
            throw error
        }
    }

    /// Rank 0 after `prepare`: the store, the loop, the final table and `plan.finish`.
    private func coordinate(_ plan: SweepPlan, communicator: any Communicator, monitor: SweepMonitor) throws {
        let log: (String) -> Void = { monitor.log($0) }
        let spec = plan.spec, run = plan.run
        defer { withExtendedLifetime(plan.keepAlive) {} }
        let lock = try RunLock(run)
        defer { withExtendedLifetime(lock) {} }
        let store = try SQLiteStore(path: run.storePath)
        if try store.sweep() == nil {
            try store.setSweep(SweepRecord(name: spec.name, seed: spec.seed, specText: spec.text,
                                           environment: ["sweep_file": spec.file, "ranks": "\(communicator.size)", "host": ProcessInfo.processInfo.hostName,
                                                         "blas_threads": "\(BLAS.threads)", "hpsearch": HPSearch.configuration.version]
                                               .merging(plan.environment) { _, new in new }))
        }
        let coordinator = SweepCoordinator(spec: spec, store: store, run: run, sampler: plan.sampler)
        try coordinator.prepare()
        coordinator.onEvent = { [unowned coordinator] event in monitor.event(event, metric: spec.metric.name) { coordinator.progress } }
        // Rank 0 needs the data to train (size-1 world) or to evaluate at the end; loaded once.
        var loaded = plan.data
        func data() throws -> PreparedData {
            if let loaded { return loaded }
            let d = try PreparedData.load(spec.data, seed: spec.seed)
            loaded = d
            return d
        }
        let started = Date(), cpuStart = Self.cpuSeconds()
        hps_install_stop_handlers()
        let stopRequested = { hps_stop_signal() != 0 }
        guard !coordinator.isComplete else {
            for r in 1..<max(communicator.size, 1) { try communicator.send(.shutdown, to: r) }
            print(StatusTable.render(trials: try store.trials(), spec: spec, limit: 10))
            print("nothing left to run: every trial of \(run.url.path) has finished")
            if plan.finishWhenAlreadyComplete { try plan.finish(store, data) }
            return
        }
        log("sweep \(spec.name): \(spec.budget.trials) trials × ≤ \(spec.budget.maxEpochs) epochs, \(communicator.size) rank(s)\(communicator.size == 1 ? " (training in this process)" : ", \(communicator.size - 1) worker(s)")")
        var unresponsive: [Int] = []
        if communicator.size == 1 {
            var runner = TrialRunner(spec: spec, data: try data(), teacher: plan.teacher)
            runner.faults = try FaultInjection.fromEnvironment()
            var loop = LocalLoop(coordinator: coordinator, runner: runner)
            loop.shouldStop = stopRequested
            try loop.run()
        } else {
            var loop = CoordinatorLoop(coordinator: coordinator, communicator: communicator)
            loop.payload = plan.payload
            loop.workerTimeout = options.workerTimeout > 0 ? options.workerTimeout : nil
            loop.heartbeatTimeout = options.heartbeatTimeout > 0 ? options.heartbeatTimeout : nil
            loop.shouldStop = stopRequested
            unresponsive = try loop.run().unresponsive
        }
        monitor.finish()
        let resume = plan.resumeCommand ?? "hpsearch resume \(run.url.path)"
        if stopRequested() {
            print(StatusTable.render(trials: try store.trials(), spec: spec, limit: 10))
            let signal = hps_stop_signal() == SIGINT ? "SIGINT" : "SIGTERM"
            logLine("stopped by \(signal): the trials in flight are recorded lost; `\(resume)` continues the sweep")
            let code = 128 + Int(hps_stop_signal())
            (communicator as? MPICommunicator)?.abort(code: code)
            throw ExitCode(Int32(code))
        }
        defer {
            if !unresponsive.isEmpty {
                // The sweep is recorded; a hung rank would keep mpirun waiting for ever.
                logLine("rank(s) \(unresponsive.map(String.init).joined(separator: ", ")) died or stopped answering and were given up\(coordinator.isComplete ? " (their trials ran on other ranks)" : ""); ending the job with MPI_Abort to stop them")
                (communicator as? MPICommunicator)?.abort(code: 3)
            }
        }
        guard coordinator.isComplete else {
            print(StatusTable.render(trials: try store.trials(), spec: spec, limit: 10))
            let why = coordinator.trials.compactMap { $0.state == .lost ? $0.message : nil }.first ?? "every worker stopped"
            throw CoordinatorError("the sweep is incomplete: \(why). Fix the cause, then `\(resume)`")
        }
        print(StatusTable.render(trials: try store.trials(), spec: spec, limit: 10))
        let wall = Date().timeIntervalSince(started), cpu = Self.cpuSeconds() - cpuStart
        try plan.finish(store, data)
        let rank0 = communicator.size > 1 ? String(format: "; rank 0 used %.1f%% of a core", 100 * cpu / max(wall, 1e-9)) : ""
        print(String(format: "%d trials in %.1f s%@; results in %@", coordinator.trials.count, wall, rank0, run.url.path))
    }

    /// User + system CPU seconds of this process.
    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }
}
