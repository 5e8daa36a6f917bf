// ASHAScheduler: the `asha` scheduler family, registering `ASHAStopper`.

/// `scheduler: asha`: asynchronous successive halving, rungs at grace_epochs·ηᵏ; at each rung a
/// trial continues only if it is in the top 1/η of the trials that reached it (`ASHAStopper`).
public struct ASHAScheduler: SchedulerFamily {
    public init() {}

    public var name: String { "asha" }
    public var summary: String {
        "asynchronous successive halving: at rungs grace_epochs·ηᵏ only the top 1/η of the trials there continue"
    }
    public var keys: [SchedulerKey] { [.graceEpochs, .reductionFactor] }

    public func make(_ spec: SchedulerSpec, goal: Goal, maxEpochs: Int) -> (any Stopper)? {
        ASHAStopper(graceEpochs: spec[.graceEpochs]!, reductionFactor: spec[.reductionFactor]!, goal: goal, maxEpochs: maxEpochs)
    }
}
