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
    public func build(_ config: TrainingConfig, for shape: DataShape, rng: inout RNG) throws -> (model: Sequential, cost: ModelCost) {
        var stack = ModelBuilder.LayerStack(config, features: shape.featureCount)
        for _ in 0..<config.depth { stack.hidden(config.width, rng: &rng) }
        return stack.finish(shape, rng: &rng)
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
