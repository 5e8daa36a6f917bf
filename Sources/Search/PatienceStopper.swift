// PatienceStopper: a trial's own patience, with exactly the trainer's semantics.

/// Stops a trial after `patience` epochs in a row without an improvement of more than `minDelta`
/// over its best value so far, as `Training.Trainer` does:
///
/// - epoch 1 always counts as an improvement;
/// - epoch e improves when its value beats the best so far by more than `minDelta` (strictly:
///   `value < best − minDelta` when minimizing, `value > best + minDelta` when maximizing);
/// - the best so far is the best value of any epoch (any strict gain moves it, even one of at most
///   `minDelta`, which resets nothing);
/// - after `patience` epochs without improvement the trial stops, unless that epoch is its last.
///
/// State per running trial; `finished` drops it. A report for an epoch not after the trial's last
/// one starts the trial's record afresh.
public struct PatienceStopper: Stopper, Sendable {
    public let patience: Int
    public let minDelta: Double
    public let goal: Goal
    public let maxEpochs: Int

    private struct Record: Sendable {
        var best: Double
        var bestEpoch: Int
        var sinceImprovement: Int
        var lastEpoch: Int
    }
    private var records: [Int: Record] = [:]

    /// `patience` ≥ 1.
    public init(patience: Int, minDelta: Double = 0, goal: Goal = .minimize, maxEpochs: Int) {
        self.patience = max(1, patience)
        self.minDelta = minDelta
        self.goal = goal
        self.maxEpochs = maxEpochs
    }

    public mutating func report(trial: Int, epoch: Int, value: Double) -> StopDecision {
        // The trainer's comparisons, NaN included (a NaN never improves), hence no NaN mapping here.
        let x = goal == .maximize ? -value : value
        var r: Record
        if let previous = records[trial], epoch > previous.lastEpoch {
            r = previous
            if x < r.best - minDelta {
                r.sinceImprovement = 0
            } else {
                r.sinceImprovement += 1
            }
            if x < r.best {
                r.best = x
                r.bestEpoch = epoch
            }
            r.lastEpoch = epoch
        } else {
            r = Record(best: x, bestEpoch: epoch, sinceImprovement: 0, lastEpoch: epoch)
        }
        records[trial] = r
        guard r.sinceImprovement >= patience, epoch < maxEpochs else { return .continue }
        let by = minDelta > 0 ? " of more than \(formatMetric(minDelta))" : ""
        let epochs = r.sinceImprovement == 1 ? "1 epoch" : "\(r.sinceImprovement) epochs"
        return .stop(reason: "patience: no improvement\(by) in \(epochs) "
                     + "(best \(formatMetric(goal.natural(r.best))) at epoch \(r.bestEpoch))")
    }

    public mutating func finished(trial: Int, epochs: Int) {
        records[trial] = nil
    }

    public func maxEpochs(trial: Int) -> Int { maxEpochs }
}
