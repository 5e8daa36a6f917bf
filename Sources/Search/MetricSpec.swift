// MetricSpec: which validation metric ranks trials, and in which direction.

/// Whether smaller or larger metric values are better.
public enum Goal: String, Sendable, CaseIterable {
    case minimize, maximize
}

/// The metric that ranks trials (`val_loss` or `val_accuracy`) and its goal.
/// Default: `val_loss`, minimize; `val_accuracy` alone defaults to maximize.
public struct MetricSpec: Sendable, Hashable {
    public var name: String
    public var goal: Goal

    public init(name: String = "val_loss", goal: Goal = .minimize) {
        self.name = name
        self.goal = goal
    }

    /// This metric's value for an epoch with these validation figures (`val_accuracy`, else `val_loss`).
    public func value(validationLoss: Double, validationAccuracy: Double) -> Double {
        name == "val_accuracy" ? validationAccuracy : validationLoss
    }

    /// Whether `a` is strictly better than `b` under `goal`.
    public func isBetter(_ a: Double, than b: Double) -> Bool {
        goal == .minimize ? a < b : a > b
    }
}
