// Stopper: early stopping across trials. Rank 0 feeds it every (trial, epoch, metric) and tells the
// worker to stop when it says so. Pure and deterministic given the sequence of calls.
import Foundation

/// Whether a trial goes on after an epoch.
public enum StopDecision: Sendable, Equatable {
    case `continue`
    /// Stop now; `reason` is for people ("ASHA rung 2 (epoch 6): 0.412 not in the top 1/3 of …").
    case stop(reason: String)

    public var isStop: Bool {
        if case .stop = self { true } else { false }
    }
}

/// An early-stopping rule over all trials of a sweep.
///
/// Metric values arrive as the trainer reports them; stoppers orient them by `MetricSpec.goal`
/// (lower is better inside, maximised metrics negated; NaN counts as the worst value) and report
/// values in the metric's own orientation. No stopper stops a trial at or after its last epoch
/// (`epoch ≥ maxEpochs(trial:)`): that trial is complete, not pruned.
public protocol Stopper {
    /// Trial `trial` finished `epoch` (1-based) with metric `value`; decide whether it goes on.
    /// Called once per (trial, epoch), epochs in order per trial; trials interleave arbitrarily.
    /// (An epoch not after the trial's last reported one is taken as the trial starting over, e.g.
    /// a lost trial run again by `resume`; each stopper documents what it keeps.)
    mutating func report(trial: Int, epoch: Int, value: Double) -> StopDecision
    /// The trial ended (any reason) after `epochs` epochs; stoppers may use it (ASHA does not need to).
    mutating func finished(trial: Int, epochs: Int)
    /// The epoch budget for this trial (Hyperband brackets may give trials different budgets);
    /// `budget.max_epochs` for every stopper here.
    func maxEpochs(trial: Int) -> Int
}

extension Stopper {
    public mutating func finished(trial: Int, epochs: Int) {}
}

/// The stopper rank 0 runs for `spec`: its cross-trial scheduler, or a `NoStopper` when it has
/// none. Per-trial patience is not part of it (`early_stopping.patience` is ignored here): it runs
/// inside the trainer, on the trial's own worker, with `PatienceStopper`'s semantics.
public func makeStopper(for spec: SweepSpec) -> any Stopper {
    let stopper = makeScheduler(for: spec) ?? NoStopper(maxEpochs: spec.budget.maxEpochs)
    return spec.repeats > 1 ? RepeatAveragingStopper(base: stopper, repeats: spec.repeats) : stopper
}

/// The cross-trial scheduler of `spec.earlyStopping.scheduler` (its family's `make`), nil for `none`.
public func makeScheduler(for spec: SweepSpec) -> (any Stopper)? {
    spec.earlyStopping.scheduler.make(goal: spec.metric.goal, maxEpochs: spec.budget.maxEpochs)
}

extension Goal {
    /// `value` with lower better: negated for maximize; NaN becomes +∞ (the worst).
    func oriented(_ value: Double) -> Double {
        let x = self == .maximize ? -value : value
        return x.isNaN ? .infinity : x
    }

    /// An oriented value back in the metric's own orientation, for messages.
    func natural(_ oriented: Double) -> Double { self == .maximize ? -oriented : oriented }
}

/// A metric value for a stop reason: four significant digits.
func formatMetric(_ x: Double) -> String {
    // vsnprintf, not String(format:): stop reasons are built for most trials of a large sweep,
    // and Foundation's formatter was 6% of rank 0's time at 10,000 workers.
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 40) { buffer in
        _ = withVaList([x]) { vsnprintf(buffer.baseAddress, 40, "%.4g", $0) }
        return String(cString: buffer.baseAddress!)
    }
}
