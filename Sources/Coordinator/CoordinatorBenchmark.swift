// CoordinatorBenchmark: rank 0's own throughput with no-op trials (each reports `epochs` epochs
// and finishes), persisting to SQLite (or memory) like a real sweep; `hpsearch bench coordinator`.
import Cluster
import Foundation
import Search
import Storage
import Training

public struct CoordinatorBenchmark {
    public var trials: Int
    public var epochs: Int
    /// SQLite in a temporary run directory, else the in-memory store.
    public var sqlite: Bool

    public struct Result: Sendable {
        public var trialsPerSecond: Double
        public var reportsPerSecond: Double
        public var workers: Int
        public var seconds: Double
    }

    public init(trials: Int, epochs: Int, sqlite: Bool) {
        self.trials = trials
        self.epochs = epochs
        self.sqlite = sqlite
    }

    /// The benchmark's sweep: `trials` configurations of four parameters, `epochs` each.
    public static func spec(trials: Int, epochs: Int) throws -> SweepSpec {
        try SweepSpec.parse(yaml: """
        name: coordinator-bench
        seed: 1
        model: mlp
        budget: {trials: \(trials), max_epochs: \(epochs)}
        parameters:
          learning_rate: {distribution: log_uniform_values, min: 1.0e-5, max: 1.0e-1}
          width: {distribution: int_uniform, min: 16, max: 4096}
          dropout: {distribution: uniform, min: 0.0, max: 0.5}
          optimizer: {values: [adam, adamw, sgd]}
        """, file: "coordinator-bench.yaml", vocabulary: TrainingConfig.vocabulary)
    }

    /// Runs on this rank of `communicator`'s world: workers answer with no-op trials and return
    /// nil; rank 0 drives the sweep (in process when the world has one rank) and returns the figures.
    public func run(on communicator: any Communicator) throws -> Result? {
        if communicator.rank != 0 {
            var worker = WorkerLoop(communicator: communicator)
            worker.makeExecutor = { _, _ in SyntheticTrials() }
            try worker.run()
            return nil
        }
        let spec = try Self.spec(trials: trials, epochs: epochs)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hpsearch-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = RunDirectory(dir.path)
        try run.create()
        let backing: any Store = sqlite ? try SQLiteStore(path: run.storePath) : InMemoryStore()
        try backing.setSweep(SweepRecord(name: spec.name, seed: spec.seed, specText: spec.text))
        let coordinator = SweepCoordinator(spec: spec, store: backing, run: run)
        try coordinator.prepare()
        let started = Date()
        if communicator.size == 1 {
            try LocalLoop(coordinator: coordinator, runner: SyntheticTrials()).run()
        } else {
            try CoordinatorLoop(coordinator: coordinator, communicator: communicator).run()
        }
        let seconds = Date().timeIntervalSince(started)
        let reports = try backing.allEpochs().count
        let done = try backing.trials().filter { $0.state.isFinished }.count
        guard done == trials else { throw CoordinatorError("only \(done) of \(trials) trials finished") }
        return Result(trialsPerSecond: Double(trials) / seconds, reportsPerSecond: Double(reports) / seconds,
                      workers: max(communicator.size - 1, 1), seconds: seconds)
    }
}
