// Computing RegressionMetrics from a matrix of regression predictions and the targets.
import Datasets
import Foundation
import Storage
import Training

extension RegressionMetrics {
    /// The metrics of predictions [count × targets] (row-major, the targets' own units) against
    /// `targets` (`RegressionScores`: RMSE, MAE and R² in own units).
    public init(predictions: [Float], targets: Dataset.Targets) {
        let s = RegressionScores(predictions: predictions, targets: targets)
        self.init(rmse: s.rmse, mae: s.mae, r2: s.r2, count: targets.values.count / targets.width)
    }
}
