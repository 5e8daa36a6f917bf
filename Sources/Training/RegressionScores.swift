// RegressionScores: RMSE, MAE and R² of predictions in the targets' own units, over every row of a
// split (the epoch metrics val_rmse/val_mae/val_r2, the test figures, and the ensembles' tables).
import Datasets

public struct RegressionScores: Sendable, Equatable {
    /// Root mean squared error over every row and target, in the targets' units.
    public var rmse: Double
    /// Mean absolute error over every row and target.
    public var mae: Double
    /// The coefficient of determination 1 − SSE/SST per target (SST about the split's own mean),
    /// averaged over targets (scikit-learn's `r2_score`, `uniform_average`); a constant target
    /// scores 1 when predicted exactly, else 0.
    public var r2: Double
    /// Mean squared error of the standardised targets (what `val_loss` is for regression).
    public var standardisedMSE: Double

    /// Scores `predictions` (row-major [count, width], own units) against `targets`.
    public init(predictions: [Float], targets t: Dataset.Targets) {
        let w = t.width, n = t.values.count / w
        precondition(predictions.count == n * w, "\(predictions.count) predictions for \(n) rows × \(w) targets")
        var mean = [Double](repeating: 0, count: w)
        for r in 0..<n { for j in 0..<w { mean[j] += t.value(row: r, target: j) } }
        mean = mean.map { $0 / Double(max(n, 1)) }
        var sse = [Double](repeating: 0, count: w), sst = sse
        var abs = 0.0, standardised = 0.0
        for r in 0..<n {
            for j in 0..<w {
                let y = t.value(row: r, target: j), e = Double(predictions[r * w + j]) - y
                sse[j] += e * e
                sst[j] += (y - mean[j]) * (y - mean[j])
                abs += Swift.abs(e)
                let z = e / t.std[j]
                standardised += z * z
            }
        }
        let cells = Double(max(n * w, 1))
        rmse = (sse.reduce(0, +) / cells).squareRoot()
        mae = abs / cells
        standardisedMSE = standardised / cells
        r2 = (0..<w).map { j in sst[j] > 0 ? 1 - sse[j] / sst[j] : (sse[j] == 0 ? 1 : 0) }.reduce(0, +) / Double(max(w, 1))
    }

    /// The epoch-metric names and values, unprefixed (`rmse`, `mae`, `r2`).
    public var metrics: [String: Double] { ["rmse": rmse, "mae": mae, "r2": r2] }
}
