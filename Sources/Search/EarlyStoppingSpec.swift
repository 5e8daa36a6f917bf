// EarlyStoppingSpec: per-trial patience plus the cross-trial scheduler.

/// `patience`: stop a trial after this many epochs without an improvement of more than
/// `minDelta` (nil: no patience rule). `scheduler`: the cross-trial rule.
public struct EarlyStoppingSpec: Sendable, Hashable {
    public var patience: Int?
    public var minDelta: Double
    public var scheduler: SchedulerSpec

    public init(patience: Int? = nil, minDelta: Double = 0, scheduler: SchedulerSpec = .none) {
        self.patience = patience
        self.minDelta = minDelta
        self.scheduler = scheduler
    }
}
