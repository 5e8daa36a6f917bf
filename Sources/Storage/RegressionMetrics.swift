// RegressionMetrics: how good a matrix of regression predictions is against the targets (the
// stored figures of a regression ensemble's entries; Ensembles computes them).
import Foundation

/// Root mean squared error, mean absolute error and the coefficient of determination of
/// predictions [count × targets] (row-major), all in the targets' own units, over every row and
/// target of a split.
public struct RegressionMetrics: Sendable, Equatable, Codable {
    /// √(mean over rows and targets of (prediction − target)²), in the targets' units.
    public var rmse: Double
    /// Mean over rows and targets of |prediction − target|.
    public var mae: Double
    /// 1 − SSE/SST per target (SST about the split's own mean), averaged over targets
    /// (scikit-learn's `r2_score` with `uniform_average`).
    public var r2: Double
    /// Rows scored.
    public var count: Int

    public init(rmse: Double, mae: Double, r2: Double, count: Int) {
        self.rmse = rmse
        self.mae = mae
        self.r2 = r2
        self.count = count
    }
}
