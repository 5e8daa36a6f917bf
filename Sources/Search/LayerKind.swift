// LayerKind: the layers a sweep file's `model: {layers: …}` can name, and the arguments each takes.

/// A layer kind, spelt as in the sweep file.
public enum LayerKind: String, Sendable, Hashable, CaseIterable {
    case dense, conv2d, maxPool = "max_pool", avgPool = "avg_pool", globalAvgPool = "global_avg_pool", flatten
    case batchNorm = "batch_norm", layerNorm = "layer_norm", dropout, activation, residual
    case `repeat`, embedding

    /// The activations, each also a layer of its own (`- relu`).
    public static let activationNames = ["relu", "leaky_relu", "elu", "gelu", "tanh", "sigmoid"]

    /// One argument: its name, type, and default (nil: required; for a pool's stride, its size).
    public struct Argument: Sendable, Hashable {
        public var name: String
        public var type: LayerValue.ArgumentType
        public var isRequired: Bool
        public var help: String
    }

    /// The arguments written in the kind's mapping (`activation`, `residual` and `repeat` take
    /// their value directly; repeat's count is under `repeat`, stored as argument `count`).
    public var arguments: [Argument] {
        func a(_ name: String, _ type: LayerValue.ArgumentType = .count, required: Bool = true, help: String) -> Argument {
            Argument(name: name, type: type, isRequired: required, help: help)
        }
        switch self {
        case .dense: return [a("units", help: "the number of outputs, e.g. {units: 128}"),
                             a("bias", .flag, required: false, help: "default true (false before a batch_norm, which re-centres)")]
        case .conv2d:
            return [a("channels", help: "the output channels, e.g. {channels: 32, kernel: 3}"),
                    a("kernel", help: "the kernel's side, e.g. {channels: 32, kernel: 3}"),
                    a("stride", required: false, help: "default 1"), a("padding", .padding, required: false, help: "default same"),
                    a("bias", .flag, required: false, help: "default true")]
        case .maxPool, .avgPool:
            return [a("size", help: "the window's side, e.g. {size: 2}"), a("stride", required: false, help: "default: the size")]
        case .dropout: return [a("rate", .rate, help: "the fraction dropped, e.g. {rate: 0.3}")]
        case .embedding:
            return [a("vocabulary", help: "the number of distinct input values, e.g. {vocabulary: 1000, dim: 16}"),
                    a("dim", help: "the embedding's width, e.g. {vocabulary: 1000, dim: 16}")]
        case .globalAvgPool, .flatten, .batchNorm, .layerNorm, .activation, .residual, .repeat: return []
        }
    }

    /// Every name a list item may start with: the kinds and the activations.
    public static var allNames: [String] { allCases.map(\.rawValue) + activationNames }

    /// Other libraries' names for ours (lowercased).
    static let aliases = ["conv": "conv2d", "conv2d_layer": "conv2d", "convolution": "conv2d", "linear": "dense",
                          "fc": "dense", "fully_connected": "dense", "maxpool": "max_pool", "max_pool2d": "max_pool",
                          "maxpool2d": "max_pool", "avgpool": "avg_pool", "avg_pool2d": "avg_pool",
                          "avgpool2d": "avg_pool", "batchnorm": "batch_norm", "batch_normalization": "batch_norm",
                          "layernorm": "layer_norm", "globalaveragepooling2d": "global_avg_pool",
                          "global_average_pooling": "global_avg_pool", "flat": "flatten", "embed": "embedding",
                          "skip": "residual", "leakyrelu": "leaky_relu"]
}
