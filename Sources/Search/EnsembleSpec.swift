// EnsembleSpec: combining the best trials after the sweep.

/// Combine the `topK` (≥ 1) best trials. `method`: `average` (mean of their predicted
/// probabilities) or `greedy` (Caruana's forward selection, with replacement, on validation).
public struct EnsembleSpec: Sendable, Hashable {
    public var topK: Int
    public var method: String

    /// The accepted values of `method`.
    public static let methods = ["average", "greedy"]

    public init(topK: Int, method: String = "average") {
        self.topK = topK
        self.method = method
    }
}
