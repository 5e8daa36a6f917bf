// TrialState: where a trial is in its life, as the store records it.

public enum TrialState: String, Sendable, Codable, CaseIterable {
    /// Sampled, not yet handed to a worker.
    case pending
    /// On a worker.
    case running
    /// Ran its whole epoch budget.
    case completed
    /// Its own patience ran out (best weights kept).
    case earlyStopped = "early_stopped"
    /// The sweep's stopper (median, ASHA, Hyperband) ended it.
    case pruned
    /// The sweep's time budget was spent, its `stop_when` target reached, or the trial's own
    /// `budget.trial_time` used up: it ended after the epoch it was in (best weights kept; the
    /// message says which).
    case stopped
    /// NaN/Inf or exploding loss.
    case diverged
    /// The worker threw an error (message stored).
    case failed
    /// Its worker died or went silent; `resume` runs it again.
    case lost

    /// Finished for good: never run again, not even by `resume`.
    public var isFinished: Bool {
        switch self {
        case .completed, .earlyStopped, .pruned, .stopped, .diverged, .failed: return true
        case .pending, .running, .lost: return false
        }
    }

    /// Produced a usable model (candidates for the ensemble).
    public var hasModel: Bool { self == .completed || self == .earlyStopped || self == .pruned || self == .stopped }
}
