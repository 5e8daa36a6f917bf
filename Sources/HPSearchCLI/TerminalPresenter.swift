// TerminalPresenter: what `run`, `resume` and `distill` show on rank 0: the monitor's progress
// on standard error, the trials table, the ensemble or distillation table and the closing line on
// standard output.
import Coordinator
import Foundation
import Storage

final class TerminalPresenter: SweepPresenter {
    let monitor: SweepMonitor
    /// Print the distillation report as one JSON object instead of a table.
    let json: Bool

    init(monitor: SweepMonitor, json: Bool = false) {
        self.monitor = monitor
        self.json = json
    }

    func log(_ line: String) { monitor.log(line) }

    func event(_ event: SweepEvent, metric: String, progress: () -> SweepProgress) {
        monitor.event(event, metric: metric, progress: progress)
    }

    func loopEnded() { monitor.finish() }

    func ended(_ outcome: SweepOutcome) throws {
        print(StatusTable.render(trials: try outcome.store.trials(), spec: outcome.spec, limit: 10))
        switch outcome.status {
        case .alreadyComplete:
            if let ending = outcome.ending {
                print("nothing left to run: \(outcome.run.url.path) ended early (\(ending)); `hpsearch resume \(outcome.run.url.path) --trials N --time T` extends it")
            } else {
                print("nothing left to run: every trial of \(outcome.run.url.path) has finished; `hpsearch resume \(outcome.run.url.path) --trials N` extends it")
            }
        case .stopped(let signal):
            logLine("stopped by \(signal == SIGINT ? "SIGINT" : "SIGTERM"): the trials in flight are recorded lost; `\(outcome.resumeCommand)` continues the sweep")
        case .completed, .incomplete:
            break
        }
    }

    func finished(_ outcome: SweepOutcome) throws {
        if let e = outcome.ensemble { print(EnsembleTable.render(e)) }
        if let d = outcome.distillation {
            if json { try printJSON(DistillTable.json(d)) } else { print(DistillTable.render(d)) }
        }
        guard outcome.status == .completed else { return }
        if let ending = outcome.ending {
            print("ended early: \(ending); `hpsearch resume \(outcome.run.url.path) --trials N --time T` extends it")
        }
        let rank0 = outcome.rank0CoreShare.map { String(format: "; rank 0 used %.1f%% of a core", 100 * $0) } ?? ""
        print(String(format: "%d trials in %.1f s%@; results in %@", outcome.trials, outcome.seconds, rank0, outcome.run.url.path))
    }
}
