// ConfigurationRecord: with `repeats:`, one configuration's figure over its repeats, as stored.

/// Configuration `index` (trials `index × repeats ..< (index + 1) × repeats`): the mean and
/// sample standard deviation of the sweep metric at each of its finished repeats' best epochs.
/// Rank 0 rewrites it each time one of its repeats ends.
public struct ConfigurationRecord: Sendable, Equatable {
    public var index: Int
    /// Finished repeats with a finite value (what the mean is over).
    public var repeats: Int
    /// Nil when no repeat has a value yet.
    public var mean: Double?
    /// Nil with fewer than two values.
    public var standardDeviation: Double?

    public init(index: Int, repeats: Int, mean: Double?, standardDeviation: Double?) {
        self.index = index
        self.repeats = repeats
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// The record for `values` (finite ones count): mean, and the sample standard deviation (n − 1).
    public static func of(index: Int, values: [Double]) -> ConfigurationRecord {
        let v = values.filter(\.isFinite)
        let mean = v.isEmpty ? nil : v.reduce(0, +) / Double(v.count)
        var sd: Double?
        if let mean, v.count > 1 { sd = (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count - 1)).squareRoot() }
        return ConfigurationRecord(index: index, repeats: v.count, mean: mean, standardDeviation: sd)
    }
}
