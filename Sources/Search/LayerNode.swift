// LayerNode: one layer of a sweep file's layer list, as written: its kind, arguments, nested
// layers and location. `evaluate` turns it into concrete layers for one configuration.

/// One written layer. Activations by name (`- relu`) and `activation: NAME` both become kind
/// `.activation` with argument `function`; `repeat: N` keeps N as argument `count`; `residual`
/// and `repeat` hold their layers in `children`.
public struct LayerNode: Sendable, Hashable {
    public var kind: LayerKind
    /// Only the arguments written; defaults are applied by `evaluate`.
    public var arguments: [String: LayerValue]
    public var children: [LayerNode]
    /// Where the layer's kind is written.
    public var location: SourceLocation

    public init(kind: LayerKind, arguments: [String: LayerValue] = [:], children: [LayerNode] = [],
                location: SourceLocation) {
        self.kind = kind
        self.arguments = arguments
        self.children = children
        self.location = location
    }

    /// Every `${name}` in this layer and its children, in writing order.
    public var references: [LayerReference] {
        let own = arguments.values.sorted { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) }
            .flatMap(\.expression.references)
        return own + children.flatMap(\.references)
    }

    /// The concrete layers for `configuration` (a `repeat` gives its layers count times over).
    public func evaluate(in configuration: Configuration) throws -> [ConcreteLayer] {
        func integer(_ name: String, default value: Int? = nil) throws -> Int {
            guard let v = arguments[name] else { return value ?? 1 }
            return try v.evaluate(as: .count, in: configuration).integer
        }
        let operation: ConcreteLayer.Operation
        func flag(_ name: String) throws -> Bool {
            guard let v = arguments[name] else { return true }
            return try v.evaluate(as: .flag, in: configuration).name == "true"
        }
        switch kind {
        case .dense: operation = .dense(units: try integer("units"), bias: try flag("bias"))
        case .conv2d:
            var padding = ConcreteLayer.Padding.same
            if let p = arguments["padding"] {
                switch try p.evaluate(as: .padding, in: configuration) {
                case .integer(let n): padding = .pixels(n)
                case .name(let s): padding = s == "valid" ? .valid : .same
                case .number: break
                }
            }
            operation = .conv2d(channels: try integer("channels"), kernel: try integer("kernel"),
                                stride: try integer("stride", default: 1), padding: padding, bias: try flag("bias"))
        case .maxPool, .avgPool:
            let size = try integer("size")
            let stride = try integer("stride", default: size)
            operation = kind == .maxPool ? .maxPool(size: size, stride: stride) : .avgPool(size: size, stride: stride)
        case .globalAvgPool: operation = .globalAvgPool
        case .flatten: operation = .flatten
        case .batchNorm: operation = .batchNorm
        case .layerNorm: operation = .layerNorm
        case .dropout: operation = .dropout(rate: try arguments["rate"]!.evaluate(as: .rate, in: configuration).number)
        case .activation:
            operation = .activation(try arguments["function"]!.evaluate(as: .activation, in: configuration).name)
        case .embedding: operation = .embedding(vocabulary: try integer("vocabulary"), dim: try integer("dim"))
        case .residual:
            operation = .residual(try children.flatMap { try $0.evaluate(in: configuration) })
        case .repeat:
            let count = try integer("count")
            let once = try children.flatMap { try $0.evaluate(in: configuration) }
            return Array([[ConcreteLayer]](repeating: once, count: count).joined())
        }
        return [ConcreteLayer(operation: operation, location: location)]
    }
}
