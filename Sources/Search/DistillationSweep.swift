// DistillationSweep: the small sweep `hpsearch distill` runs through the same coordinator and
// ranks as the main one: students of one architecture trained on the ensemble's soft targets,
// searching the distill section's temperature and alpha, plus one hard-label control.

/// The distillation sweep derived from a main sweep and the student's configuration. Trial 0 is
/// the control (alpha 0: labels only); trials 1…`distill.trials` sample temperature and alpha.
/// Every trial shares one training seed (same initial weights, batch order and dropout masks),
/// so differences between them come from the distillation settings alone.
public struct DistillationSweep: Sendable {
    /// Names of the two searched settings in each trial's configuration.
    public static let temperatureKey = "temperature", alphaKey = "alpha"

    /// The sweep the coordinator runs: the student's parameters as constants, temperature and
    /// alpha as the distill section's distributions; no cross-trial scheduler (the control gets
    /// the students' budget exactly), per-trial patience as in the main sweep.
    public let spec: SweepSpec
    public let distill: DistillSpec
    public let student: Configuration

    /// Defaults when the sweep file has no `distill:` section: T = 4, α = 0.9 (Hinton et al.'s
    /// regime: most weight on the soft targets), one student.
    public static let defaultSpec = DistillSpec(temperature: .constant(.double(4)), alpha: .constant(.double(0.9)))

    /// `parent`'s distillation sweep for `student` (the best member's configuration with the
    /// distill section's `student` overrides applied); `trials`/`epochs` override the section's.
    public init(parent: SweepSpec, student: Configuration, trials: Int? = nil, epochs: Int? = nil) {
        var distill = parent.distill ?? Self.defaultSpec
        if let trials { distill.trials = max(1, trials) }
        if let epochs { distill.epochs = max(1, epochs) }
        self.distill = distill
        self.student = student
        let constants = student.values.sorted { $0.key < $1.key }.map { ParameterSpec(name: $0.key, distribution: .constant($0.value)) }
        var spec = SweepSpec(name: parent.name + "-distill", seed: parent.seed, data: parent.data, model: parent.model, metric: parent.metric,
                         budget: Budget(trials: distill.trials + 1, maxEpochs: distill.epochs ?? parent.budget.maxEpochs),
                         sampler: .random,
                         earlyStopping: EarlyStoppingSpec(patience: parent.earlyStopping.patience, minDelta: parent.earlyStopping.minDelta),
                         parameters: constants + [ParameterSpec(name: Self.temperatureKey, distribution: distill.temperature),
                                                  ParameterSpec(name: Self.alphaKey, distribution: distill.alpha)],
                         file: parent.file, text: parent.text)
        spec.program = parent.program
        self.spec = spec
    }

    /// The student's configuration as the sweep file would write it: `base` (the best member's)
    /// with `overrides` (the distill section's `student`) applied.
    public static func student(base: Configuration, overrides: [String: ParameterValue]) -> Configuration {
        var c = base
        for (k, v) in overrides { c[k] = v }
        return c
    }

    /// Splits a trial's configuration into the student's hyperparameters and its temperature and
    /// alpha (nil when it is not a distillation trial).
    public static func split(_ configuration: Configuration) -> (student: Configuration, temperature: Double, alpha: Double)? {
        guard let t = configuration[temperatureKey]?.doubleValue, let a = configuration[alphaKey]?.doubleValue else { return nil }
        var c = configuration
        c[temperatureKey] = nil
        c[alphaKey] = nil
        return (c, t, a)
    }

    /// Trial 0 is the hard-label control; trials i ≥ 1 take the random sampler's draw i − 1.
    public func makeSampler() -> any Sampler { DistillationSampler(sweep: self) }
}

/// The distillation sweep's sampler. Contract as `Sampler`: a pure function of (seed, index).
struct DistillationSampler: Sampler {
    let seed: UInt64
    let control: Configuration
    var students: RandomSampler

    init(sweep: DistillationSweep) {
        seed = SearchRandom.hash(sweep.spec.seed, SearchStream.distillation)
        var c = sweep.student
        c[DistillationSweep.temperatureKey] = .double(1)
        c[DistillationSweep.alphaKey] = .double(0)
        control = c
        students = RandomSampler(spec: sweep.spec)
    }

    mutating func assignment(_ index: Int) throws -> TrialAssignment {
        guard index >= 0 else { throw SamplerError(trial: index, message: "trial indices start at 0") }
        guard index > 0 else { return TrialAssignment(index: 0, configuration: control, seed: seed) }
        let a = try students.assignment(index - 1)
        return TrialAssignment(index: index, configuration: a.configuration, seed: seed)
    }
}
