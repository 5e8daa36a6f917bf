// `hpsearch bench coordinator`: the coordinator's own throughput with a no-op trainer (each trial
// reports `--epochs` epochs and finishes), persisting to SQLite (or memory) like a real sweep.
import ArgumentParser
import Cluster
import Coordinator
import Foundation
import Search
import Storage
import Training

struct CoordinatorBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Trials/s and epoch reports/s through rank 0 with no-op trials (run under mpirun for workers, or alone for a size-1 world)."
    )

    @Option(help: "Trials in the sweep.")
    var trials = 2000

    @Option(help: "Epoch reports per trial.")
    var epochs = 10

    @Option(help: "sqlite or memory.")
    var store = "sqlite"

    @Flag(help: "Print one JSON object: {trials_per_s, reports_per_s, workers, store, trials, epochs, seconds}.")
    var json = false

    func validate() throws {
        guard trials >= 1, epochs >= 1 else { throw ValidationError("--trials and --epochs must be at least 1") }
        guard store == "sqlite" || store == "memory" else { throw ValidationError("--store is sqlite or memory") }
    }

    static func spec(trials: Int, epochs: Int) throws -> SweepSpec {
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

    func run() throws {
        let communicator: any Communicator = MPICommunicator.launchedByMPI ? try MPICommunicator() : LocalCommunicator.world(size: 1)[0]
        defer { (communicator as? MPICommunicator)?.finalize() }
        if communicator.rank != 0 {
            var worker = WorkerLoop(communicator: communicator)
            worker.makeExecutor = { _, _ in SyntheticTrials() }
            try worker.run()
            return
        }
        let spec = try Self.spec(trials: trials, epochs: epochs)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hpsearch-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = RunDirectory(dir.path)
        try run.create()
        let backing: any Store = store == "sqlite" ? try SQLiteStore(path: run.storePath) : InMemoryStore()
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
        let out: [String: Any] = ["trials_per_s": Double(trials) / seconds, "reports_per_s": Double(reports) / seconds,
                                  "workers": max(communicator.size - 1, 1), "store": store, "trials": trials, "epochs": epochs, "seconds": seconds]
        if json { try printJSON(out) } else {
            print(String(format: "%d trials × %d epoch reports, %d worker(s)%@, store %@: %.0f trials/s, %.0f reports/s (%.2f s)",
                         trials, epochs, max(communicator.size - 1, 1), communicator.size == 1 ? " (in-process)" : "", store,
                         Double(trials) / seconds, Double(reports) / seconds, seconds))
        }
    }
}
