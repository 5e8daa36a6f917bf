// StopTarget: `stop_when: {val_accuracy: 0.92}` — a metric value that ends the sweep once a trial reaches it.

/// A validation metric and the value that is good enough: the first epoch of any trial at or
/// beyond it (in the metric's direction: ≥ for a metric to maximize, ≤ to minimize) ends the
/// sweep as a spent time budget does: no new trial starts, running ones finish their epoch.
public struct StopTarget: Sendable, Hashable {
    public var metric: MetricSpec
    public var value: Double

    public init(metric: MetricSpec, value: Double) {
        self.metric = metric
        self.value = value
    }

    /// Whether `v` reaches the target (NaN never does).
    public func isReached(by v: Double) -> Bool {
        guard !v.isNaN else { return false }
        return metric.goal == .maximize ? v >= value : v <= value
    }

    /// Whether an epoch's figures reach the target.
    public func isReached(by epoch: EpochRecord) -> Bool { isReached(by: epoch.value(of: metric)) }

    /// "val_accuracy ≥ 0.92".
    public var description: String { "\(metric.name) \(metric.goal == .maximize ? "≥" : "≤") \(formatMetric(value))" }
}
