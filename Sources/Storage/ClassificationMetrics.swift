// ClassificationMetrics: how good a matrix of class probabilities is against the labels (the
// stored figures; Ensembles computes them).
import Foundation

/// Accuracy, negative log-likelihood, Brier score and expected calibration error of
/// probabilities [count × classes] (row-major) against `labels`.
public struct ClassificationMetrics: Sendable, Equatable, Codable {
    public var accuracy: Double
    /// Mean −ln p(true class), with p floored at 1e-12.
    public var nll: Double
    /// Mean over examples of Σ_c (p_c − 1[c = y])².
    public var brier: Double
    /// Expected calibration error over `bins` equal-width confidence bins (Naeini et al. 2015;
    /// Guo et al. 2017): Σ_b (n_b / N) · |accuracy_b − confidence_b|.
    public var ece: Double
    public var count: Int

    public static let bins = 15

    public init(accuracy: Double, nll: Double, brier: Double, ece: Double, count: Int) {
        self.accuracy = accuracy
        self.nll = nll
        self.brier = brier
        self.ece = ece
        self.count = count
    }
}
