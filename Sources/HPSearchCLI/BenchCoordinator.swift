// `hpsearch bench coordinator`: the coordinator's own throughput with a no-op trainer (each trial
// reports `--epochs` epochs and finishes), persisting to SQLite (or memory) like a real sweep.
import ArgumentParser
import Coordinator
import Foundation

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

    func run() throws {
        let driver = SweepDriver(communicator: try SweepDriver.launch())
        defer { driver.finalize() }
        guard let r = try CoordinatorBenchmark(trials: trials, epochs: epochs, sqlite: store == "sqlite").run(on: driver.communicator) else { return }
        let out: [String: Any] = ["trials_per_s": r.trialsPerSecond, "reports_per_s": r.reportsPerSecond,
                                  "workers": r.workers, "store": store, "trials": trials, "epochs": epochs, "seconds": r.seconds]
        if json { try printJSON(out) } else {
            print(String(format: "%d trials × %d epoch reports, %d worker(s)%@, store %@: %.0f trials/s, %.0f reports/s (%.2f s)",
                         trials, epochs, r.workers, driver.communicator.size == 1 ? " (in-process)" : "", store,
                         r.trialsPerSecond, r.reportsPerSecond, r.seconds))
        }
    }
}
