// `hpsearch run` and `hpsearch resume`: a sweep across the ranks of an MPI job, or in this
// process when started without mpirun.
import ArgumentParser
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
            return (spec, run)
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
            let spec = try SweepJob.spec(of: run, store: try SQLiteStore(path: run.storePath, readOnly: true))
            log("resuming \(run.url.path)")
            return (spec, run)
        }
    }
}

struct RunOptions: ParsableArguments {
    @Option(help: "BLAS threads per rank (default: HPSEARCH_BLAS_THREADS, else cores ÷ ranks on this node, at least 1).")
    var threads: Int?

    @Flag(help: "Only errors and the final table.")
    var quiet = false
}

/// What `run` and `resume` share: the world, the rank roles, the store, the final table.
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

    func start(prepare: (_ log: (String) -> Void) throws -> (SweepSpec, RunDirectory)) throws {
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
        let log: (String) -> Void = options.quiet ? { _ in } : { logLine($0) }
        let spec: SweepSpec, run: RunDirectory
        do {
            (spec, run) = try prepare(log)
        } catch {
            // Nothing may start: release every worker before reporting.
            for r in 1..<max(communicator.size, 1) { try? communicator.send(.shutdown, to: r) }
            throw error
        }
        let lock = try RunLock(run)
        defer { withExtendedLifetime(lock) {} }
        let store = try SQLiteStore(path: run.storePath)
        if try store.sweep() == nil {
            try store.setSweep(SweepRecord(name: spec.name, seed: spec.seed, specText: spec.text,
                                           environment: ["sweep_file": spec.file, "ranks": "\(communicator.size)", "host": ProcessInfo.processInfo.hostName,
                                                         "blas_threads": "\(BLAS.threads)", "hpsearch": HPSearch.configuration.version]))
        }
        let coordinator = SweepCoordinator(spec: spec, store: store, run: run)
        coordinator.onEvent = log
        try coordinator.prepare()
        let started = Date(), cpuStart = Self.cpuSeconds()
        guard !coordinator.isComplete else {
            for r in 1..<max(communicator.size, 1) { try communicator.send(.shutdown, to: r) }
            print(StatusTable.render(trials: try store.trials(), spec: spec, limit: 10))
            print("nothing left to run: every trial of \(run.url.path) has finished")
            return
        }
        log("sweep \(spec.name): \(spec.budget.trials) trials × ≤ \(spec.budget.maxEpochs) epochs, \(communicator.size) rank(s)\(communicator.size == 1 ? " (training in this process)" : ", \(communicator.size - 1) worker(s)")")
        // Rank 0 needs the data to train (size-1 world) or to evaluate the ensemble; loaded once.
        var loaded: PreparedData?
        func data() throws -> PreparedData {
            if let loaded { return loaded }
            let d = try PreparedData.load(spec.data, seed: spec.seed)
            loaded = d
            return d
        }
        if communicator.size == 1 {
            try LocalLoop(coordinator: coordinator, runner: TrialRunner(spec: spec, data: data())).run()
        } else {
            try CoordinatorLoop(coordinator: coordinator, communicator: communicator).run()
        }
        guard coordinator.isComplete else {
            print(StatusTable.render(trials: try store.trials(), spec: spec, limit: 10))
            let why = coordinator.trials.compactMap { $0.state == .lost ? $0.message : nil }.first ?? "every worker stopped"
            throw CoordinatorError("the sweep is incomplete: \(why). Fix the cause, then `hpsearch resume \(run.url.path)`")
        }
        print(StatusTable.render(trials: try store.trials(), spec: spec, limit: 10))
        let wall = Date().timeIntervalSince(started), cpu = Self.cpuSeconds() - cpuStart
        if let e = spec.ensemble {
            // The sweep file asks for an ensemble: build it now from the stored predictions.
            let report = try EnsembleBuilder(spec: spec, store: store, runDirectory: run.url, data: data()).build(top: e.topK, method: e.method)
            print(EnsembleTable.render(report))
        }
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
