// NoScheduler: the `none` scheduler family — no cross-trial rule.

/// `scheduler: none`: no trial is stopped for how it compares with others; every trial trains to
/// `budget.max_epochs` or to its own patience. It makes no stopper (rank 0 runs a `NoStopper`).
public struct NoScheduler: SchedulerFamily {
    public init() {}

    public var name: String { "none" }
    public var summary: String { "no cross-trial rule: every trial trains to the end (or to its own patience)" }
    public var keys: [SchedulerKey] { [] }

    public func make(_ spec: SchedulerSpec, goal: Goal, maxEpochs: Int) -> (any Stopper)? { nil }
}
