// MedianStopper: the median stopping rule of Google Vizier.

/// The median stopping rule (Golovin et al., "Google Vizier: A Service for Black-Box
/// Optimization", KDD 2017, §3.2.2): at epoch e ≥ `graceEpochs`, a trial stops when its **best**
/// value so far is strictly worse than the median of the other trials' **running averages**
/// (mean of their values over epochs 1…e), once at least `minTrials` other trials have reached
/// epoch e. Vizier compares with completed trials only; here every other trial that reached epoch
/// e counts, running or finished (as in Ray Tune's `MedianStoppingRule`), so the rule can act
/// while the first wave of trials is still running.
///
/// Cost: per epoch from `graceEpochs` on, a sorted multiset of running averages (insert O(log n)
/// plus one 512-value move, median by a scan of n/512 chunk counts); memory O(Σ epochs reached)
/// plus O(trials). A trial that starts over (an epoch not after its last) resets its own sum and
/// best; the running averages it already recorded stay, and are not recorded twice.
public struct MedianStopper: Stopper, Sendable {
    public let graceEpochs: Int
    public let minTrials: Int
    public let goal: Goal
    public let maxEpochs: Int

    private struct Record: Sendable {
        var sum = 0.0
        var count = 0
        var best = Double.infinity
        var lastEpoch = 0
        /// Epochs through which its running average is in `averages`.
        var recordedThrough = 0
    }
    private var records: [Int: Record] = [:]
    /// averages[e − graceEpochs]: the running averages at epoch e of the trials that reached it.
    private var averages: [SortedValues] = []

    public init(graceEpochs: Int = 1, minTrials: Int = 5, goal: Goal = .minimize, maxEpochs: Int) {
        self.graceEpochs = max(1, graceEpochs)
        self.minTrials = max(1, minTrials)
        self.goal = goal
        self.maxEpochs = maxEpochs
    }

    public mutating func report(trial: Int, epoch: Int, value: Double) -> StopDecision {
        let x = goal.oriented(value)
        var r = records[trial] ?? Record()
        if epoch <= r.lastEpoch {
            r = Record(recordedThrough: r.recordedThrough)
        }
        r.sum += x
        r.count += 1
        r.best = min(r.best, x)
        r.lastEpoch = epoch
        defer { records[trial] = r }
        // Epochs before the grace period decide nothing; the last one needs no decision, and no
        // trial ever compares against it.
        guard epoch >= graceEpochs, epoch < maxEpochs else { return .continue }
        let slot = epoch - graceEpochs
        if averages.count <= slot { averages.append(contentsOf: repeatElement(SortedValues(), count: slot + 1 - averages.count)) }
        var decision = StopDecision.continue
        let others = averages[slot].count
        if others >= minTrials, let median = averages[slot].median, r.best > median {
            decision = .stop(reason: "median rule at epoch \(epoch): best \(formatMetric(goal.natural(r.best))) is worse "
                             + "than \(formatMetric(goal.natural(median))), the median of \(others) other trials' "
                             + "running averages")
        }
        if epoch > r.recordedThrough {
            let average = r.sum / Double(r.count)
            averages[slot].insert(average.isNaN ? .infinity : average)
            r.recordedThrough = epoch
        }
        return decision
    }

    public func maxEpochs(trial: Int) -> Int { maxEpochs }

    /// How many trials recorded a running average at `epoch` (0 before the grace period).
    public func trialsReached(epoch: Int) -> Int {
        let slot = epoch - graceEpochs
        return slot >= 0 && slot < averages.count ? averages[slot].count : 0
    }
}
