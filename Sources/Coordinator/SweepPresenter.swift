// SweepPresenter: what a person (or a test) is shown of a sweep that rank 0 drives. The CLI's
// implementation draws progress and prints tables; the driver never prints.

/// Receives rank 0's view of a sweep, in this order: `log` and `event` while it runs,
/// `loopEnded` once no trial is in flight, `ended` with the outcome (before an incomplete or
/// stopped job is ended), and, for a complete sweep, `finished` after the plan's last step (the
/// ensemble or the distillation report). All calls come on rank 0's thread.
public protocol SweepPresenter: AnyObject {
    /// A line for people (standard error in the CLI).
    func log(_ line: String)
    /// A sweep event; `progress` is O(trials): ask it only when a status line is due.
    func event(_ event: SweepEvent, metric: String, progress: () -> SweepProgress)
    /// The loop ended: clear any status line before tables follow.
    func loopEnded()
    /// The sweep's outcome, with its store: show the trials table and why it ended.
    func ended(_ outcome: SweepOutcome) throws
    /// A complete sweep, after its plan's last step.
    func finished(_ outcome: SweepOutcome) throws
}

extension SweepPresenter {
    public func log(_ line: String) {}
    public func event(_ event: SweepEvent, metric: String, progress: () -> SweepProgress) {}
    public func loopEnded() {}
    public func ended(_ outcome: SweepOutcome) throws {}
    public func finished(_ outcome: SweepOutcome) throws {}
}

/// Shows nothing (tests, library use).
public final class SilentPresenter: SweepPresenter {
    public init() {}
}
