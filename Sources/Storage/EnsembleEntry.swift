// EnsembleEntry: one model's (or an ensemble's) results, as the ensembles table stores them.
import Foundation

/// One model's (or the ensemble's) results.
public struct EnsembleEntry: Sendable, Codable, Equatable {
    /// The trial index; nil for the ensemble itself.
    public var trial: Int?
    public var name: String
    /// Its weight in the ensemble (members only).
    public var weight: Double?
    public var validation: ClassificationMetrics
    public var test: ClassificationMetrics
    /// Trainable parameters and forward FLOPs per example (the ensemble: its members' sums).
    public var params: Int
    public var flopsPerExample: Int

    public init(trial: Int? = nil, name: String, weight: Double? = nil, validation: ClassificationMetrics, test: ClassificationMetrics, params: Int, flopsPerExample: Int) {
        self.trial = trial
        self.name = name
        self.weight = weight
        self.validation = validation
        self.test = test
        self.params = params
        self.flopsPerExample = flopsPerExample
    }
}
