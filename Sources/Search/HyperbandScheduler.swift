// HyperbandScheduler: the `hyperband` scheduler family, registering `HyperbandStopper`.

/// `scheduler: hyperband`: several ASHA brackets with different grace periods, trials spread over
/// them in Hyperband's proportions (`HyperbandStopper`); `brackets` unset means as many as fit.
public struct HyperbandScheduler: SchedulerFamily {
    /// How many of the most aggressive brackets to use (1 is plain ASHA); unset: all that fit.
    public static let brackets = SchedulerKey(
        name: "brackets", summary: "how many of the most aggressive brackets to use (1 is ASHA); unset: all that fit",
        defaultValue: nil, minimum: 1)

    public init() {}

    public var name: String { "hyperband" }
    public var summary: String { "Hyperband over ASHA brackets with different grace periods (asynchronous Hyperband)" }
    public var keys: [SchedulerKey] { [.graceEpochs, .reductionFactor, Self.brackets] }

    public func make(_ spec: SchedulerSpec, goal: Goal, maxEpochs: Int) -> (any Stopper)? {
        HyperbandStopper(graceEpochs: spec[.graceEpochs]!, reductionFactor: spec[.reductionFactor]!,
                         brackets: spec[Self.brackets], goal: goal, maxEpochs: maxEpochs)
    }
}
