// RepeatAveragingStopper: with `repeats: N`, the cross-trial stopper judges each configuration by
// the mean of its repeats, epoch by epoch.

/// Wraps a stopper so that it sees configurations, not trials: trial i is repeat i % N of
/// configuration i / N, and `base` gets one report per (configuration, epoch) — the mean of the
/// repeats' values at that epoch — once every repeat has reported that epoch or ended before it.
/// Until then repeats go on. When `base` stops a configuration, its repeats stop at their next
/// report (the one completing the mean stops at once). `base.finished` is told when the last
/// repeat of a configuration ends, with the most epochs any trained; `maxEpochs(trial:)` is the
/// configuration's. With N = 1 it passes everything through unchanged.
///
/// Repeats that run one after another (a single worker) mean the first ones always train to the
/// end; only the last can be stopped. Spread over workers, they run side by side.
public struct RepeatAveragingStopper: Stopper {
    private var base: any Stopper
    public let repeats: Int
    /// Per configuration: each repeat's reported values by epoch.
    private var values: [Int: [Int: [Int: Double]]] = [:]
    /// Per configuration: the repeats that ended, with their epoch count.
    private var ended: [Int: [Int: Int]] = [:]
    /// Per configuration: the last epoch reported to `base`.
    private var forwarded: [Int: Int] = [:]
    /// Configurations `base` stopped, with its reason.
    private var stopped: [Int: String] = [:]

    public init(base: any Stopper, repeats: Int) {
        self.base = base
        self.repeats = max(repeats, 1)
    }

    public mutating func report(trial: Int, epoch: Int, value: Double) -> StopDecision {
        guard repeats > 1 else { return base.report(trial: trial, epoch: epoch, value: value) }
        let g = trial / repeats
        let last = epoch >= base.maxEpochs(trial: g)  // never stop a trial at its last epoch: it is complete
        if let reason = stopped[g] { return last ? .continue : .stop(reason: reason) }
        if let last = values[g]?[trial]?.keys.max(), epoch <= last {
            // The trial starts over (lost and run again): drop what it reported after this epoch.
            let kept = values[g]?[trial]?.filter { $0.key < epoch }
            values[g]?[trial] = kept
        }
        ended[g]?[trial] = nil
        values[g, default: [:]][trial, default: [:]][epoch] = value
        let decision = forward(g)
        return last ? .continue : decision
    }

    public mutating func finished(trial: Int, epochs: Int) {
        guard repeats > 1 else { return base.finished(trial: trial, epochs: epochs) }
        let g = trial / repeats
        ended[g, default: [:]][trial] = epochs
        _ = forward(g)
        if ended[g]?.count == repeats {
            base.finished(trial: g, epochs: ended[g]!.values.max() ?? epochs)
        }
    }

    public func maxEpochs(trial: Int) -> Int { base.maxEpochs(trial: trial / repeats) }

    /// Reports every epoch of configuration `g` whose mean is complete to `base`, in order.
    private mutating func forward(_ g: Int) -> StopDecision {
        while stopped[g] == nil {
            let e = (forwarded[g] ?? 0) + 1
            var sum = 0.0, n = 0
            for r in g * repeats..<(g + 1) * repeats {
                if let v = values[g]?[r]?[e] {
                    sum += v
                    n += 1
                } else if let k = ended[g]?[r], k < e {
                    continue  // ended before this epoch: not part of its mean
                } else {
                    return .continue  // still to report it
                }
            }
            guard n > 0 else { return .continue }
            forwarded[g] = e
            if case .stop(let reason) = base.report(trial: g, epoch: e, value: sum / Double(n)) {
                stopped[g] = "configuration \(g) (mean of \(n) repeats): " + reason
            }
        }
        return .stop(reason: stopped[g]!)
    }
}
