// MedianScheduler: the `median` scheduler family, registering `MedianStopper`.

/// `scheduler: median`: stop a trial whose best metric after an epoch is worse than the median of
/// the other trials' running averages at that epoch; never before `grace_epochs`, and only once
/// `min_trials` other trials reached the epoch (`MedianStopper`).
public struct MedianScheduler: SchedulerFamily {
    /// Other trials that must have reached an epoch before the rule decides there.
    public static let minTrials = SchedulerKey(
        name: "min_trials", summary: "other trials that must have reached an epoch before the rule decides there",
        defaultValue: 5, minimum: 1)

    public init() {}

    public var name: String { "median" }
    public var summary: String {
        "median stopping rule (Vizier): stop a trial whose best value is worse than the median of the others' running averages"
    }
    public var keys: [SchedulerKey] { [.graceEpochs, Self.minTrials] }
    /// Three epochs of grace: the rule compares running averages, which the first epochs dominate.
    public var example: [String: Int] { [SchedulerKey.graceEpochs.name: 3] }

    public func make(_ spec: SchedulerSpec, goal: Goal, maxEpochs: Int) -> (any Stopper)? {
        MedianStopper(graceEpochs: spec[.graceEpochs]!, minTrials: spec[Self.minTrials]!, goal: goal, maxEpochs: maxEpochs)
    }
}
