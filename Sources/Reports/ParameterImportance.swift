// ParameterImportance: how much of the variation between trials each hyperparameter explains on
// its own — a first-order variance decomposition from binned marginals, in the spirit of fANOVA
// (Hutter et al. 2014) but with no surrogate model to fit.
import Search

/// Importance of each parameter for the sweep metric.
///
/// Method (deterministic, no model fitting, first-order only):
/// 1. The metric values are clamped to Tukey's far fences [Q1 − 3·IQR, Q3 + 3·IQR] (quartiles
///    interpolated; no clamping when IQR = 0), so that one diverged trial's enormous loss cannot
///    own the variance while real differences keep their size (ranks would blow a tiny but
///    consistent effect up to a large one).
/// 2. Each parameter's trials are put in bins: one per category for categorical parameters;
///    for numeric ones, quantile bins (k = ⌊√n⌉ clamped to 2…`maxBins`, equal values always in
///    the same bin; each distinct value its own bin when there are at most k); trials where the
///    parameter is inactive (absent) form one more bin.
/// 3. Its explained share of the metric's variance is ε² = (SS_between − (k − 1)·SS_within/(n − k)) / SS_total
///    (the bin means' weighted variance, corrected for the variance that k bins of pure noise
///    would explain), clamped to [0, 1]; 0 when n ≤ k or the metric does not vary.
/// 4. `share` normalises these to sum to 1 across parameters (all 0 when none explains anything).
/// Interactions between parameters are not measured: a parameter that matters only together with
/// another can look unimportant.
public struct ParameterImportance: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var name: String
        /// ε²: the fraction of the (clamped) metric's variance this parameter explains alone.
        public var explained: Double
        /// `explained` normalised over all parameters (the shares sum to 1, or are all 0).
        public var share: Double
        /// The bins used (categories, quantile bins, plus one when some trials lack the parameter).
        public var bins: Int
    }

    /// One entry per parameter, in the order given.
    public var entries: [Entry]
    /// Trials with a finite metric value that went into the computation.
    public var trials: Int

    /// One sentence for readers of the report.
    public static let methodSentence = "Importance is a first-order variance decomposition in the spirit of fANOVA: "
        + "for each parameter, the trials are binned by its value (quantile bins for numbers, one bin per category, one for "
        + "'inactive') and its importance is the share of the variance of the trials' metric (outliers clamped to Tukey's far fences) "
        + "that the bin means explain (ε², corrected for the number of bins), normalised to sum to 1 — cheap, deterministic and free of model fitting, "
        + "but first-order only: interactions between parameters are not seen."

    /// - Parameters:
    ///   - parameters: the names, each with whether its values are categories (else numbers;
    ///     a non-numeric value of a numeric parameter is binned as a category of its own).
    ///   - trials: each trial's configuration and metric value; non-finite values are skipped.
    ///   - maxBins: the most quantile bins for a numeric parameter (≥ 2).
    public init(parameters: [(name: String, categorical: Bool)], trials: [(configuration: Configuration, value: Double)],
                maxBins: Int = 10) {
        let rows = trials.filter { $0.value.isFinite }
        let ys = Self.clamped(rows.map(\.value))
        let n = ys.count
        let mean = n > 0 ? ys.reduce(0, +) / Double(n) : 0
        let total = ys.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let k = min(max(Int(Double(n).squareRoot().rounded()), 2), max(maxBins, 2))
        var entries: [Entry] = []
        for p in parameters {
            let labels = Self.binLabels(rows.map { $0.configuration[p.name] }, categorical: p.categorical, bins: k)
            var sums: [String: (count: Double, sum: Double)] = [:]
            for (label, r) in zip(labels, ys) { sums[label, default: (0, 0)].count += 1; sums[label]!.sum += r }
            let between = sums.values.reduce(0.0) { acc, b in let m = b.sum / b.count; return acc + b.count * (m - mean) * (m - mean) }
            let bins = sums.count
            var explained = 0.0
            if let lo = ys.min(), let hi = ys.max(), hi > lo, total > 0, n > bins, bins > 1 {
                let within = total - between
                explained = min(max((between - Double(bins - 1) * within / Double(n - bins)) / total, 0), 1)
            }
            entries.append(Entry(name: p.name, explained: explained, share: 0, bins: bins))
        }
        let sum = entries.reduce(0) { $0 + $1.explained }
        for i in entries.indices { entries[i].share = sum > 0 ? entries[i].explained / sum : 0 }
        self.entries = entries
        self.trials = n
    }

    /// `values` clamped to [Q1 − 3·IQR, Q3 + 3·IQR] (quartiles by linear interpolation between
    /// order statistics); unchanged when the IQR is 0 or there are fewer than 4 values.
    static func clamped(_ values: [Double]) -> [Double] {
        guard values.count >= 4 else { return values }
        let sorted = values.sorted()
        func quantile(_ q: Double) -> Double {
            let x = q * Double(sorted.count - 1), i = Int(x), f = x - Double(i)
            return i + 1 < sorted.count ? sorted[i] + f * (sorted[i + 1] - sorted[i]) : sorted[i]
        }
        let q1 = quantile(0.25), q3 = quantile(0.75), iqr = q3 - q1
        guard iqr > 0 else { return values }
        return values.map { min(max($0, q1 - 3 * iqr), q3 + 3 * iqr) }
    }

    /// Each value's bin, as a label: "inactive" when absent, the value itself for categories (and
    /// non-numeric values), "q<b>" for the quantile bin b of a number.
    static func binLabels(_ values: [ParameterValue?], categorical: Bool, bins k: Int) -> [String] {
        let numbers = values.compactMap { v in categorical ? nil : v?.doubleValue }.filter(\.isFinite).sorted()
        let distinct = Array(Set(numbers)).sorted()
        return values.map { v in
            guard let v else { return "inactive" }
            guard !categorical, let x = v.doubleValue, x.isFinite else { return "c:" + v.description }
            if distinct.count <= k { return "q\(distinct.firstIndex(of: x)!)" }
            // Lower-bound rank: equal values share a bin.
            var lo = 0, hi = numbers.count
            while lo < hi { let mid = (lo + hi) / 2; if numbers[mid] < x { lo = mid + 1 } else { hi = mid } }
            return "q\(min(lo * k / numbers.count, k - 1))"
        }
    }
}
