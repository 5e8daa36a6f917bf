// RepeatingSampler: `repeats: N` — N consecutive trials per configuration, each with its own seed.

/// Trial i trains configuration `i / repeats` of `base` (so the configurations, `initial:` ones
/// included, are exactly those of the same sweep without repeats), with trial i's own training
/// seed `TrialAssignment.trainingSeed(sweepSeed:index: i)`. Pure in (sweep seed, i) as the
/// `Sampler` contract asks, except that repeats of one configuration are equal by design.
public struct RepeatingSampler: Sampler {
    private var base: any Sampler
    private let repeats: Int
    private let seed: UInt64

    public init(base: any Sampler, spec: SweepSpec) {
        self.base = base
        repeats = max(spec.repeats, 1)
        seed = spec.seed
    }

    public mutating func assignment(_ index: Int) throws -> TrialAssignment {
        guard index >= 0 else { throw SamplerError(trial: index, message: "trial indices start at 0") }
        let configuration: Configuration
        do {
            configuration = try base.assignment(index / repeats).configuration
        } catch var error as SamplerError {
            error.trial = index
            throw error
        }
        return TrialAssignment(index: index, configuration: configuration,
                               seed: TrialAssignment.trainingSeed(sweepSeed: seed, index: index))
    }
}
