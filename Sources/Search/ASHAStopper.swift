// ASHAStopper: asynchronous successive halving.

/// Asynchronous successive halving (Li et al., "A System for Massively Parallel Hyperparameter
/// Tuning", MLSys 2020), in its stopping form (as Ray Tune's `ASHAScheduler` and Optuna's
/// `SuccessiveHalvingPruner`): rungs at `graceEpochs`·ηᵏ epochs, k = 0, 1, … while below
/// `maxEpochs` (a rung at `maxEpochs` itself would decide nothing: the trial is complete there).
///
/// When a trial reaches a rung its value there is recorded, and it continues only if it is in the
/// top 1/η of all values recorded at that rung so far, itself included: with n values, its value
/// must be at most the k-th best, k = ⌊n/η⌋ (ties continue). While fewer than η trials reached the
/// rung (⌊n/η⌋ = 0), k = 1: a trial continues only if it is the best so far there, Optuna's
/// convention (Ray's percentile cut-off amounts to the same with one earlier value). The paper's
/// promotion-based ASHA would instead pause such trials until the rung fills; a stopping rule
/// cannot pause, so early arrivals face a harder bar: the price of never waiting.
///
/// A trial records each rung at most once (a report past a rung it skipped, e.g. after resuming
/// from a checkpoint, counts for the highest rung reached; a repeated report at a recorded rung
/// continues, as in Ray). Cost per report: O(log n) search plus a move of at most 1,024 values
/// and a scan of n/512 chunk counts; memory O(trials · rungs).
public struct ASHAStopper: Stopper, Sendable {
    public let graceEpochs: Int
    public let reductionFactor: Int
    public let goal: Goal
    public let maxEpochs: Int
    /// The rung epochs, increasing: graceEpochs·ηᵏ < maxEpochs.
    public let rungs: [Int]

    /// recorded[k]: the oriented values recorded at rung k.
    private var recorded: [SortedValues]
    /// Trial → how many rungs it has passed (the highest rung index it recorded, plus one), by
    /// trial index (dense: indices run 0..<trials; a dictionary lookup per report was a hot spot
    /// at 10,000 workers); negative indices, which the coordinator never uses, go to `passedOther`.
    private var passed: [UInt8] = []
    private var passedOther: [Int: Int] = [:]
    /// Put before reasons ("Hyperband bracket s=3: ").
    var reasonPrefix = ""

    /// `graceEpochs` ≥ 1, `reductionFactor` ≥ 2 (smaller values are raised to these).
    public init(graceEpochs: Int = 1, reductionFactor: Int = 3, goal: Goal = .minimize, maxEpochs: Int) {
        self.graceEpochs = max(1, graceEpochs)
        self.reductionFactor = max(2, reductionFactor)
        self.goal = goal
        self.maxEpochs = maxEpochs
        var rungs: [Int] = []
        var e = self.graceEpochs
        while e < maxEpochs {
            rungs.append(e)
            let (next, overflow) = e.multipliedReportingOverflow(by: self.reductionFactor)
            if overflow { break }
            e = next
        }
        self.rungs = rungs
        recorded = Array(repeating: SortedValues(), count: rungs.count)
    }

    public mutating func report(trial: Int, epoch: Int, value: Double) -> StopDecision {
        guard epoch < maxEpochs, let k = rungs.lastIndex(where: { $0 <= epoch }) else { return .continue }
        guard passedRungs(trial) <= k else { return .continue }
        setPassedRungs(trial, k + 1)
        let x = goal.oriented(value)
        recorded[k].insert(x)
        let n = recorded[k].count, eta = reductionFactor
        let keep = max(1, n / eta)
        let cutoff = recorded[k].element(at: keep - 1)
        guard x > cutoff else { return .continue }
        let rung = "ASHA rung \(k + 1) (epoch \(rungs[k])): \(formatMetric(value))"
        let cut = formatMetric(goal.natural(cutoff))
        if n / eta == 0 {
            return .stop(reason: reasonPrefix + "\(rung) is worse than the best \(cut) of the \(n) trials there so far "
                         + "(with fewer than \(eta), only the best continues)")
        }
        return .stop(reason: reasonPrefix + "\(rung) not in the top 1/\(eta) of \(n) trials (cut-off \(cut))")
    }

    public func maxEpochs(trial: Int) -> Int { maxEpochs }

    private func passedRungs(_ trial: Int) -> Int {
        if trial >= 0 { return trial < passed.count ? Int(passed[trial]) : 0 }
        return passedOther[trial, default: 0]
    }

    private mutating func setPassedRungs(_ trial: Int, _ n: Int) {
        // Rungs grow geometrically (η ≥ 2 from epoch ≥ 1), so an Int has fewer than 64 of them.
        guard trial >= 0 else { passedOther[trial] = n; return }
        if trial >= passed.count { passed.append(contentsOf: repeatElement(0, count: max(trial + 1 - passed.count, passed.count))) }
        passed[trial] = UInt8(n)
    }

    /// How many values rung `k` (0-based) has recorded.
    public func recordedCount(rung k: Int) -> Int { recorded[k].count }
}
