// EnsembleSelection: which members, with which weights. Selection sees validation predictions
// and labels (regression: targets) only; the test split is for evaluating the result.
import Datasets
import Foundation

/// A weighted ensemble of candidates: weights sum to 1, indices into the candidate list.
public struct EnsembleWeights: Sendable, Equatable {
    public var weights: [Double]
    /// Candidates with a positive weight, in candidate order.
    public var members: [Int] { weights.indices.filter { weights[$0] > 0 } }
}

/// Selection scores an ensemble by a loss that is a mean, over the entries of a per-candidate
/// vector, of a function of the members' averaged entry: for classification the vector holds each
/// row's true-class probability and the loss is the NLL; for regression it holds each row's and
/// target's prediction divided by the target's standard deviation, and the loss is the mean
/// squared error of the standardised targets (so that targets on large scales do not dominate
/// the others; with one target it orders ensembles exactly as the MSE in the target's units does).
/// Both selections below run on these vectors, whatever the task.
public enum EnsembleSelection {
    /// Equal weights on the first `k` candidates (callers pass candidates best first).
    public static func average(candidates: Int, top k: Int) -> EnsembleWeights {
        let k = Swift.min(Swift.max(k, 1), candidates)
        return EnsembleWeights(weights: (0..<candidates).map { $0 < k ? 1 / Double(k) : 0 })
    }

    /// Weighted average of prediction matrices (all the same size): class probabilities
    /// [count × classes], or regression predictions [count × targets] (an ensemble of regression
    /// models predicts its members' weighted mean).
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

    /// The trace of a greedy selection: the validation loss (NLL, or for regression the
    /// standardised MSE) after each step.
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
        precondition(!validation.isEmpty, "greedy selection needs candidates")
        return greedy(truth(validation, labels: labels, classes: c), initial: initial, steps: steps, loss: negativeLog)
    }

    /// Regression: the same forward selection, on `validation` predictions [count × targets] in
    /// the targets' units, minimising the validation mean squared error of the standardised
    /// targets ((prediction − target) ÷ the target's standard deviation, squared, averaged over
    /// rows and targets: what `val_loss` is for regression).
    public static func greedy(validation: [[Float]], targets: Dataset.Targets, initial: Int = 2, steps: Int = 25)
        -> (weights: EnsembleWeights, trace: GreedyTrace) {
        precondition(!validation.isEmpty, "greedy selection needs candidates")
        let (vectors, goal) = standardised(validation, targets: targets)
        return greedy(vectors, initial: initial, steps: steps) { mean, k in let d = mean - goal[k]; return d * d }
    }

    /// Why a top-k candidate was left out of a safe average.
    public struct Exclusion: Sendable, Equatable {
        /// Index into the candidate list.
        public var candidate: Int
        /// The ensemble's validation loss (NLL; regression: standardised MSE) before, and what
        /// it would have been with the candidate.
        public var lossWithout: Double
        public var lossWith: Double
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
        precondition(!validation.isEmpty, "an ensemble needs candidates")
        return safeAverage(truth(validation, labels: labels, classes: c), top: k, loss: negativeLog)
    }

    /// Regression: the same safe average of predictions [count × targets] (targets' units), a
    /// candidate admitted only if it does not raise the validation mean squared error of the
    /// standardised targets; so the ensemble's validation standardised MSE (with one target: its
    /// validation RMSE) is never above its first member's.
    public static func safeAverage(validation: [[Float]], targets: Dataset.Targets, top k: Int)
        -> (weights: EnsembleWeights, excluded: [Exclusion]) {
        precondition(!validation.isEmpty, "an ensemble needs candidates")
        let (vectors, goal) = standardised(validation, targets: targets)
        return safeAverage(vectors, top: k) { mean, i in let d = mean - goal[i]; return d * d }
    }

    // MARK: The selections on score vectors

    /// Classification: each candidate's true-class probability per row.
    static func truth(_ validation: [[Float]], labels: [Int], classes c: Int) -> [[Double]] {
        validation.map { p in
            precondition(p.count == labels.count * c, "\(p.count) probabilities for \(labels.count) labels × \(c) classes")
            return labels.indices.map { Double(p[$0 * c + labels[$0]]) }
        }
    }

    /// −ln of an averaged true-class probability, floored at 1e-12.
    static func negativeLog(_ mean: Double, _ index: Int) -> Double { -Foundation.log(Swift.max(mean, 1e-12)) }

    /// Regression: each candidate's predictions divided by the targets' standard deviations, and
    /// the targets (own units) divided likewise: their differences are standardised errors.
    static func standardised(_ validation: [[Float]], targets t: Dataset.Targets) -> (vectors: [[Double]], goal: [Double]) {
        let w = t.width, n = t.values.count / w
        let scale = t.std.map { $0 > 0 && $0.isFinite ? $0 : 1 }
        let goal = (0..<(n * w)).map { k in t.value(row: k / w, target: k % w) / scale[k % w] }
        let vectors = validation.map { p in
            precondition(p.count == n * w, "\(p.count) predictions for \(n) rows × \(w) targets")
            return (0..<(n * w)).map { k in Double(p[k]) / scale[k % w] }
        }
        return (vectors, goal)
    }

    /// The mean over entries of `loss(average entry, index)` of an ensemble whose members' vectors
    /// sum to `sum`, plus `extra` when given, over `size` members.
    @inline(__always)
    static func meanLoss(_ sum: [Double], plus extra: [Double]?, size: Int, _ loss: (Double, Int) -> Double) -> Double {
        var total = 0.0
        let d = Double(size)
        if let extra {
            for k in sum.indices { total += loss((sum[k] + extra[k]) / d, k) }
        } else {
            for k in sum.indices { total += loss(sum[k] / d, k) }
        }
        return total / Double(Swift.max(sum.count, 1))
    }

    /// Caruana's selection on score vectors (see the public `greedy`).
    static func greedy(_ vectors: [[Double]], initial: Int, steps: Int, loss: (Double, Int) -> Double)
        -> (weights: EnsembleWeights, trace: GreedyTrace) {
        let m = vectors.count, n = vectors[0].count
        let single = (0..<m).map { i in meanLoss(vectors[i], plus: nil, size: 1, loss) }
        let order = (0..<m).sorted { (single[$0], $0) < (single[$1], $1) }
        var counts = [Int](repeating: 0, count: m)
        var sum = [Double](repeating: 0, count: n)
        var size = 0
        var losses: [Double] = []
        var snapshots: [[Int]] = []
        for i in order.prefix(Swift.max(1, Swift.min(initial, m))) {
            counts[i] += 1
            size += 1
            for k in 0..<n { sum[k] += vectors[i][k] }
        }
        losses.append(meanLoss(sum, plus: nil, size: size, loss))
        snapshots.append(counts)
        for _ in 0..<steps {
            var best = (loss: Double.infinity, index: 0)
            for i in 0..<m {
                let l = meanLoss(sum, plus: vectors[i], size: size + 1, loss)
                if l < best.loss { best = (l, i) }
            }
            counts[best.index] += 1
            size += 1
            for k in 0..<n { sum[k] += vectors[best.index][k] }
            losses.append(best.loss)
            snapshots.append(counts)
        }
        var bestStep = 0
        for (s, l) in losses.enumerated() where l < losses[bestStep] { bestStep = s }
        let kept = snapshots[bestStep], total = Double(kept.reduce(0, +))
        return (EnsembleWeights(weights: kept.map { Double($0) / total }), GreedyTrace(losses: losses, bestStep: bestStep))
    }

    /// The safe average on score vectors (see the public `safeAverage`).
    static func safeAverage(_ vectors: [[Double]], top k: Int, loss: (Double, Int) -> Double)
        -> (weights: EnsembleWeights, excluded: [Exclusion]) {
        let m = vectors.count
        let pool = Swift.min(Swift.max(k, 1), m)
        var sum = vectors[0], size = 1
        var current = meanLoss(sum, plus: nil, size: size, loss)
        var chosen = [0], excluded: [Exclusion] = []
        for i in 1..<pool {
            let with = meanLoss(sum, plus: vectors[i], size: size + 1, loss)
            if with <= current {
                for j in sum.indices { sum[j] += vectors[i][j] }
                size += 1
                current = with
                chosen.append(i)
            } else {
                excluded.append(Exclusion(candidate: i, lossWithout: current, lossWith: with))
            }
        }
        let w = 1 / Double(chosen.count)
        return (EnsembleWeights(weights: (0..<m).map { chosen.contains($0) ? w : 0 }), excluded)
    }
}
