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

    /// One trial's patience record, in the metric's own units (what a resumable run saves).
    public struct Record: Sendable, Equatable {
        /// The best value so far (strictly best: any gain moves it).
        public var best: Double
        public var bestEpoch: Int
        /// Epochs since the last improvement by more than `minDelta`.
        public var sinceImprovement: Int
        /// The last epoch reported.
        public var lastEpoch: Int

        public init(best: Double, bestEpoch: Int, sinceImprovement: Int, lastEpoch: Int) {
            self.best = best
            self.bestEpoch = bestEpoch
            self.sinceImprovement = sinceImprovement
            self.lastEpoch = lastEpoch
        }
    }
    /// Per trial, with `best` oriented for minimising (negated when maximising: exact).
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

    /// `trial`'s record after its last report (nil before its first).
    public func record(trial: Int) -> Record? {
        guard var r = records[trial] else { return nil }
        r.best = goal.natural(r.best)
        return r
    }

    /// Continues `trial` from `record` (from `record(trial:)`, possibly of another stopper with
    /// the same settings): the next reports decide exactly as they would have there.
    public mutating func restore(_ record: Record, trial: Int) {
        var r = record
        r.best = goal == .maximize ? -r.best : r.best
        records[trial] = r
    }

    public mutating func finished(trial: Int, epochs: Int) {
        records[trial] = nil
    }

    public func maxEpochs(trial: Int) -> Int { maxEpochs }
}
