// EnsembleReport: an ensemble's members, the best single model and the ensemble, as stored.
import Foundation

/// What `hpsearch ensemble` built: stored as JSON (`ResultJSON`) in the ensembles table. Its
/// entries hold classification or (`isRegression`) regression metrics; the selection losses below
/// are the validation NLL for classification and the validation mean squared error of the
/// standardised targets for regression.
public struct EnsembleReport: Sendable, Codable, Equatable {
    public var method: String
    public var members: [EnsembleEntry]
    public var bestSingle: EnsembleEntry
    public var ensemble: EnsembleEntry
    /// Greedy selection only: the validation loss (NLL; regression: standardised MSE) after each
    /// step, and the step kept.
    public var greedyLosses: [Double]?
    public var greedyBestStep: Int?
    /// Average only: top-k trials left out because they would have raised the ensemble's
    /// validation loss (nil in reports stored before this was recorded, and with `--keep-all`).
    public var excluded: [Exclusion]?

    /// Whether the entries hold regression metrics.
    public var isRegression: Bool { ensemble.isRegression }

    /// A trial left out of a safe average, and the validation loss it would have caused: the
    /// ensemble's validation NLL (regression: standardised MSE) without it, and with it. Stored
    /// under the keys `validationNLLWithout` and `validationNLLWith` for either task, as before
    /// regression existed.
    public struct Exclusion: Sendable, Codable, Equatable {
        public var trial: Int
        public var validationLossWithout: Double
        public var validationLossWith: Double

        enum CodingKeys: String, CodingKey {
            case trial
            case validationLossWithout = "validationNLLWithout"
            case validationLossWith = "validationNLLWith"
        }

        public init(trial: Int, validationLossWithout: Double, validationLossWith: Double) {
            self.trial = trial
            self.validationLossWithout = validationLossWithout
            self.validationLossWith = validationLossWith
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
