// SchedulerSpec: the early-stopping scheduler that cuts unpromising trials short.

/// Which trials stop before `budget.max_epochs`: a scheduler family (`Schedulers.all`) and the
/// values of its keys. From the parser, every value satisfies its `SchedulerKey`'s bounds (epoch
/// counts ≥ 1, reduction factors ≥ 2, `grace_epochs` ≤ `budget.max_epochs`).
///
/// Two specs are equal when their families' names and their settings are. Printed as
/// `asha(grace_epochs: 1, reduction_factor: 3)`, or `none`.
public struct SchedulerSpec: Sendable, Hashable, CustomStringConvertible {
    public let family: any SchedulerFamily
    /// Key name → value: every key of the family that has a default, and the optional ones set.
    public let settings: [String: Int]

    /// `family` with `settings` (key name → value); keys left out take their defaults. A key the
    /// family does not have is a programming error.
    public init(_ family: any SchedulerFamily, _ settings: [String: Int] = [:]) {
        var all = settings
        for key in family.keys where all[key.name] == nil { all[key.name] = key.defaultValue }
        precondition(all.keys.allSatisfy { name in family.keys.contains { $0.name == name } },
                     "scheduler '\(family.name)' takes only \(family.keys.map(\.name)), got \(settings.keys.sorted())")
        self.family = family
        self.settings = all
    }

    /// The sweep file's `type` for this scheduler.
    public var type: String { family.name }

    /// The value of `key`; nil when the key is optional and unset (or not the family's). Never nil
    /// for a key of the family with a default.
    public subscript(key: SchedulerKey) -> Int? { settings[key.name] }

    /// The cross-trial stopper for a metric with `goal` and trials of at most `maxEpochs` epochs;
    /// nil for `none`.
    public func make(goal: Goal, maxEpochs: Int) -> (any Stopper)? {
        family.make(self, goal: goal, maxEpochs: maxEpochs)
    }

    /// The set values in the family's key order.
    private var setValues: [(String, Int)] {
        family.keys.compactMap { key in settings[key.name].map { (key.name, $0) } }
    }

    public var description: String {
        let values = setValues
        return values.isEmpty ? type : type + "(" + values.map { "\($0): \($1)" }.joined(separator: ", ") + ")"
    }

    /// The mapping form for a sweep file: `{type: asha, grace_epochs: 1, reduction_factor: 3}`.
    public var yaml: String {
        "{" + (["type: \(type)"] + setValues.map { "\($0): \($1)" }).joined(separator: ", ") + "}"
    }

    public static func == (a: SchedulerSpec, b: SchedulerSpec) -> Bool {
        a.type == b.type && a.settings == b.settings
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(settings)
    }

    // The registered families by name, for call sites and tests.

    /// Every trial trains to the end (or to its own patience).
    public static let none = SchedulerSpec(NoScheduler())

    /// `MedianScheduler`: the median stopping rule.
    public static func median(graceEpochs: Int, minTrials: Int) -> SchedulerSpec {
        SchedulerSpec(MedianScheduler(), [SchedulerKey.graceEpochs.name: graceEpochs, MedianScheduler.minTrials.name: minTrials])
    }

    /// `ASHAScheduler`: asynchronous successive halving.
    public static func asha(graceEpochs: Int, reductionFactor: Int) -> SchedulerSpec {
        SchedulerSpec(ASHAScheduler(), [SchedulerKey.graceEpochs.name: graceEpochs, SchedulerKey.reductionFactor.name: reductionFactor])
    }

    /// `HyperbandScheduler`: ASHA brackets; `brackets` nil means as many as fit.
    public static func hyperband(graceEpochs: Int, reductionFactor: Int, brackets: Int?) -> SchedulerSpec {
        var settings = [SchedulerKey.graceEpochs.name: graceEpochs, SchedulerKey.reductionFactor.name: reductionFactor]
        settings[HyperbandScheduler.brackets.name] = brackets
        return SchedulerSpec(HyperbandScheduler(), settings)
    }
}
