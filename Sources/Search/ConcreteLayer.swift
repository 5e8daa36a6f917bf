// ConcreteLayer: one layer with every argument evaluated for one configuration — what Training
// infers shapes for and builds.

/// An evaluated layer, at the location of the `LayerNode` it comes from (a repeated layer appears
/// once per repetition, each copy at the same location).
public struct ConcreteLayer: Sendable, Hashable, CustomStringConvertible {
    public enum Padding: Sendable, Hashable {
        /// Output side = ceil(input / stride).
        case same
        /// No padding.
        case valid
        /// This many zero pixels on each side.
        case pixels(Int)
    }

    public enum Operation: Sendable, Hashable {
        case dense(units: Int, bias: Bool = true)
        case conv2d(channels: Int, kernel: Int, stride: Int, padding: Padding, bias: Bool = true)
        case maxPool(size: Int, stride: Int)
        case avgPool(size: Int, stride: Int)
        case globalAvgPool, flatten, batchNorm, layerNorm
        /// rate in [0, 1).
        case dropout(rate: Double)
        /// One of `LayerKind.activationNames` (NN's `ActivationKind` raw values).
        case activation(String)
        /// Adds the block's input to its output (Training projects when the shapes differ).
        case residual([ConcreteLayer])
        case embedding(vocabulary: Int, dim: Int)
    }

    public var operation: Operation
    public var location: SourceLocation

    public init(operation: Operation, location: SourceLocation) {
        self.operation = operation
        self.location = location
    }

    /// The layer in the sweep file's syntax: `conv2d {channels: 32, kernel: 3, stride: 1, padding: same}`.
    public var description: String {
        switch operation {
        // `bias` is written only when false, so that lists without it describe (and fingerprint) as before.
        case .dense(let units, let bias): return "dense {units: \(units)\(bias ? "" : ", bias: false")}"
        case .conv2d(let c, let k, let s, let p, let bias):
            let padding = switch p { case .same: "same"; case .valid: "valid"; case .pixels(let n): "\(n)" }
            return "conv2d {channels: \(c), kernel: \(k), stride: \(s), padding: \(padding)\(bias ? "" : ", bias: false")}"
        case .maxPool(let size, let stride): return "max_pool {size: \(size), stride: \(stride)}"
        case .avgPool(let size, let stride): return "avg_pool {size: \(size), stride: \(stride)}"
        case .globalAvgPool: return "global_avg_pool"
        case .flatten: return "flatten"
        case .batchNorm: return "batch_norm"
        case .layerNorm: return "layer_norm"
        case .dropout(let rate): return "dropout {rate: \(rate.compact)}"
        case .activation(let name): return name
        case .residual(let layers): return "residual [" + layers.map(\.description).joined(separator: ", ") + "]"
        case .embedding(let v, let d): return "embedding {vocabulary: \(v), dim: \(d)}"
        }
    }
}
