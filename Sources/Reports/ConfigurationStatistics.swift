// ConfigurationStatistics: with `repeats: N`, each configuration's figure — the mean of its
// repeats' best values — and their spread, for `status`, `status --json` and the report.
import Foundation
import Search
import Storage

/// One configuration's repeats: trials `index × repeats ..< (index + 1) × repeats`.
public struct ConfigurationStatistics: Sendable, Equatable {
    /// The configuration index (trial index ÷ repeats).
    public var index: Int
    /// Its trials present in the store, by index.
    public var trials: [Int]
    /// The mean of the sweep metric at each finished repeat's best epoch (those that kept a
    /// model: completed, early_stopped, pruned, stopped), nil when none has a value yet.
    public var mean: Double?
    /// Their sample standard deviation (n − 1 in the denominator); nil with fewer than 2 values.
    public var standardDeviation: Double?
    /// How many repeats the mean is over.
    public var count: Int

    /// Every configuration of `trials`, by index, with its repeats' mean and standard deviation.
    public static func all(_ trials: [TrialRecord], repeats: Int) -> [ConfigurationStatistics] {
        let n = max(repeats, 1)
        return Dictionary(grouping: trials, by: { $0.index / n }).map { g, members in
            // As rank 0 stores it (ConfigurationRecord): the finished repeats that kept a model.
            let r = ConfigurationRecord.of(index: g, values: members.sorted { $0.index < $1.index }.filter(\.state.hasModel).compactMap(\.bestValue))
            return ConfigurationStatistics(index: g, trials: members.map(\.index).sorted(), mean: r.mean, standardDeviation: r.standardDeviation, count: r.repeats)
        }.sorted { $0.index < $1.index }
    }

    /// Best mean first (by `metric`), then those without a value by index.
    public static func ranked(_ trials: [TrialRecord], repeats: Int, metric: MetricSpec) -> [ConfigurationStatistics] {
        all(trials, repeats: repeats).sorted { a, b in
            switch (a.mean, b.mean) {
            case let (x?, y?): return x == y ? a.index < b.index : metric.isBetter(x, than: y)
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.index < b.index
            }
        }
    }

    /// "0.8123 ± 0.004142 (3 repeats)", four significant digits.
    public var text: String {
        guard let mean else { return "- (no value yet)" }
        let sd = standardDeviation.map { " ± " + String(format: "%.4g", $0) } ?? ""
        return String(format: "%.4g", mean) + sd + " (\(count) repeat" + (count == 1 ? "" : "s") + ")"
    }
}
