// `hpsearch simulate`: the real coordinator (sampler, stopper, SQLite store) against simulated
// workers with synthetic learning curves on a virtual clock — rank 0's throughput and memory at
// scales no test machine can train, and schedulers compared at equal budget.
import ArgumentParser
import Coordinator
import Foundation
import Search
import Storage
import Training

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drive the coordinator with simulated workers and synthetic learning curves (no MPI, no training).",
        discussion: """
        Curves: loss(e) = floor(config) + gap·e^(−rate) + noise, the floor a bowl in log learning rate and log width \
        (see SweepSimulation.Curve). Regret: the true floor of the trial the sweep would pick (best observed value) minus \
        the best floor of the space. --compare runs \(Schedulers.names("and")) at the same trial budget.
        """
    )

    @Option(help: "Simulated workers.") var workers = 10_000
    @Option(help: "Trials (the budget).") var trials = 200_000
    @Option(help: ArgumentHelp(Schedulers.names("or") + ".")) var scheduler = "asha"
    @Option(help: "Epochs per trial at most.") var maxEpochs = 27
    @Option(help: "sqlite (a temporary run directory) or memory.") var store = "sqlite"
    @Option(help: "Sweep seed.") var seed: UInt64 = 0
    @Flag(help: "Run every scheduler at the same budget and print a table.") var compare = false
    @Flag(help: "One JSON object: {reports_per_s, decisions_per_s, peak_rss_mb, epochs_spent, epochs_full_budget, final_regret, …}.") var json = false

    func validate() throws {
        guard workers >= 1, trials >= 1, maxEpochs >= 1 else { throw ValidationError("--workers, --trials and --max-epochs must be at least 1") }
        guard Schedulers.named(scheduler) != nil else { throw ValidationError("--scheduler must be " + Schedulers.names("or")) }
        guard ["sqlite", "memory"].contains(store) else { throw ValidationError("--store must be sqlite or memory") }
    }

    func spec(_ scheduler: String) throws -> SweepSpec {
        guard let family = Schedulers.named(scheduler) else { throw ValidationError("--scheduler must be " + Schedulers.names("or")) }
        let rule = SchedulerSpec(family, family.example).yaml
        return try SweepSpec.parse(yaml: """
        name: simulated-\(scheduler)
        seed: \(seed)
        model: mlp
        metric: {name: val_loss, goal: minimize}
        budget: {trials: \(trials), max_epochs: \(maxEpochs)}
        early_stopping: {scheduler: \(rule)}
        parameters:
          learning_rate: {distribution: log_uniform_values, min: 1.0e-5, max: 1.0e-1}
          width: {distribution: q_log_uniform_values, min: 16, max: 4096, q: 16}
        """, file: "simulate.yaml", vocabulary: TrainingConfig.vocabulary)
    }

    func simulate(_ scheduler: String) throws -> SweepSimulation.Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hpsearch-simulate-\(getpid())-\(scheduler)")
        try? FileManager.default.removeItem(at: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = RunDirectory(dir.path)
        try run.create()
        let backing: any Store = store == "sqlite" ? try SQLiteStore(path: run.storePath) : InMemoryStore()
        let simulation = SweepSimulation(spec: try spec(scheduler), store: backing, run: run, workers: workers)
        let tty = isatty(STDERR_FILENO) == 1
        let result = try simulation.run { done, budget in
            if tty { FileHandle.standardError.write(Data(String(format: "\r\u{1B}[2K%@: %d/%d trials", scheduler, done, budget).utf8)) }
        }
        if tty { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        return result
    }

    static func peakRSSMegabytes() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_maxrss) / 1024   // kilobytes on Linux
    }

    func row(_ scheduler: String, _ r: SweepSimulation.Result) -> [String: Any] {
        ["scheduler": scheduler, "workers": workers, "trials": r.trials, "store": store,
         "reports_per_s": r.reportsPerSecond, "decisions_per_s": r.reportsPerSecond,
         "store_writes_per_s": Double(r.storeWrites) / max(r.wallSeconds, 1e-9), "peak_rss_mb": Self.peakRSSMegabytes(),
         "epochs_spent": r.epochsSpent, "epochs_full_budget": r.epochsFullBudget, "final_regret": r.finalRegret,
         "sampled_regret": r.sampledRegret,
         "wall_seconds": r.wallSeconds, "virtual_hours": r.virtualSeconds / 3600,
         "regret_over_time": Self.sampled(r.regretOverTime).map { ["virtual_hours": $0.0 / 3600, "regret": $0.1] }]
    }

    /// At most 8 points of the regret curve (first, last and evenly spaced).
    static func sampled(_ points: [(Double, Double)]) -> [(Double, Double)] {
        guard points.count > 8 else { return points }
        return (0..<8).map { points[$0 * (points.count - 1) / 7] }
    }

    func run() throws {
        if compare {
            var rows: [[String: Any]] = []
            for s in Schedulers.names { rows.append(row(s, try simulate(s))) }
            if json { try printJSON(["compare": rows]); return }
            print(String(format: "%d trials × ≤ %d epochs, %d simulated workers, %@ store", trials, maxEpochs, workers, store))
            print("scheduler   epochs spent (of full budget)   final regret   virtual time   reports/s")
            let full = Double(rows[0]["epochs_full_budget"] as! Int)
            for r in rows {
                let spent = r["epochs_spent"] as! Int
                let name = (r["scheduler"] as! String).padding(toLength: 10, withPad: " ", startingAt: 0)
                print(name + String(format: " %10d (%5.1f%%)             %10.5f     %8.1f h     %9.0f", spent,
                             100 * Double(spent) / full, r["final_regret"] as! Double, r["virtual_hours"] as! Double, r["reports_per_s"] as! Double))
            }
            return
        }
        let r = try simulate(scheduler)
        let out = row(scheduler, r)
        if json { try printJSON(out); return }
        print(String(format: "%@: %d trials, %d workers, %@ store — %d epoch reports in %.2f s = %.0f reports/s (a decision each), %.0f store writes/s, peak RSS %.0f MB",
                     scheduler, r.trials, workers, store, r.reports, r.wallSeconds, r.reportsPerSecond, out["store_writes_per_s"] as! Double, Self.peakRSSMegabytes()))
        print(String(format: "epochs spent %d of %d for a full-budget search (%.1f%%); final regret %.4f; %.1f virtual hours",
                     r.epochsSpent, r.epochsFullBudget, 100 * Double(r.epochsSpent) / Double(r.epochsFullBudget), r.finalRegret, r.virtualSeconds / 3600))
        print("regret over time: " + Self.sampled(r.regretOverTime).map { String(format: "%.1f h → %.4f", $0.0 / 3600, $0.1) }.joined(separator: ", "))
    }
}
