// EnsembleReport: an ensemble's members, the best single model and the ensemble, as stored.
import Foundation

/// What `hpsearch ensemble` built: stored as JSON (`ResultJSON`) in the ensembles table.
public struct EnsembleReport: Sendable, Codable, Equatable {
    public var method: String
    public var members: [EnsembleEntry]
    public var bestSingle: EnsembleEntry
    public var ensemble: EnsembleEntry
    /// Greedy selection only: validation NLL after each step, and the step kept.
    public var greedyLosses: [Double]?
    public var greedyBestStep: Int?

    public init(method: String, members: [EnsembleEntry], bestSingle: EnsembleEntry, ensemble: EnsembleEntry, greedyLosses: [Double]? = nil, greedyBestStep: Int? = nil) {
        self.method = method
        self.members = members
        self.bestSingle = bestSingle
        self.ensemble = ensemble
        self.greedyLosses = greedyLosses
        self.greedyBestStep = greedyBestStep
    }
}
