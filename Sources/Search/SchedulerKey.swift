// SchedulerKey: one integer key a scheduler family reads from its `early_stopping.scheduler` mapping.

/// A key of a scheduler family (`grace_epochs`, `reduction_factor`, …): an integer with a lower
/// bound, optionally at most `budget.max_epochs`, and a default (nil: the key is optional and
/// unset means the family's own choice, e.g. Hyperband's "as many brackets as fit").
///
/// The parser reads it with the sweep file's usual machinery, so its errors name the key's dotted
/// path, line and column: "expected an integer for '…', got …", "'…' must be at least N, got M",
/// "'…' (M) must be at most budget.max_epochs (E), or <`maxEpochsBound`>".
public struct SchedulerKey: Sendable, Hashable {
    /// The key in the sweep file: `grace_epochs`.
    public let name: String
    /// For people (docs, help): "epochs before the first decision".
    public let summary: String
    /// The value when the key is absent; nil: optional, absent means unset.
    public let defaultValue: Int?
    /// The smallest value allowed.
    public let minimum: Int
    /// When set, the value must be at most `budget.max_epochs`; the text says what a larger value
    /// would mean, and ends the error ("no trial would ever be stopped").
    public let maxEpochsBound: String?

    public init(name: String, summary: String, defaultValue: Int?, minimum: Int, maxEpochsBound: String? = nil) {
        self.name = name
        self.summary = summary
        self.defaultValue = defaultValue
        self.minimum = minimum
        self.maxEpochsBound = maxEpochsBound
    }

    /// The constraints and default for people: "integer ≥ 1, ≤ budget.max_epochs; default 1".
    public var constraints: String {
        var s = "integer ≥ \(minimum)"
        if maxEpochsBound != nil { s += ", ≤ budget.max_epochs" }
        return s + "; " + (defaultValue.map { "default \($0)" } ?? "optional")
    }

    /// Epochs a trial trains before the scheduler's first decision about it.
    public static let graceEpochs = SchedulerKey(
        name: "grace_epochs", summary: "epochs before a trial can first be stopped", defaultValue: 1, minimum: 1,
        maxEpochsBound: "no trial would ever be stopped")
    /// Successive halving's η: a rung keeps the top 1/η.
    public static let reductionFactor = SchedulerKey(
        name: "reduction_factor", summary: "η: each rung keeps the top 1/η, and rungs are η times apart",
        defaultValue: 3, minimum: 2)
}

extension SchedulerKey {
    /// The key's value in `field`, checked against its bounds.
    func read(_ field: YAMLField, budget: Budget) throws -> Int {
        let value = try field.int(atLeast: minimum)
        if let maxEpochsBound, value > budget.maxEpochs {
            throw field.error("\(field.name) (\(value)) must be at most budget.max_epochs (\(budget.maxEpochs)), "
                              + "or \(maxEpochsBound)")
        }
        return value
    }
}
