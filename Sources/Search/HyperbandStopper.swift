// HyperbandStopper: Hyperband's brackets, each an asynchronous successive halving.

/// Hyperband's bracket table (Li et al., "Hyperband: A Novel Bandit-Based Approach to
/// Hyperparameter Optimization", JMLR 18 (2018), Algorithm 1).
public enum Hyperband {
    /// The brackets for at most `R` epochs per trial, at least `r` (the grace period) and
    /// reduction factor η, from the most aggressive down: s = s_max, …, 0 with
    /// s_max = ⌊log_η(R/r)⌋ (the largest s with r·ηˢ ≤ R), n_s = ⌈(s_max+1)/(s+1) · ηˢ⌉ trials
    /// starting at r_s = r·η^(s_max−s) epochs. For R = 81, r = 1, η = 3 this is the paper's table:
    /// (4, 81, 1), (3, 34, 3), (2, 15, 9), (1, 8, 27), (0, 5, 81). (The paper's r_s = R·η⁻ˢ equals
    /// r·η^(s_max−s) when R/r is a power of η; otherwise this keeps whole epochs and the most
    /// aggressive bracket's grace exactly r, as Ray Tune does, and bracket 0 starts below R.)
    public static func brackets(maxEpochs R: Int, grace r: Int, eta: Int) -> [(s: Int, trials: Int, epochs: Int)] {
        let eta = max(2, eta), r = max(1, r), R = max(1, R)
        var sMax = 0, reach = r
        while true {
            let (next, overflow) = reach.multipliedReportingOverflow(by: eta)
            guard !overflow, next <= R else { break }
            reach = next
            sMax += 1
        }
        func power(_ k: Int) -> Int { (0..<k).reduce(1) { p, _ in p * eta } }  // ηᵏ ≤ R/r: no overflow
        return (0...sMax).reversed().map { s in
            let trials = ((sMax + 1) * power(s) + s) / (s + 1)  // ⌈(s_max+1)·ηˢ/(s+1)⌉
            return (s, trials, r * power(sMax - s))
        }
    }
}

/// Hyperband over ASHA brackets (asynchronous Hyperband, as Ray Tune's `AsyncHyperBandScheduler`):
/// bracket s of `Hyperband.brackets` is an `ASHAStopper` with grace r_s = r·η^(s_max−s), so bracket
/// s_max prunes from epoch r on and bracket 0 at most once, late (never when R/r is a power of η). With `brackets: b` only the b most
/// aggressive brackets are used (s = s_max … s_max − b + 1; b = 1 is plain ASHA), as in Ray.
///
/// Trial i's bracket is a pure function of i: the brackets' n_s (the paper's trial counts) as
/// weights of a smooth weighted round-robin (nginx's), repeating every Σ n_s trials, so that any
/// prefix of the trials splits between brackets in close to the paper's proportions. Every trial
/// may train `maxEpochs` (R) epochs; the brackets differ in where their rungs are.
public struct HyperbandStopper: Stopper, Sendable {
    public let graceEpochs: Int
    public let reductionFactor: Int
    public let goal: Goal
    public let maxEpochs: Int
    /// The brackets in use, most aggressive first.
    public let brackets: [(s: Int, trials: Int, epochs: Int)]

    private var stoppers: [ASHAStopper]
    /// One cycle of bracket positions (indices into `brackets`).
    private let cycle: [UInt8]

    public init(graceEpochs: Int = 1, reductionFactor: Int = 3, brackets count: Int? = nil,
                goal: Goal = .minimize, maxEpochs: Int) {
        self.graceEpochs = max(1, graceEpochs)
        self.reductionFactor = max(2, reductionFactor)
        self.goal = goal
        self.maxEpochs = maxEpochs
        let all = Hyperband.brackets(maxEpochs: maxEpochs, grace: graceEpochs, eta: reductionFactor)
        let used = Array(all.prefix(max(1, min(count ?? all.count, all.count))))
        brackets = used
        stoppers = used.map { b in
            var asha = ASHAStopper(graceEpochs: b.epochs, reductionFactor: reductionFactor, goal: goal, maxEpochs: maxEpochs)
            asha.reasonPrefix = "Hyperband bracket s=\(b.s): "
            return asha
        }
        // Smooth weighted round-robin: each turn every bracket gains its weight, the richest
        // (first on ties) is chosen and pays the total.
        let weights = used.map(\.trials), total = weights.reduce(0, +)
        var credit = [Int](repeating: 0, count: used.count), cycle: [UInt8] = []
        cycle.reserveCapacity(total)
        for _ in 0..<total {
            for j in credit.indices { credit[j] += weights[j] }
            let j = credit.indices.max { credit[$0] < credit[$1] || (credit[$0] == credit[$1] && $0 > $1) }!
            credit[j] -= total
            cycle.append(UInt8(j))
        }
        self.cycle = cycle
    }

    /// The position in `brackets` of trial `trial`'s bracket.
    public func bracketIndex(trial: Int) -> Int {
        let n = cycle.count, p = ((trial % n) + n) % n
        return Int(cycle[p])
    }

    /// The bracket s of trial `trial`.
    public func bracket(trial: Int) -> Int { brackets[bracketIndex(trial: trial)].s }

    public mutating func report(trial: Int, epoch: Int, value: Double) -> StopDecision {
        stoppers[bracketIndex(trial: trial)].report(trial: trial, epoch: epoch, value: value)
    }

    public func maxEpochs(trial: Int) -> Int { maxEpochs }
}
