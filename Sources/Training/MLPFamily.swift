// MLPFamily: `model: mlp`, a stack of dense hidden layers, for tables and flattened images.
import NN
import Search
import TensorCore

public struct MLPFamily: ModelFamily {
    public init() {}
    public let name = "mlp"
    public let parameters: [TrainingParameter] = [
        .init("depth", field: "depth", .integer(min: 1), default: .int(2), help: "hidden layers"),
        .init("width", field: "width", .integer(min: 1), default: .int(256), help: "units per hidden layer"),
    ]

    /// depth × (Dense → [batch norm] → activation → [dropout]), then the output layer.
    /// The preset, built through the layer language's one code path (`LayerListFamily.build`, on
    /// flat rows): `depth` × [dense {units: width} (no bias before batch_norm), [batch_norm],
    /// activation, [dropout]], then the output layer.
    public func build(_ config: TrainingConfig, for shape: DataShape, rng: inout RNG) throws -> (model: Sequential, cost: ModelCost) {
        try Presets.build(Self.layers(config), family: name, config: config, for: shape, images: false, rng: &rng)
    }

    /// The preset as a layer list, for `config`.
    public static func layers(_ config: TrainingConfig) -> [ConcreteLayer] {
        (0..<config.depth).flatMap { _ in Presets.hidden(config.width, config) }
    }
}

extension ModelKind {
    public static let mlp = ModelKind(registered: "mlp")
}

extension TrainingConfig {
    /// MLP: hidden layers.
    public var depth: Int {
        get { integer("depth") }
        set { setValue(.int(newValue), for: "depth") }
    }
    /// MLP: units per hidden layer.
    public var width: Int {
        get { integer("width") }
        set { setValue(.int(newValue), for: "width") }
    }
}
