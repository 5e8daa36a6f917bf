// SweepDriver: everything `hpsearch run`, `resume` and `distill` do besides parsing arguments
// and printing: the world (MPI or this process), each rank's BLAS threads, the worker loop on
// ranks ≥ 1, and on rank 0 the lock, the store, the loop (in-process or over the communicator),
// signals, the plan's last step (ensemble, distillation report) and ending a job that cannot end
// by itself (MPI_Abort). The CLI and the tests drive this one type.
import CSignals
import Cluster
import Ensembles
import Foundation
import Search
import Storage
import TensorCore
import Training

public struct SweepDriver {
    public struct Options: Sendable {
        /// BLAS threads per rank; nil: HPSEARCH_BLAS_THREADS, else cores ÷ ranks on the node.
        public var threads: Int?
        /// Seconds a worker holding a trial may go without an epoch before it is given up (nil: never).
        public var workerTimeout: Double? = 1800
        /// Seconds a worker holding a trial may send nothing before it is given up as lost (nil: never).
        public var heartbeatTimeout: Double? = 10
        /// Workers: seconds between heartbeats while training (nil: none).
        public var heartbeatInterval: Double? = WorkerLoop.defaultHeartbeatInterval
        /// SIGINT/SIGTERM end the sweep cleanly (trials in flight recorded lost). Off in tests
        /// that drive a sweep in process, which use `shouldStop` instead.
        public var handleSignals = true
        /// The version recorded in the store's sweep record.
        public var version = "unknown"
        public init() {}
    }

    public let communicator: any Communicator
    public var options: Options
    /// Rank 0, size-1 world: how this process trains a trial (default: the built-in trainer, with
    /// `HPSEARCH_FAULT` injection).
    public var makeLocalExecutor: ((SweepSpec, PreparedData, Teacher?) throws -> any TrialExecutor)?
    /// Workers: how a worker trains (default: `WorkerLoop`'s built-in trainer).
    public var makeWorkerExecutor: ((SweepSpec, [UInt8]) throws -> any TrialExecutor)?
    /// Asked between messages and epochs on rank 0 (besides the signals, when handled).
    public var shouldStop: () -> Bool = { false }

    public init(communicator: any Communicator, options: Options = Options()) {
        self.communicator = communicator
        self.options = options
    }

    /// The world this process belongs to: MPI when started by mpirun, else a world of one.
    public static func launch() throws -> any Communicator {
        MPICommunicator.launchedByMPI ? try MPICommunicator() : LocalCommunicator.world(size: 1)[0]
    }

    /// Ends MPI for this process (after its last message); nothing in a world of one.
    public func finalize() {
        (communicator as? MPICommunicator)?.finalize()
    }

    /// Ranks of this job on this node.
    static var localRanks: Int { max(1, Int(ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"] ?? "") ?? 1) }

    /// Sets this rank's BLAS threads: `options.threads`, else HPSEARCH_BLAS_THREADS, else rank 0
    /// of a multi-rank job takes 1 (it mostly waits, ~1% of a core) and everyone else shares the
    /// node's cores.
    public func configureThreads() throws {
        let fallback = communicator.rank == 0 && communicator.size > 1 ? 1 : max(1, BLAS.cores / Self.localRanks)
        if let t = options.threads { BLAS.setThreads(max(1, t)) } else { try BLAS.configureThreads(fallback: fallback) }
    }

    /// Runs the job on this rank: workers train what rank 0 hands out and return nil; rank 0 calls
    /// `prepare` (only there), coordinates and returns the outcome. When `prepare` throws, every
    /// worker is released first; when coordinating throws in a multi-rank job, the job is ended
    /// (workers wait on rank 0, so finalizing would hang).
    public func run(presenter: any SweepPresenter, prepare: (_ log: @escaping (String) -> Void) throws -> SweepPlan) throws -> SweepOutcome? {
        Allocator.keepFreedMemory()
        try configureThreads()
        if communicator.rank != 0 {
            try work()
            return nil
        }
        let plan: SweepPlan
        do {
            plan = try prepare { [presenter] in presenter.log($0) }
        } catch {
            for r in 1..<max(communicator.size, 1) { try? communicator.send(.shutdown, to: r) }
            throw error
        }
        do {
            return try coordinate(plan, presenter: presenter)
        } catch {
            if let mpi = communicator as? MPICommunicator, communicator.size > 1 {
                presenter.log("Error: \(error)")
                mpi.abort(code: 1)
            }
            throw error
        }
    }

    /// A worker rank: trains until rank 0 says shut down.
    public func work() throws {
        var worker = WorkerLoop(communicator: communicator)
        worker.heartbeatInterval = options.heartbeatInterval
        if let make = makeWorkerExecutor { worker.makeExecutor = make }
        if options.threads == nil {
            let localRanks = Self.localRanks
            worker.configureThreads = { host in
                // A worker sharing rank 0's node leaves it a core's share, not more.
                let workersHere = host == ProcessInfo.processInfo.hostName ? max(localRanks - 1, 1) : localRanks
                _ = try? BLAS.configureThreads(fallback: max(1, BLAS.cores / workersHere))
            }
        }
        try worker.run()
    }

    /// Rank 0: runs `plan` to its end over this driver's communicator.
    public func coordinate(_ plan: SweepPlan, presenter: any SweepPresenter) throws -> SweepOutcome {
        let spec = plan.spec, run = plan.run
        defer { withExtendedLifetime(plan.keepAlive) {} }
        let lock = try RunLock(run)
        defer { withExtendedLifetime(lock) {} }
        let store = try SQLiteStore(path: run.storePath)
        if try store.sweep() == nil {
            try store.setSweep(SweepRecord(name: spec.name, seed: spec.seed, specText: spec.text,
                                           environment: ["sweep_file": spec.file, "ranks": "\(communicator.size)", "host": ProcessInfo.processInfo.hostName,
                                                         "blas_threads": "\(BLAS.threads)", "blas_core": BLAS.coreName, "hpsearch": options.version]
                                               .merging(plan.environment) { _, new in new }))
        }
        if let ext = plan.budgetExtension, var record = try store.sweep() {
            record.environment[StoredSweep.budgetTrialsKey] = ext.trials.map(String.init) ?? record.environment[StoredSweep.budgetTrialsKey]
            record.environment[StoredSweep.budgetTimeKey] = ext.time.map { String($0) } ?? record.environment[StoredSweep.budgetTimeKey]
            record.environment[SweepCoordinator.endedKey] = nil
            try store.setSweep(record)
        }
        let coordinator = SweepCoordinator(spec: spec, store: store, run: run, sampler: plan.sampler)
        try coordinator.prepare()
        coordinator.onEvent = { [unowned coordinator] event in presenter.event(event, metric: spec.metric.name) { coordinator.progress } }
        // Rank 0 needs the data to train (size-1 world) or to evaluate at the end; loaded once.
        var loaded = plan.data
        func data() throws -> PreparedData {
            if let loaded { return loaded }
            let d = spec.program != nil ? try ProgramData.prepared(run: run, store: store, spec: spec) : try PreparedData.load(spec.data, seed: spec.seed)
            loaded = d
            return d
        }
        var outcome = SweepOutcome(status: .completed, spec: spec, run: run, store: store, trials: coordinator.trials.count, seconds: 0,
                                   rank0CoreShare: nil, unresponsive: [], resumeCommand: plan.resumeCommand)
        let started = Date(), cpuStart = Self.cpuSeconds()
        if options.handleSignals { hps_install_stop_handlers() }
        let handleSignals = options.handleSignals, stopHook = shouldStop
        let stopRequested = { (handleSignals && hps_stop_signal() != 0) || stopHook() }

        guard !coordinator.isComplete else {
            for r in 1..<max(communicator.size, 1) { try communicator.send(.shutdown, to: r) }
            outcome.status = .alreadyComplete
            outcome.ending = coordinator.ending
            try presenter.ended(outcome)
            if case .distillation = plan.kind {
                try finish(plan, &outcome, data: data)
                try presenter.finished(outcome)
            }
            return outcome
        }
        let left = spec.budget.time.map { " (\(Budget.format(seconds: max(0, $0 - coordinator.secondsSpent).rounded())) left)" } ?? ""
        presenter.log("sweep \(spec.name): \(spec.budget.summary)\(left) × ≤ \(spec.budget.maxEpochs) epochs, \(communicator.size) rank(s)\(communicator.size == 1 ? " (training in this process)" : ", \(communicator.size - 1) worker(s)")")
        if communicator.size == 1 {
            let runner: any TrialExecutor
            if let make = makeLocalExecutor {
                runner = try make(spec, try data(), plan.teacher)
            } else if spec.program != nil {
                var program = try ProgramExecutor(spec: spec)
                program.teacher = plan.teacher
                runner = program
            } else {
                var trainer = TrialRunner(spec: spec, data: try data(), teacher: plan.teacher)
                trainer.faults = try FaultInjection.fromEnvironment()
                runner = trainer
            }
            var loop = LocalLoop(coordinator: coordinator, runner: runner)
            loop.shouldStop = stopRequested
            try loop.run()
        } else {
            var loop = CoordinatorLoop(coordinator: coordinator, communicator: communicator)
            loop.payload = plan.payload
            loop.workerTimeout = options.workerTimeout.flatMap { $0 > 0 ? $0 : nil }
            loop.heartbeatTimeout = options.heartbeatTimeout.flatMap { $0 > 0 ? $0 : nil }
            loop.shouldStop = stopRequested
            outcome.unresponsive = try loop.run().unresponsive
        }
        presenter.loopEnded()
        try coordinator.saveClock()
        outcome.trials = coordinator.trials.count
        outcome.ending = coordinator.ending
        if stopRequested() {
            let signal = handleSignals && hps_stop_signal() != 0 ? hps_stop_signal() : SIGTERM
            outcome.status = .stopped(signal: signal)
            try presenter.ended(outcome)
            (communicator as? MPICommunicator)?.abort(code: Int(outcome.exitCode))
            return outcome
        }
        defer {
            if !outcome.unresponsive.isEmpty {
                // The sweep is recorded; a hung rank would keep mpirun waiting for ever.
                presenter.log("rank(s) \(outcome.unresponsive.map(String.init).joined(separator: ", ")) died or stopped answering and were given up\(coordinator.isComplete ? " (their trials ran on other ranks)" : ""); ending the job with MPI_Abort to stop them")
                (communicator as? MPICommunicator)?.abort(code: 3)
            }
        }
        guard coordinator.isComplete else {
            let why = coordinator.trials.compactMap { $0.state == .lost ? $0.message : nil }.first ?? "every worker stopped"
            outcome.status = .incomplete(reason: why)
            try presenter.ended(outcome)
            throw CoordinatorError("the sweep is incomplete: \(why). Fix the cause, then `\(plan.resumeCommand)`")
        }
        try presenter.ended(outcome)
        do {
            if spec.program == nil { try storeTransform(of: try data(), in: run) }
        } catch {
            // The sweep is recorded; what was fitted can be refitted from the data later.
            presenter.log("note: \(RunDirectory.transformFile) not written: \(error)")
        }
        try finish(plan, &outcome, data: data)
        let wall = Date().timeIntervalSince(started), cpu = Self.cpuSeconds() - cpuStart
        outcome.seconds = wall
        outcome.rank0CoreShare = communicator.size > 1 ? cpu / max(wall, 1e-9) : nil
        try presenter.finished(outcome)
        return outcome
    }

    /// The plan's last step, once every trial has finished: the search's ensemble (when the sweep
    /// file asks for one) or the distillation's report.
    func finish(_ plan: SweepPlan, _ outcome: inout SweepOutcome, data: () throws -> PreparedData) throws {
        switch plan.kind {
        case .search:
            guard let e = plan.spec.ensemble else { return }
            outcome.ensemble = try EnsembleBuilder(spec: plan.spec, store: outcome.store, run: plan.run, data: data())
                .build(top: e.topK, method: e.method)
        case .distillation(let d):
            outcome.distillation = try d.distiller.report(ensemble: d.ensemble, sweep: d.sweep, store: outcome.store, run: plan.run)
        }
    }

    /// Writes `RUN_DIR/transform.json`: everything fitted on the training split (standardisation,
    /// vocabularies, imputation), so the run's models can be applied to new raw inputs later.
    func storeTransform(of data: PreparedData, in run: RunDirectory) throws {
        guard let transform = data.transform, !FileManager.default.fileExists(atPath: run.transformPath) else { return }
        try run.write(Array(try transform.json()), to: RunDirectory.transformFile)
    }

    /// User + system CPU seconds of this process.
    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }
}
