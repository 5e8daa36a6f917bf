// EnsembleSelection: which members, with which weights. Selection sees validation predictions
// and labels only; the test split is for evaluating the result.
import Foundation

/// A weighted ensemble of candidates: weights sum to 1, indices into the candidate list.
public struct EnsembleWeights: Sendable, Equatable {
    public var weights: [Double]
    /// Candidates with a positive weight, in candidate order.
    public var members: [Int] { weights.indices.filter { weights[$0] > 0 } }
}

public enum EnsembleSelection {
    /// Equal weights on the first `k` candidates (callers pass candidates best first).
    public static func average(candidates: Int, top k: Int) -> EnsembleWeights {
        let k = Swift.min(Swift.max(k, 1), candidates)
        return EnsembleWeights(weights: (0..<candidates).map { $0 < k ? 1 / Double(k) : 0 })
    }

    /// Weighted average of probability matrices (all [count × classes]).
    public static func combine(_ predictions: [[Float]], _ w: EnsembleWeights) -> [Float] {
        precondition(predictions.count == w.weights.count, "one prediction matrix per candidate")
        guard let n = predictions.first?.count else { return [] }
        var out = [Double](repeating: 0, count: n)
        for (p, weight) in zip(predictions, w.weights) where weight > 0 {
            precondition(p.count == n, "prediction matrices differ in size")
            for i in 0..<n { out[i] += weight * Double(p[i]) }
        }
        return out.map(Float.init)
    }

    /// The trace of a greedy selection: the validation NLL after each step.
    public struct GreedyTrace: Sendable, Equatable {
        public var losses: [Double]
        /// 0-based step whose ensemble was kept (the lowest loss, earliest on ties).
        public var bestStep: Int
    }

    /// Caruana et al. (2004) forward selection with replacement: start from the `initial` best
    /// candidates by validation NLL (sorted initialisation), then repeatedly add the candidate
    /// (any, again if it helps) whose addition gives the lowest validation NLL, for `steps`
    /// additions; keep the ensemble of the best step, not the last (auto-sklearn returned the
    /// last). Weights are the counts of each candidate divided by the ensemble size.
    public static func greedy(validation: [[Float]], labels: [Int], classes c: Int, initial: Int = 2, steps: Int = 25)
        -> (weights: EnsembleWeights, trace: GreedyTrace) {
        let m = validation.count
        precondition(m > 0, "greedy selection needs candidates")
        let n = labels.count
        func nll(_ sum: [Double], size: Int) -> Double {
            var total = 0.0
            for r in 0..<n { total -= Foundation.log(Swift.max(sum[r * c + labels[r]] / Double(size), 1e-12)) }
            return total / Double(Swift.max(n, 1))
        }
        let single = (0..<m).map { i in nll(validation[i].map(Double.init), size: 1) }
        let order = (0..<m).sorted { (single[$0], $0) < (single[$1], $1) }
        var counts = [Int](repeating: 0, count: m)
        var sum = [Double](repeating: 0, count: n * c)
        var size = 0
        var losses: [Double] = []
        var snapshots: [[Int]] = []
        for i in order.prefix(Swift.max(1, Swift.min(initial, m))) {
            counts[i] += 1
            size += 1
            for k in 0..<(n * c) { sum[k] += Double(validation[i][k]) }
        }
        losses.append(nll(sum, size: size))
        snapshots.append(counts)
        for _ in 0..<steps {
            var best = (loss: Double.infinity, index: 0)
            for i in 0..<m {
                var total = 0.0
                let p = validation[i]
                for r in 0..<n {
                    let k = r * c + labels[r]
                    total -= Foundation.log(Swift.max((sum[k] + Double(p[k])) / Double(size + 1), 1e-12))
                }
                let loss = total / Double(Swift.max(n, 1))
                if loss < best.loss { best = (loss, i) }
            }
            counts[best.index] += 1
            size += 1
            for k in 0..<(n * c) { sum[k] += Double(validation[best.index][k]) }
            losses.append(best.loss)
            snapshots.append(counts)
        }
        var bestStep = 0
        for (s, l) in losses.enumerated() where l < losses[bestStep] { bestStep = s }
        let kept = snapshots[bestStep], total = Double(kept.reduce(0, +))
        return (EnsembleWeights(weights: kept.map { Double($0) / total }), GreedyTrace(losses: losses, bestStep: bestStep))
    }

    /// Why a top-k candidate was left out of a safe average.
    public struct Exclusion: Sendable, Equatable {
        /// Index into the candidate list.
        public var candidate: Int
        /// The ensemble's validation NLL before, and what it would have been with the candidate.
        public var nllWithout: Double
        public var nllWith: Double
    }

    /// The safe default: the first `k` candidates (best first by the sweep metric) averaged with
    /// equal weights, except that each one after the first is admitted only if adding it does not
    /// raise the ensemble's validation NLL; the others are left out and returned with the NLL
    /// they would have caused. So the ensemble's validation NLL is never above its first
    /// member's (a plain average of a sweep's top five, most of them pruned early, was worse
    /// than the best single model in NLL and ECE on small tabular sets). Candidates are visited
    /// in rank order, so the result depends only on the ranking and the validation predictions.
    public static func safeAverage(validation: [[Float]], labels: [Int], classes c: Int, top k: Int)
        -> (weights: EnsembleWeights, excluded: [Exclusion]) {
        let m = validation.count
        precondition(m > 0, "an ensemble needs candidates")
        let n = labels.count
        let pool = Swift.min(Swift.max(k, 1), m)
        // Only each row's true-class probability matters for NLL.
        func truth(_ i: Int) -> [Double] { (0..<n).map { Double(validation[i][$0 * c + labels[$0]]) } }
        func nll(_ sum: [Double], size: Int) -> Double {
            var total = 0.0
            for r in 0..<n { total -= Foundation.log(Swift.max(sum[r] / Double(size), 1e-12)) }
            return total / Double(Swift.max(n, 1))
        }
        var sum = truth(0), size = 1
        var current = nll(sum, size: size)
        var chosen = [0], excluded: [Exclusion] = []
        for i in 1..<pool {
            let t = truth(i)
            let trial = zip(sum, t).map { $0 + $1 }
            let with = nll(trial, size: size + 1)
            if with <= current {
                sum = trial
                size += 1
                current = with
                chosen.append(i)
            } else {
                excluded.append(Exclusion(candidate: i, nllWithout: current, nllWith: with))
            }
        }
        let w = 1 / Double(chosen.count)
        return (EnsembleWeights(weights: (0..<m).map { chosen.contains($0) ? w : 0 }), excluded)
    }
}
