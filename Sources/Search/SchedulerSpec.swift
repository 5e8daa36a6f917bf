// SchedulerSpec: the early-stopping scheduler that cuts unpromising trials short.

/// Which trials stop before `budget.max_epochs`. Epoch counts are ≥ 1, reduction factors ≥ 2, and
/// `graceEpochs` ≤ `budget.max_epochs`.
public enum SchedulerSpec: Sendable, Hashable {
    /// Every trial trains to the end (or to its own patience).
    case none
    /// Stop a trial whose best metric after an epoch is worse than the median of other trials at
    /// that epoch; never before `graceEpochs`, and only once `minTrials` trials reached the epoch.
    case median(graceEpochs: Int, minTrials: Int)
    /// Asynchronous successive halving: rungs at graceEpochs·rᵏ; at each rung a trial continues
    /// only if it is in the top 1/r of the trials that reached that rung.
    case asha(graceEpochs: Int, reductionFactor: Int)
    /// Several ASHA brackets with different grace periods; `brackets` nil means as many as fit.
    case hyperband(graceEpochs: Int, reductionFactor: Int, brackets: Int?)

    /// The sweep file's `type` for this scheduler.
    public var type: String {
        switch self {
        case .none: "none"
        case .median: "median"
        case .asha: "asha"
        case .hyperband: "hyperband"
        }
    }
}
