// EnsembleEntry: one model's (or an ensemble's) results, as the ensembles table stores them.
import Foundation

/// One model's (or the ensemble's) results: classification metrics (`validation`, `test`) for a
/// classifier, regression metrics (`regressionValidation`, `regressionTest`) for a regression
/// model; exactly one pair is set. Stored JSON: a classification entry has the keys it always had
/// (`validation`, `test`, …, no regression keys), so results stored before regression existed
/// decode unchanged; a regression entry has `regressionValidation` and `regressionTest` instead of
/// `validation` and `test`.
public struct EnsembleEntry: Sendable, Codable, Equatable {
    /// The trial index; nil for the ensemble itself.
    public var trial: Int?
    public var name: String
    /// Its weight in the ensemble (members only).
    public var weight: Double?
    /// Classification only: metrics of the class probabilities on the validation and test splits.
    public var validation: ClassificationMetrics?
    public var test: ClassificationMetrics?
    /// Regression only: metrics of the predictions (targets' units) on the validation and test splits.
    public var regressionValidation: RegressionMetrics?
    public var regressionTest: RegressionMetrics?
    /// Trainable parameters and forward FLOPs per example (the ensemble: its members' sums).
    public var params: Int
    public var flopsPerExample: Int

    /// A classifier's entry.
    public init(trial: Int? = nil, name: String, weight: Double? = nil, validation: ClassificationMetrics, test: ClassificationMetrics, params: Int, flopsPerExample: Int) {
        self.trial = trial
        self.name = name
        self.weight = weight
        self.validation = validation
        self.test = test
        self.params = params
        self.flopsPerExample = flopsPerExample
    }

    /// A regression model's entry.
    public init(trial: Int? = nil, name: String, weight: Double? = nil, validation: RegressionMetrics, test: RegressionMetrics, params: Int, flopsPerExample: Int) {
        self.trial = trial
        self.name = name
        self.weight = weight
        self.regressionValidation = validation
        self.regressionTest = test
        self.params = params
        self.flopsPerExample = flopsPerExample
    }

    /// Whether this entry holds regression metrics.
    public var isRegression: Bool { regressionTest != nil || regressionValidation != nil }
}
