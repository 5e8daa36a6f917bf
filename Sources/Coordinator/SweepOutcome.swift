// SweepOutcome: how a sweep that rank 0 drove ended, and what it produced.
import Ensembles
import Foundation
import Search
import Storage

public struct SweepOutcome {
    public enum Status: Equatable {
        /// Every trial finished in this job.
        case completed
        /// Every trial had finished before this job started: nothing ran.
        case alreadyComplete
        /// SIGINT or SIGTERM (the signal's number): the trials in flight are recorded lost.
        case stopped(signal: Int32)
        /// Every worker stopped (or was given up) before the budget was done; `reason` says why.
        case incomplete(reason: String)
    }

    public var status: Status
    public var spec: SweepSpec
    public var run: RunDirectory
    public var store: SQLiteStore
    /// Trials the sweep holds.
    public var trials: Int
    /// Wall time of this job's loop and the plan's last step.
    public var seconds: Double
    /// Rank 0's CPU time ÷ wall time (multi-rank jobs only).
    public var rank0CoreShare: Double?
    /// Ranks that died or stopped answering and were given up.
    public var unresponsive: [Int]
    /// Why the sweep ended before its trial budget (time budget spent, stop_when reached); nil otherwise.
    public var ending: String?
    /// How the user continues an interrupted job.
    public var resumeCommand: String
    /// The ensemble the sweep file's `ensemble:` section asked for (searches).
    public var ensemble: EnsembleReport?
    /// The distillation's report (distillation sweeps).
    public var distillation: DistillationReport?

    /// The process's exit status for this outcome: 0, 128 + signal, 1 when incomplete.
    public var exitCode: Int32 {
        switch status {
        case .completed, .alreadyComplete: 0
        case .stopped(let signal): 128 + signal
        case .incomplete: 1
        }
    }
}
