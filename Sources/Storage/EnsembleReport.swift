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
    /// Average only: top-k trials left out because they would have raised the ensemble's
    /// validation NLL (nil in reports stored before this was recorded, and with `--keep-all`).
    public var excluded: [Exclusion]?

    /// A trial left out of a safe average, and the validation NLL it would have caused.
    public struct Exclusion: Sendable, Codable, Equatable {
        public var trial: Int
        public var validationNLLWithout: Double
        public var validationNLLWith: Double

        public init(trial: Int, validationNLLWithout: Double, validationNLLWith: Double) {
            self.trial = trial
            self.validationNLLWithout = validationNLLWithout
            self.validationNLLWith = validationNLLWith
        }
    }

    public init(method: String, members: [EnsembleEntry], bestSingle: EnsembleEntry, ensemble: EnsembleEntry, greedyLosses: [Double]? = nil,
                greedyBestStep: Int? = nil, excluded: [Exclusion]? = nil) {
        self.method = method
        self.members = members
        self.bestSingle = bestSingle
        self.ensemble = ensemble
        self.greedyLosses = greedyLosses
        self.greedyBestStep = greedyBestStep
        self.excluded = excluded
    }
}
