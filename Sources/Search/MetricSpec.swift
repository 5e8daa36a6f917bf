// MetricSpec: which validation metric ranks trials, and in which direction.

/// Whether smaller or larger metric values are better.
public enum Goal: String, Sendable, CaseIterable {
    case minimize, maximize
}

/// The metric that ranks trials and its goal. Default: `val_loss`, minimize; a metric named
/// alone takes its natural goal (`MetricSpec.natural`).
public struct MetricSpec: Sendable, Hashable {
    public var name: String
    public var goal: Goal

    /// Every metric a task computes over the whole validation split after each epoch, with its
    /// natural goal and what it needs: `val_loss` always (classification: the cross-entropy;
    /// regression: the mean squared error of the standardised targets, whatever `loss` trains, so
    /// trials with different losses compare); `val_accuracy` for classification, `val_auc` and
    /// `val_f1` (positive class 1) with exactly two classes; `val_rmse`, `val_mae` (in the targets'
    /// own units) and `val_r2` (the coefficient of determination, averaged over targets) for
    /// regression.
    public static let known: [(name: String, goal: Goal, needs: String?)] = [
        ("val_loss", .minimize, nil), ("val_accuracy", .maximize, "task: classification"),
        ("val_auc", .maximize, "two classes"), ("val_f1", .maximize, "two classes"),
        ("val_rmse", .minimize, "task: regression"), ("val_mae", .minimize, "task: regression"), ("val_r2", .maximize, "task: regression"),
    ]

    /// The metrics a sweep of `task` may rank by (binary ones are checked against the data later).
    public static func names(for task: TaskKind) -> [String] {
        switch task {
        case .classification: return ["val_loss", "val_accuracy", "val_auc", "val_f1"]
        case .regression: return ["val_loss", "val_rmse", "val_mae", "val_r2"]
        }
    }

    /// The natural goal of a known metric (nil for an unknown name).
    public static func natural(_ name: String) -> Goal? { known.first { $0.name == name }?.goal }

    public init(name: String = "val_loss", goal: Goal = .minimize) {
        self.name = name
        self.goal = goal
    }

    /// This metric's value for an epoch with these validation figures: `val_loss`,
    /// `val_accuracy`, else the named entry of `metrics` (NaN when the epoch lacks it).
    public func value(validationLoss: Double, validationAccuracy: Double, metrics: [String: Double] = [:]) -> Double {
        switch name {
        case "val_loss": return validationLoss
        case "val_accuracy": return validationAccuracy
        default: return metrics[name] ?? .nan
        }
    }

    /// Whether `a` is strictly better than `b` under `goal`.
    public func isBetter(_ a: Double, than b: Double) -> Bool {
        goal == .minimize ? a < b : a > b
    }
}
