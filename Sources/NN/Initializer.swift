// Weight initialisers (He, LeCun, Glorot; normal and uniform) and output-bias initialisation
// from class priors or the target mean, as the recipe asks ("init well").
import Foundation
import TensorCore

/// How to draw a weight tensor given its fan-in and fan-out.
public enum Initializer: Sendable, Equatable {
    case heNormal, heUniform        // variance 2 / fanIn (ReLU family)
    case lecunNormal, lecunUniform  // variance 1 / fanIn (SELU, tanh)
    case glorotNormal, glorotUniform // variance 2 / (fanIn + fanOut)
    case normal(std: Float)
    case zeros

    /// Parses "he_normal", "glorot_uniform", … (the sweep file's spelling).
    public init?(name: String) {
        switch name.lowercased().replacingOccurrences(of: "-", with: "_") {
        case "he", "he_normal", "kaiming_normal": self = .heNormal
        case "he_uniform", "kaiming_uniform": self = .heUniform
        case "lecun", "lecun_normal": self = .lecunNormal
        case "lecun_uniform": self = .lecunUniform
        case "glorot", "xavier", "glorot_normal", "xavier_normal": self = .glorotNormal
        case "glorot_uniform", "xavier_uniform": self = .glorotUniform
        case "zeros": self = .zeros
        default: return nil
        }
    }

    /// `count` values for a tensor with the given fans.
    public func sample(count: Int, fanIn: Int, fanOut: Int, rng: inout RNG) -> [Float] {
        if Self.samplingSkipped { return [Float](repeating: 0, count: count) }
        let fi = Float(max(fanIn, 1)), fo = Float(max(fanOut, 1))
        func normal(_ variance: Float) -> [Float] { rng.normalArray(count, std: variance.squareRoot()) }
        // Uniform(-a, a) has variance a²/3.
        func uniform(_ variance: Float) -> [Float] { let a = (3 * variance).squareRoot(); return rng.uniformArray(count, -a, a) }
        switch self {
        case .heNormal: return normal(2 / fi)
        case .heUniform: return uniform(2 / fi)
        case .lecunNormal: return normal(1 / fi)
        case .lecunUniform: return uniform(1 / fi)
        case .glorotNormal: return normal(2 / (fi + fo))
        case .glorotUniform: return uniform(2 / (fi + fo))
        case .normal(let std): return rng.normalArray(count, std: std)
        case .zeros: return [Float](repeating: 0, count: count)
        }
    }

    /// Runs `body` with `sample` giving zeros instead of random draws (on this thread): for a
    /// model whose every weight and buffer a checkpoint is about to overwrite (`predict`,
    /// `export-model`), drawing millions of normals first was up to a tenth of the command's CPU.
    public static func withoutSampling<T>(_ body: () throws -> T) rethrows -> T {
        let d = Thread.current.threadDictionary
        let previous = d[skipKey]
        d[skipKey] = true
        defer { d[skipKey] = previous }
        return try body()
    }

    private static let skipKey = "hpsearch.Initializer.withoutSampling"
    static var samplingSkipped: Bool { Thread.current.threadDictionary[skipKey] as? Bool ?? false }

    /// Output-layer bias for classification: log class priors (centred), so that the initial
    /// softmax equals the class frequencies and the loss at init is the prior's entropy.
    public static func biasFromClassPriors(_ priors: [Float]) -> [Float] {
        let total = priors.reduce(0, +)
        precondition(total > 0 && priors.allSatisfy { $0 >= 0 }, "class priors must be non-negative with a positive sum")
        let logs = priors.map { Foundation.log(Swift.max($0 / total, 1e-12)) }
        let mean = logs.reduce(0, +) / Float(logs.count)
        return logs.map { $0 - mean }
    }

    /// Output-layer bias for regression: the training targets' mean, per output.
    public static func biasFromTargetMean(_ targets: [Float], outputs: Int) -> [Float] {
        precondition(outputs > 0 && targets.count % outputs == 0, "targets must be [N, \(outputs)]")
        let n = targets.count / outputs
        return (0..<outputs).map { j in stride(from: j, to: targets.count, by: outputs).reduce(0) { $0 + targets[$1] } / Float(max(n, 1)) }
    }
}
